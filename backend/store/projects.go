package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"cutover/backend/fault"
	"cutover/backend/project"
)

// ErrDuplicate is returned when a unique name is taken: the user's input (fault.KindInput).
var ErrDuplicate = fault.New(fault.KindInput, "already exists")

const wallLayout = "2006-01-02T15:04"

// CreateProject stores a new project and returns it with its ID.
func (s *Store) CreateProject(ctx context.Context, p project.Project) (project.Project, error) {
	now := s.now().UTC()
	p.Created, p.Updated = now, now
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO project(name, customer, provider, cutover_at, tz, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Name, p.Customer, string(p.Provider), p.Cutover.In(p.Location()).Format(wallLayout), p.Zone, p.Status, fmtTime(now), fmtTime(now))
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE constraint failed: project.name") {
				return fmt.Errorf("project %q: %w", p.Name, ErrDuplicate)
			}
			return fmt.Errorf("insert project: %w", err)
		}
		p.ID, _ = res.LastInsertId()
		return writeProjectParts(ctx, tx, p)
	})
	return p, err
}

// UpdateProject writes every field of p.
func (s *Store) UpdateProject(ctx context.Context, p project.Project) (project.Project, error) {
	p.Updated = s.now().UTC()
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE project SET name=?, customer=?, provider=?, cutover_at=?, tz=?, status=?, updated_at=? WHERE id=?`,
			p.Name, p.Customer, string(p.Provider), p.Cutover.In(p.Location()).Format(wallLayout), p.Zone, p.Status, fmtTime(p.Updated), p.ID)
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE constraint failed: project.name") {
				return fmt.Errorf("project %q: %w", p.Name, ErrDuplicate)
			}
			return fmt.Errorf("update project: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("project %d: %w", p.ID, ErrNotFound)
		}
		for _, q := range []string{`DELETE FROM project_domain WHERE project_id=?`, `DELETE FROM project_holiday WHERE project_id=?`, `DELETE FROM server WHERE project_id=?`} {
			if _, err := tx.ExecContext(ctx, q, p.ID); err != nil {
				return fmt.Errorf("update project: %w", err)
			}
		}
		return writeProjectParts(ctx, tx, p)
	})
	return p, err
}

func writeProjectParts(ctx context.Context, tx *sql.Tx, p project.Project) error {
	for i, d := range p.Domains {
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_domain(project_id, domain, position) VALUES (?, ?, ?)`, p.ID, d, i); err != nil {
			return fmt.Errorf("store domain %s: %w", d, err)
		}
	}
	for _, h := range p.Holidays {
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_holiday(project_id, day) VALUES (?, ?)`, p.ID, h); err != nil {
			return fmt.Errorf("store holiday %s: %w", h, err)
		}
	}
	for role, srv := range map[string]project.Server{"source": p.Source, "dest": p.Dest} {
		if srv.IsZero() {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO server(project_id, role, host, port, tls, allow_plain, ca_file, skip_verify) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, role, srv.Host, srv.Port, string(srv.TLS), srv.AllowPlain, srv.CAFile, srv.SkipVerify); err != nil {
			return fmt.Errorf("store %s server: %w", role, err)
		}
	}
	return nil
}

// DeleteProject removes a project and everything that hangs off it.
func (s *Store) DeleteProject(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM project WHERE id=?`, id)
	if err != nil {
		return fmt.Errorf("delete project: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("project %d: %w", id, ErrNotFound)
	}
	return nil
}

// ProjectByName finds a project by name (case-insensitive).
func (s *Store) ProjectByName(ctx context.Context, name string) (project.Project, error) {
	ps, err := s.queryProjects(ctx, `WHERE name = ?`, name)
	if err != nil {
		return project.Project{}, err
	}
	if len(ps) == 0 {
		return project.Project{}, fmt.Errorf("project %q: %w", name, ErrNotFound)
	}
	return ps[0], nil
}

// ProjectByID finds a project by ID.
func (s *Store) ProjectByID(ctx context.Context, id int64) (project.Project, error) {
	ps, err := s.queryProjects(ctx, `WHERE id = ?`, id)
	if err != nil {
		return project.Project{}, err
	}
	if len(ps) == 0 {
		return project.Project{}, fmt.Errorf("project %d: %w", id, ErrNotFound)
	}
	return ps[0], nil
}

// Projects lists every project, soonest cutover first.
func (s *Store) Projects(ctx context.Context) ([]project.Project, error) {
	return s.queryProjects(ctx, ``)
}

func (s *Store) queryProjects(ctx context.Context, where string, args ...any) ([]project.Project, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, customer, provider, cutover_at, tz, status, created_at, updated_at FROM project `+where+` ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	var out []project.Project
	for rows.Next() {
		var p project.Project
		var provider, cutover, created, updated string
		if err := rows.Scan(&p.ID, &p.Name, &p.Customer, &provider, &cutover, &p.Zone, &p.Status, &created, &updated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read project: %w", err)
		}
		p.Provider = project.Provider(provider)
		p.Cutover, _ = time.ParseInLocation(wallLayout, cutover, p.Location())
		p.Created, p.Updated = parseTime(created), parseTime(updated)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	for i := range out {
		if err := s.loadProjectParts(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) loadProjectParts(ctx context.Context, p *project.Project) error {
	p.Domains, p.Holidays = []string{}, []string{}
	if err := queryStrings(ctx, s.db, &p.Domains, `SELECT domain FROM project_domain WHERE project_id=? ORDER BY position`, p.ID); err != nil {
		return fmt.Errorf("read domains: %w", err)
	}
	if err := queryStrings(ctx, s.db, &p.Holidays, `SELECT day FROM project_holiday WHERE project_id=? ORDER BY day`, p.ID); err != nil {
		return fmt.Errorf("read holidays: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT role, host, port, tls, allow_plain, ca_file, skip_verify FROM server WHERE project_id=?`, p.ID)
	if err != nil {
		return fmt.Errorf("read servers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var role, tls string
		var srv project.Server
		if err := rows.Scan(&role, &srv.Host, &srv.Port, &tls, &srv.AllowPlain, &srv.CAFile, &srv.SkipVerify); err != nil {
			return fmt.Errorf("read server: %w", err)
		}
		srv.TLS = project.TLSMode(tls)
		if role == "source" {
			p.Source = srv
		} else {
			p.Dest = srv
		}
	}
	return rows.Err()
}

func queryStrings(ctx context.Context, db *sql.DB, dst *[]string, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		*dst = append(*dst, v)
	}
	return rows.Err()
}

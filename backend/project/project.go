// Package project describes one customer's migration: its mail domains, the source
// and destination IMAP servers, the destination provider, and the cutover moment in
// the customer's IANA time zone. It validates what a user types and names the field
// that is wrong.
package project

import (
	"errors"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"cutover/backend/fault"
	"cutover/backend/people"
)

// Provider is the kind of destination.
type Provider string

const (
	ProviderM365   Provider = "m365"
	ProviderGoogle Provider = "google"
	ProviderIMAP   Provider = "imap"
)

// ProviderLabel is the name shown to people.
func (p Provider) Label() string {
	switch p {
	case ProviderM365:
		return "Microsoft 365"
	case ProviderGoogle:
		return "Google Workspace"
	case ProviderIMAP:
		return "Other IMAP host"
	}
	return string(p)
}

// TLSMode is how a connection is secured.
type TLSMode string

const (
	TLSImplicit TLSMode = "implicit" // imaps://, port 993
	TLSStartTLS TLSMode = "starttls" // imap:// upgraded with STARTTLS
	TLSPlain    TLSMode = "plain"    // no TLS: loopback or explicitly allowed only
)

// Server is an IMAP server of a project.
type Server struct {
	Host       string  `json:"host"`
	Port       int     `json:"port"`
	TLS        TLSMode `json:"tls"`
	AllowPlain bool    `json:"allowPlain"`           // plain text allowed on a non-loopback host
	CAFile     string  `json:"caFile,omitempty"`     // extra PEM roots besides the system's
	SkipVerify bool    `json:"skipVerify,omitempty"` // explicit per-server opt-out of certificate checks
}

// IsZero reports whether no server is configured.
func (s Server) IsZero() bool { return s.Host == "" }

// Address is host:port.
func (s Server) Address() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// URL is the server as an imaps://, imap:// (STARTTLS) or imap+plain:// URL.
func (s Server) URL() string {
	if s.IsZero() {
		return ""
	}
	scheme := map[TLSMode]string{TLSImplicit: "imaps", TLSStartTLS: "imap", TLSPlain: "imap+plain"}[s.TLS]
	return scheme + "://" + s.Address()
}

// IsLoopback reports whether the host is a loopback address or localhost.
func (s Server) IsLoopback() bool {
	if strings.EqualFold(s.Host, "localhost") {
		return true
	}
	ip := net.ParseIP(s.Host)
	return ip != nil && ip.IsLoopback()
}

// CheckPlain refuses plain text to a host that is not loopback unless the server allows it
// explicitly (flag names the option that does): the rule for a project's servers and for
// `cutover copy` alike. The copy engine applies it again before it dials.
func (s Server) CheckPlain(field, flag string) error {
	if s.IsZero() || s.TLS != TLSPlain || s.IsLoopback() || s.AllowPlain {
		return nil
	}
	return &FieldError{Field: field, Value: s.URL(), Expected: "TLS (imaps:// or imap:// with STARTTLS): plain text is refused for a host that is not loopback unless explicitly allowed (" + flag + ")"}
}

// ParseServer reads "imaps://host[:port]" (implicit TLS, default 993), "imap://host[:port]"
// (STARTTLS, default 143) or "imap+plain://host[:port]" (no TLS, default 143).
func ParseServer(field, raw string) (Server, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Server{}, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Server{}, &FieldError{Field: field, Value: raw, Expected: "a server like imaps://mail.example.com:993, imap://host:143 (STARTTLS) or imap+plain://127.0.0.1:143"}
	}
	var s Server
	switch strings.ToLower(u.Scheme) {
	case "imaps":
		s.TLS, s.Port = TLSImplicit, 993
	case "imap":
		s.TLS, s.Port = TLSStartTLS, 143
	case "imap+plain":
		s.TLS, s.Port = TLSPlain, 143
	default:
		return Server{}, &FieldError{Field: field, Value: raw, Expected: "scheme imaps:// (implicit TLS), imap:// (STARTTLS) or imap+plain:// (no TLS)"}
	}
	s.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Server{}, &FieldError{Field: field, Value: raw, Expected: "a port from 1 to 65535"}
		}
		s.Port = n
	}
	return s, nil
}

// Project is one customer's migration.
type Project struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Customer string   `json:"customer"`
	Domains  []string `json:"domains"`
	Provider Provider `json:"provider"`
	Source   Server   `json:"source"`
	Dest     Server   `json:"dest"`
	// Cutover is the moment of the DNS switch, in Zone.
	Cutover  time.Time `json:"cutover"`
	Zone     string    `json:"tz"`
	Holidays []string  `json:"holidays"` // 2006-01-02, in Zone
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

// Location returns the project's time zone.
func (p Project) Location() *time.Location {
	loc, err := time.LoadLocation(p.Zone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// HolidaySet returns the holidays as a set of "2006-01-02" days.
func (p Project) HolidaySet() map[string]bool {
	m := make(map[string]bool, len(p.Holidays))
	for _, h := range p.Holidays {
		m[h] = true
	}
	return m
}

// Input is what a user gives to create or edit a project; every field is text as typed.
// On edit, nil pointers leave a field unchanged.
type Input struct {
	Name     *string   `json:"name,omitempty"`
	Customer *string   `json:"customer,omitempty"`
	Domains  *[]string `json:"domains,omitempty"`
	Provider *string   `json:"provider,omitempty"`
	Source   *string   `json:"source,omitempty"`
	Dest     *string   `json:"dest,omitempty"`
	// AllowPlainSource / AllowPlainDest allow a plain-text connection to a non-loopback host.
	AllowPlainSource *bool   `json:"allowPlainSource,omitempty"`
	AllowPlainDest   *bool   `json:"allowPlainDest,omitempty"`
	SourceCAFile     *string `json:"sourceCAFile,omitempty"`
	DestCAFile       *string `json:"destCAFile,omitempty"`
	SourceSkipVerify *bool   `json:"sourceSkipVerify,omitempty"`
	DestSkipVerify   *bool   `json:"destSkipVerify,omitempty"`
	// Cutover is "2006-01-02 15:04" (or with a T) in Zone.
	Cutover  *string   `json:"cutover,omitempty"`
	Zone     *string   `json:"tz,omitempty"`
	Holidays *[]string `json:"holidays,omitempty"`
	Status   *string   `json:"status,omitempty"`
}

// FieldError is bad input in one field: what was given and what was expected. It is
// fault.FieldError, the backend's one type for a bad field, under the name this
// package's callers know.
type FieldError = fault.FieldError

// InputErrors is every problem found in one input, so a form can show them all at once
// (fault.FieldErrors).
type InputErrors = fault.FieldErrors

// IsInputError reports whether err is bad user input (exit code 2 on the command line).
func IsInputError(err error) bool { return fault.Is(err, fault.KindInput) }

var (
	nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	dayRE  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// cutoverLayouts are the accepted ways to write the cutover time.
var cutoverLayouts = []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"}

// Apply validates in and applies it to p (a zero Project for create). now is the
// current time: a new cutover must lie in the future. It returns every problem found.
func Apply(p Project, in Input, creating bool, now time.Time) (Project, error) {
	var errs InputErrors
	add := func(err error) {
		var fe *FieldError
		if errors.As(err, &fe) {
			errs = append(errs, fe)
		}
	}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if !nameRE.MatchString(n) {
			add(&FieldError{Field: "name", Value: n, Expected: "1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit"})
		}
		p.Name = n
	} else if creating {
		add(&FieldError{Field: "name", Expected: "a project name is required"})
	}
	if in.Customer != nil {
		p.Customer = strings.TrimSpace(*in.Customer)
	}
	if in.Domains != nil {
		p.Domains = nil
		seen := map[string]bool{}
		for _, d := range *in.Domains {
			for _, part := range strings.FieldsFunc(d, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
				part = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(part), "."))
				if !people.ValidDomain(part) { // the domain rule of every address
					add(&FieldError{Field: "domain", Value: part, Expected: "a domain name like acme.example"})
					continue
				}
				if !seen[part] {
					seen[part] = true
					p.Domains = append(p.Domains, part)
				}
			}
		}
	}
	if creating && len(p.Domains) == 0 && !hasFieldErr(errs, "domain") {
		add(&FieldError{Field: "domain", Expected: "at least one mail domain is required"})
	}
	if in.Provider != nil {
		switch v := Provider(strings.ToLower(strings.TrimSpace(*in.Provider))); v {
		case ProviderM365, ProviderGoogle, ProviderIMAP:
			p.Provider = v
		case "microsoft", "microsoft365", "o365", "office365":
			p.Provider = ProviderM365
		case "gmail", "workspace", "google-workspace":
			p.Provider = ProviderGoogle
		default:
			add(&FieldError{Field: "provider", Value: *in.Provider, Expected: "m365, google or imap"})
		}
	} else if creating {
		add(&FieldError{Field: "provider", Expected: "m365, google or imap is required"})
	}
	applyServer := func(field string, raw *string, allow, skip *bool, ca *string, dst *Server) {
		if raw != nil {
			s, err := ParseServer(field, *raw)
			if err != nil {
				add(err)
				return
			}
			s.AllowPlain, s.CAFile, s.SkipVerify = dst.AllowPlain, dst.CAFile, dst.SkipVerify
			*dst = s
		}
		if allow != nil {
			dst.AllowPlain = *allow
		}
		if skip != nil {
			dst.SkipVerify = *skip
		}
		if ca != nil {
			dst.CAFile = strings.TrimSpace(*ca)
		}
		if err := dst.CheckPlain(field, "--allow-plain-"+field); err != nil {
			add(err)
		}
	}
	applyServer("source", in.Source, in.AllowPlainSource, in.SourceSkipVerify, in.SourceCAFile, &p.Source)
	applyServer("dest", in.Dest, in.AllowPlainDest, in.DestSkipVerify, in.DestCAFile, &p.Dest)

	if in.Zone != nil {
		z := strings.TrimSpace(*in.Zone)
		if _, err := time.LoadLocation(z); err != nil || z == "" || z == "Local" {
			add(&FieldError{Field: "tz", Value: z, Expected: "an IANA time zone such as America/Toronto or Europe/Paris"})
		} else {
			if p.Zone != "" && !p.Cutover.IsZero() && in.Cutover == nil {
				// Keep the wall time the user typed, in the new zone.
				loc, _ := time.LoadLocation(z)
				c := p.Cutover.In(p.Location())
				p.Cutover = time.Date(c.Year(), c.Month(), c.Day(), c.Hour(), c.Minute(), 0, 0, loc)
			}
			p.Zone = z
		}
	} else if creating {
		add(&FieldError{Field: "tz", Expected: "an IANA time zone is required, e.g. America/Toronto"})
	}
	if in.Cutover != nil {
		raw := strings.TrimSpace(*in.Cutover)
		loc, zerr := time.LoadLocation(p.Zone)
		if p.Zone == "" || zerr != nil {
			loc = nil
		}
		readIn := loc
		if readIn == nil {
			readIn = time.UTC // still check the format when the zone is missing or wrong
		}
		var t time.Time
		var err error
		for _, l := range cutoverLayouts {
			if t, err = time.ParseInLocation(l, raw, readIn); err == nil {
				break
			}
		}
		switch {
		case err != nil:
			add(&FieldError{Field: "cutover", Value: raw, Expected: `a date and time like "2027-05-14 18:00"`})
		case loc == nil && !hasFieldErr(errs, "tz"):
			add(&FieldError{Field: "cutover", Value: raw, Expected: "a time zone (tz) to read it in"})
		case loc == nil:
		case !t.After(now):
			add(&FieldError{Field: "cutover", Value: raw, Expected: "a moment in the future (it is " + now.In(loc).Format("2006-01-02 15:04 MST") + " in " + p.Zone + ")"})
		default:
			p.Cutover = t
		}
	} else if creating {
		add(&FieldError{Field: "cutover", Expected: `the cutover date and time is required, e.g. "2027-05-14 18:00"`})
	}
	if in.Holidays != nil {
		p.Holidays = nil
		seen := map[string]bool{}
		for _, h := range *in.Holidays {
			for _, part := range strings.FieldsFunc(h, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
				if _, err := time.Parse("2006-01-02", part); err != nil || !dayRE.MatchString(part) {
					add(&FieldError{Field: "holiday", Value: part, Expected: "a date like 2027-05-24"})
					continue
				}
				if !seen[part] {
					seen[part] = true
					p.Holidays = append(p.Holidays, part)
				}
			}
		}
		sort.Strings(p.Holidays)
	}
	if in.Status != nil {
		switch s := strings.TrimSpace(*in.Status); s {
		case "active", "closed", "on_hold":
			p.Status = s
		default:
			add(&FieldError{Field: "status", Value: s, Expected: "active, on_hold or closed"})
		}
	}
	if p.Status == "" {
		p.Status = "active"
	}
	if len(errs) > 0 {
		return p, errs
	}
	return p, nil
}

func hasFieldErr(errs InputErrors, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

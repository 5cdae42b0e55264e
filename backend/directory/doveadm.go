package directory

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"cutover/backend/people"
	"cutover/backend/secrets"
)

// Doveadm reads a Dovecot server's users through the doveadm HTTP API (Dovecot 2.3:
// POST /doveadm/v1 with a JSON array of commands, "Authorization: X-Dovecot-API
// <base64 of doveadm_api_key>"): the command `user` with the mask "*", which iterates the
// userdb. Dovecot knows logins only: names, groups and contacts come from the sheets. A
// login without a domain gets Domain.
type Doveadm struct {
	URL    string // http://host:port of the doveadm service's inet_listener http
	Key    secrets.Secret
	Domain string // for logins without @ (the project's first domain)
	HTTP   *http.Client
}

func (d *Doveadm) ID() string { return "doveadm" }

// Detect lists the userdb's users.
func (d *Doveadm) Detect(ctx context.Context) (Found, error) {
	f := Found{Source: d.ID()}
	if d.Key.IsZero() {
		return f, fmt.Errorf("doveadm: %w: set the doveadm API key (doveadm_api_key in the server's dovecot.conf)", ErrNoCredentials)
	}
	c, err := newClient("doveadm HTTP API", d.URL, d.HTTP)
	if err != nil {
		return f, err
	}
	c.header.Set("Authorization", "X-Dovecot-API "+base64.StdEncoding.EncodeToString([]byte(d.Key.Reveal())))
	c.hint = func(status int) string {
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			return "the API key was refused: it is doveadm_api_key in the server's configuration"
		}
		return ""
	}
	const tag = "c01"
	var answer [][]json.RawMessage
	if err := c.do(ctx, http.MethodPost, c.url("/doveadm/v1", nil), []any{[]any{"user", map[string]string{"userMask": "*"}, tag}}, &answer); err != nil {
		return f, fmt.Errorf("list the users: %w", err)
	}
	for _, a := range answer {
		if len(a) != 3 {
			return f, fmt.Errorf("doveadm HTTP API: an answer of %d parts, expected [type, data, tag]", len(a))
		}
		var kind string
		_ = json.Unmarshal(a[0], &kind)
		switch kind {
		case "error":
			var e struct {
				Type     string `json:"type"`
				ExitCode int    `json:"exitCode"`
			}
			_ = json.Unmarshal(a[1], &e)
			return f, &APIError{Service: "doveadm HTTP API", Method: http.MethodPost, Path: "/doveadm/v1", Status: http.StatusOK,
				Message: fmt.Sprintf("doveadm user '*' failed (%s %d)", e.Type, e.ExitCode),
				Hint:    "the userdb must be one Dovecot can list (passwd-file, SQL with iterate_query, LDAP with iterate_attrs)"}
		case "doveadmResponse":
			var r struct {
				UserList []string `json:"userList"`
			}
			if err := json.Unmarshal(a[1], &r); err != nil {
				return f, fmt.Errorf("doveadm HTTP API: read the user list: %w", err)
			}
			for _, login := range r.UserList {
				addr := login
				if !strings.Contains(addr, "@") && d.Domain != "" {
					addr = login + "@" + d.Domain
				}
				f.Users = append(f.Users, User{User: people.User{Address: addr, SourceLogin: login}})
			}
		}
	}
	return f, nil
}

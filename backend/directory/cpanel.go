package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"cutover/backend/people"
	"cutover/backend/secrets"
)

// CPanel reads a cPanel hosting account's email through UAPI (cPanel's JSON API on
// port 2083): Email::list_pops (the mailboxes), Email::list_forwarders and
// Email::list_lists. It signs in with an API token made in cPanel → Security → Manage API
// Tokens: "Authorization: cpanel <user>:<token>".
//
// A forwarder from an address to exactly one mailbox of the account is that mailbox's
// alias; any other forwarder (to several addresses, or outside) is a group of its
// targets. Mailing lists (Mailman) become groups without members: UAPI does not give
// them, and a note says so.
type CPanel struct {
	URL   string // https://host:2083
	User  string // the cPanel account
	Token secrets.Secret
	HTTP  *http.Client
}

func (c *CPanel) ID() string { return "cpanel" }

// uapi is UAPI's envelope: {"result":{"status":1,"data":...,"errors":[...]}}.
type uapi struct {
	Result struct {
		Status   int             `json:"status"`
		Data     json.RawMessage `json:"data"`
		Errors   []string        `json:"errors"`
		Messages []string        `json:"messages"`
	} `json:"result"`
}

func (c *CPanel) client() (*client, error) {
	if c.User == "" || c.Token.IsZero() {
		return nil, fmt.Errorf("cPanel: %w: set the cPanel account name and an API token (cPanel → Security → Manage API Tokens)", ErrNoCredentials)
	}
	cl, err := newClient("cPanel UAPI", c.URL, c.HTTP)
	if err != nil {
		return nil, err
	}
	cl.header.Set("Authorization", "cpanel "+c.User+":"+c.Token.Reveal())
	cl.hint = func(status int) string {
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			return "the account name or API token was refused: make a new token in cPanel → Security → Manage API Tokens"
		}
		return ""
	}
	return cl, nil
}

// call runs a UAPI function; a status 0 answer is an error with cPanel's words.
func (c *CPanel) call(ctx context.Context, cl *client, module, fn string, q url.Values, out any) error {
	var env uapi
	if err := cl.do(ctx, http.MethodGet, cl.url("/execute/"+module+"/"+fn, q), nil, &env); err != nil {
		return err
	}
	if env.Result.Status != 1 {
		return &APIError{Service: cl.service, Method: http.MethodGet, Path: "/execute/" + module + "/" + fn, Status: http.StatusOK,
			Message: strings.Join(env.Result.Errors, "; ")}
	}
	if len(env.Result.Data) == 0 || string(env.Result.Data) == "null" {
		return nil
	}
	if err := json.Unmarshal(env.Result.Data, out); err != nil {
		return fmt.Errorf("%s: %s::%s: %w", cl.service, module, fn, err)
	}
	return nil
}

// Detect lists the mailboxes, forwarders and mailing lists.
func (c *CPanel) Detect(ctx context.Context) (Found, error) {
	f := Found{Source: c.ID()}
	cl, err := c.client()
	if err != nil {
		return f, err
	}
	var pops []struct {
		Email             string `json:"email"`
		Login             string `json:"login"`
		SuspendedLogin    int    `json:"suspended_login"`
		SuspendedIncoming int    `json:"suspended_incoming"`
	}
	if err := c.call(ctx, cl, "Email", "list_pops", nil, &pops); err != nil {
		return f, fmt.Errorf("list the email accounts: %w", err)
	}
	byAddr := map[string]int{}
	for _, p := range pops {
		if !strings.Contains(p.Email, "@") {
			// The cPanel account's own default mailbox (its user name, no domain).
			f.Notes = append(f.Notes, fmt.Sprintf("%s: the account's default mailbox, left out (forward its mail to a real address)", p.Email))
			continue
		}
		login := p.Login
		if login == "" {
			login = p.Email
		}
		byAddr[strings.ToLower(p.Email)] = len(f.Users)
		f.Users = append(f.Users, User{User: people.User{Address: p.Email, SourceLogin: login}, Disabled: p.SuspendedLogin != 0})
	}
	var fwds []struct {
		Dest    string `json:"dest"`    // the address mail arrives at
		Forward string `json:"forward"` // where it goes
	}
	if err := c.call(ctx, cl, "Email", "list_forwarders", nil, &fwds); err != nil {
		return f, fmt.Errorf("list the forwarders: %w", err)
	}
	targets := map[string][]string{}
	var order []string
	for _, fw := range fwds {
		k := strings.ToLower(fw.Dest)
		if _, ok := targets[k]; !ok {
			order = append(order, fw.Dest)
		}
		for _, t := range strings.Split(fw.Forward, ",") {
			if t = strings.TrimSpace(t); t != "" {
				targets[k] = append(targets[k], t)
			}
		}
	}
	for _, dest := range order {
		ts := targets[strings.ToLower(dest)]
		if _, isMailbox := byAddr[strings.ToLower(dest)]; isMailbox {
			f.Notes = append(f.Notes, fmt.Sprintf("%s: a mailbox that also forwards to %s (set the forward again at the destination)", dest, strings.Join(ts, ", ")))
			continue
		}
		if len(ts) == 1 {
			if i, ok := byAddr[strings.ToLower(ts[0])]; ok {
				f.Users[i].Aliases = append(f.Users[i].Aliases, dest)
				continue
			}
		}
		if len(ts) == 0 || strings.HasPrefix(ts[0], ":") || strings.HasPrefix(ts[0], "|") {
			f.Notes = append(f.Notes, fmt.Sprintf("%s: forwards to a program or a failure message, left out", dest))
			continue
		}
		f.Groups = append(f.Groups, people.Group{Address: dest, Name: people.LocalPart(dest), Description: "cPanel forwarder", Members: ts})
	}
	var lists []struct {
		List     string `json:"list"`
		DestHost string `json:"desthost"`
	}
	if err := c.call(ctx, cl, "Email", "list_lists", nil, &lists); err != nil {
		return f, fmt.Errorf("list the mailing lists: %w", err)
	}
	for _, l := range lists {
		// UAPI names a list "<name>_<domain>".
		name := strings.TrimSuffix(l.List, "_"+l.DestHost)
		addr := name + "@" + l.DestHost
		f.Groups = append(f.Groups, people.Group{Address: addr, Name: name, Description: "Mailman list", Members: []string{}})
		f.Notes = append(f.Notes, fmt.Sprintf("list %s: UAPI does not give a Mailman list's members: add them in the groups sheet", addr))
	}
	sort.SliceStable(f.Groups, func(i, j int) bool {
		return strings.ToLower(f.Groups[i].Address) < strings.ToLower(f.Groups[j].Address)
	})
	f.settle()
	return f, nil
}

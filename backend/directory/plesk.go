package directory

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"cutover/backend/people"
	"cutover/backend/secrets"
)

// Plesk reads a Plesk server's mail through its XML API (POST
// /enterprise/control/agent.php on port 8443, a <packet> of operations): site/get for the
// domains, then mail/get_info per domain with the mailbox, aliases and forwarding
// datasets. It signs in with a secret key (`plesk bin secret_key -c`), sent in the KEY
// header.
//
// A mail name with a mailbox is a user, its aliases the user's; a mail name without a
// mailbox that forwards is a group of its forwarding addresses (as cPanel's forwarders).
type Plesk struct {
	URL  string // https://host:8443
	Key  secrets.Secret
	HTTP *http.Client
}

func (p *Plesk) ID() string { return "plesk" }

// pleskResult is the status part of every <result> (and of a refused packet's <system>).
type pleskResult struct {
	Status  string `xml:"status"`
	ErrCode int    `xml:"errcode"`
	ErrText string `xml:"errtext"`
}

func (r pleskResult) err(what string) error {
	if r.Status == "ok" {
		return nil
	}
	return &APIError{Service: "Plesk XML API", Method: http.MethodPost, Path: "/enterprise/control/agent.php", Status: http.StatusOK,
		Message: fmt.Sprintf("%s: error %d: %s", what, r.ErrCode, r.ErrText), Hint: pleskHint(r.ErrCode)}
}

func pleskHint(code int) string {
	if code == 1001 {
		return "the secret key was refused: make one with `plesk bin secret_key -c -ip-address <Cutover's address>`"
	}
	return ""
}

type pleskSites struct {
	System pleskResult `xml:"system"`
	Site   struct {
		Get struct {
			Results []struct {
				pleskResult
				ID   int `xml:"id"`
				Data struct {
					GenInfo struct {
						Name string `xml:"name"`
					} `xml:"gen_info"`
				} `xml:"data"`
			} `xml:"result"`
		} `xml:"get"`
	} `xml:"site"`
}

type pleskMail struct {
	System pleskResult `xml:"system"`
	Mail   struct {
		GetInfo struct {
			Results []struct {
				pleskResult
				Mailnames []struct {
					Name    string `xml:"name"`
					Mailbox *struct {
						Enabled bool `xml:"enabled"`
					} `xml:"mailbox"`
					Aliases    []string `xml:"alias"`
					Forwarding struct {
						Enabled   bool     `xml:"enabled"`
						Addresses []string `xml:"address"`
					} `xml:"forwarding"`
				} `xml:"mailname"`
			} `xml:"result"`
		} `xml:"get_info"`
	} `xml:"mail"`
}

// call posts a packet and decodes the answer into out; a refused packet is an error.
func (p *Plesk) call(ctx context.Context, c *client, packet string, out any, system func() pleskResult) error {
	b, _, err := c.send(ctx, http.MethodPost, c.url("/enterprise/control/agent.php", nil), "text/xml; charset=UTF-8", "text/xml",
		strings.NewReader(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+packet))
	if err != nil {
		return err
	}
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(out); err != nil {
		return fmt.Errorf("Plesk XML API: the answer is not the XML expected: %w", err)
	}
	if s := system(); s.Status != "" {
		return s.err("the packet")
	}
	return nil
}

// Detect lists each site's mail names.
func (p *Plesk) Detect(ctx context.Context) (Found, error) {
	f := Found{Source: p.ID()}
	if p.Key.IsZero() {
		return f, fmt.Errorf("Plesk: %w: set the secret key (plesk bin secret_key -c)", ErrNoCredentials)
	}
	c, err := newClient("Plesk XML API", p.URL, p.HTTP)
	if err != nil {
		return f, err
	}
	c.header.Set("KEY", p.Key.Reveal())
	var sites pleskSites
	if err := p.call(ctx, c, `<packet><site><get><filter/><dataset><gen_info/></dataset></get></site></packet>`, &sites,
		func() pleskResult { return sites.System }); err != nil {
		return f, fmt.Errorf("list the domains: %w", err)
	}
	for _, site := range sites.Site.Get.Results {
		if err := site.err("site/get"); err != nil {
			return f, fmt.Errorf("list the domains: %w", err)
		}
		domain := site.Data.GenInfo.Name
		var mail pleskMail
		packet := fmt.Sprintf(`<packet><mail><get_info><filter><site-id>%d</site-id></filter><mailbox/><aliases/><forwarding/></get_info></mail></packet>`, site.ID)
		if err := p.call(ctx, c, packet, &mail, func() pleskResult { return mail.System }); err != nil {
			return f, fmt.Errorf("list the mail of %s: %w", domain, err)
		}
		for _, r := range mail.Mail.GetInfo.Results {
			if err := r.err("mail/get_info of " + domain); err != nil {
				return f, err
			}
			for _, m := range r.Mailnames {
				addr := m.Name + "@" + domain
				if m.Mailbox != nil && m.Mailbox.Enabled {
					u := User{User: people.User{Address: addr, SourceLogin: addr}}
					for _, a := range m.Aliases {
						u.Aliases = append(u.Aliases, a+"@"+domain)
					}
					f.Users = append(f.Users, u)
					if m.Forwarding.Enabled && len(m.Forwarding.Addresses) > 0 {
						f.Notes = append(f.Notes, fmt.Sprintf("%s: a mailbox that also forwards to %s (set the forward again at the destination)", addr, strings.Join(m.Forwarding.Addresses, ", ")))
					}
					continue
				}
				if m.Forwarding.Enabled && len(m.Forwarding.Addresses) > 0 {
					f.Groups = append(f.Groups, people.Group{Address: addr, Name: m.Name, Description: "Plesk forwarding", Members: m.Forwarding.Addresses})
					continue
				}
				f.Notes = append(f.Notes, fmt.Sprintf("%s: no mailbox and no forwarding, left out", addr))
			}
		}
	}
	sort.SliceStable(f.Groups, func(i, j int) bool {
		return strings.ToLower(f.Groups[i].Address) < strings.ToLower(f.Groups[j].Address)
	})
	f.settle()
	return f, nil
}

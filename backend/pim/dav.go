package pim

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/emersion/go-webdav/carddav"

	"cutover/backend/secrets"
)

// Resolver looks up DNS SRV records (net.Resolver does); tests inject their own.
type Resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
}

// DAVOptions shape a connection to a CalDAV/CardDAV server.
type DAVOptions struct {
	User     string
	Password secrets.Secret
	// HTTP is the client requests go through (default http.DefaultClient).
	HTTP *http.Client
	// Resolver finds the server by SRV (RFC 6764 section 3) when the address is a bare
	// domain; default net.DefaultResolver.
	Resolver Resolver
}

// DAV is a CalDAV/CardDAV account: the source or the destination of a pass.
type DAV struct {
	endpoint *url.URL
	raw      *http.Client // without the sign-in, for reading where a well-known URL points
	http     webdav.HTTPClient
	cal      *caldav.Client
	card     *carddav.Client
	calHome  string // "" when the server keeps no calendars
	cardHome string // "" when it keeps no address books
}

// DialDAV finds the account's calendar and address book homes (RFC 6764): addr is a URL
// (its path is tried first, then /.well-known/caldav and /.well-known/carddav) or a bare
// domain (SRV _caldavs._tcp / _carddavs._tcp, then https://domain).
func DialDAV(ctx context.Context, addr string, o DAVOptions) (*DAV, error) {
	hc := o.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	base, err := davBase(ctx, addr, o.Resolver)
	if err != nil {
		return nil, err
	}
	d := &DAV{endpoint: base, raw: hc, http: hc}
	if !o.Password.IsZero() { // otherwise HTTP signs the requests (an OAuth 2.0 client: Google's CardDAV)
		d.http = webdav.HTTPClientWithBasicAuth(hc, o.User, o.Password.Reveal())
	}
	principal, err := d.principal(ctx)
	if err != nil {
		return nil, err
	}
	if d.cal, err = caldav.NewClient(d.http, base.String()); err != nil {
		return nil, err
	}
	if d.card, err = carddav.NewClient(d.http, base.String()); err != nil {
		return nil, err
	}
	d.calHome, _ = d.cal.FindCalendarHomeSet(ctx, principal)
	d.cardHome, _ = d.card.FindAddressBookHomeSet(ctx, principal)
	if d.calHome == "" && d.cardHome == "" {
		return nil, fmt.Errorf("%s: the server names neither a calendar home nor an address book home for %s (RFC 4791 6.2.1, RFC 6352 7.1.1)", base, o.User)
	}
	return d, nil
}

// davBase is the URL discovery starts from.
func davBase(ctx context.Context, addr string, r Resolver) (*url.URL, error) {
	if strings.Contains(addr, "://") {
		u, err := url.Parse(addr)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("DAV address %q: expected a URL such as https://dav.example.com/ or a domain", addr)
		}
		if u.Path == "" {
			u.Path = "/"
		}
		return u, nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	for _, svc := range []struct{ name, scheme string }{{"caldavs", "https"}, {"carddavs", "https"}, {"caldav", "http"}, {"carddav", "http"}} {
		_, srvs, err := r.LookupSRV(ctx, svc.name, "tcp", addr)
		if err != nil || len(srvs) == 0 || srvs[0].Target == "." {
			continue
		}
		host := strings.TrimSuffix(srvs[0].Target, ".")
		return &url.URL{Scheme: svc.scheme, Host: net.JoinHostPort(host, fmt.Sprint(srvs[0].Port)), Path: "/"}, nil
	}
	return &url.URL{Scheme: "https", Host: addr, Path: "/"}, nil
}

// principal finds the current-user-principal (RFC 5397) at the base URL, or under the
// well-known URLs (RFC 6764 section 5), which redirect to the context path.
func (d *DAV) principal(ctx context.Context) (string, error) {
	var errs []error
	for _, p := range []string{d.endpoint.Path, "/.well-known/caldav", "/.well-known/carddav"} {
		if strings.HasPrefix(p, "/.well-known/") {
			p = d.wellKnown(ctx, p)
		}
		c, err := webdav.NewClient(d.http, d.endpoint.ResolveReference(&url.URL{Path: p}).String())
		if err != nil {
			return "", err
		}
		principal, err := c.FindCurrentUserPrincipal(ctx)
		if err == nil && principal != "" {
			return principal, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", p, err))
	}
	return "", fmt.Errorf("find the current user principal at %s: %w", d.endpoint.Host, errors.Join(errs...))
}

// wellKnown follows a well-known URL's redirect to the context path (RFC 6764 section
// 5) itself: an HTTP client following a 301 turns the PROPFIND into a GET.
func (d *DAV) wellKnown(ctx context.Context, p string) string {
	noFollow := *d.raw
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.endpoint.ResolveReference(&url.URL{Path: p}).String(), nil)
	if err != nil {
		return p
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		return p
	}
	resp.Body.Close()
	if loc, err := resp.Location(); err == nil && resp.StatusCode/100 == 3 && loc.Host == d.endpoint.Host {
		return loc.Path
	}
	return p
}

// Collections lists the address books and calendars of the account.
func (d *DAV) Collections(ctx context.Context) ([]Collection, error) {
	var out []Collection
	if d.cardHome != "" {
		abs, err := d.card.FindAddressBooks(ctx, d.cardHome)
		if err != nil {
			return nil, fmt.Errorf("list address books under %s: %w", d.cardHome, err)
		}
		for _, ab := range abs {
			out = append(out, Collection{Href: ab.Path, Name: ab.Name, Description: ab.Description, Type: AddressBook})
		}
	}
	if d.calHome != "" {
		cals, err := d.cal.FindCalendars(ctx, d.calHome)
		if err != nil {
			return nil, fmt.Errorf("list calendars under %s: %w", d.calHome, err)
		}
		for _, c := range cals {
			out = append(out, Collection{Href: c.Path, Name: c.Name, Description: c.Description, Type: Calendar, Components: c.SupportedComponentSet})
		}
	}
	return out, nil
}

// multistatus is the part of a REPORT answer (RFC 4918 14.16) the listing reads.
type multistatus struct {
	Responses []struct {
		Href     string `xml:"DAV: href"`
		Propstat []struct {
			Status string `xml:"DAV: status"`
			Prop   struct {
				ETag         string `xml:"DAV: getetag"`
				CalendarData string `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
				AddressData  string `xml:"urn:ietf:params:xml:ns:carddav address-data"`
			} `xml:"DAV: prop"`
		} `xml:"DAV: propstat"`
	} `xml:"DAV: response"`
}

const calendarQuery = `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"/></C:filter>
</C:calendar-query>`

const addressbookQuery = `<?xml version="1.0" encoding="utf-8"?>
<CR:addressbook-query xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
<D:prop><D:getetag/><CR:address-data/></D:prop>
</CR:addressbook-query>`

// Items reads every item of c with one REPORT (RFC 4791 7.8, RFC 6352 8.6), keeping each
// object's text as the server gave it: nothing is re-serialised on the way through.
func (d *DAV) Items(ctx context.Context, c Collection) ([]Item, error) {
	body := calendarQuery
	if c.Type == AddressBook {
		body = addressbookQuery
	}
	resp, err := d.do(ctx, "REPORT", c.Href, strings.NewReader(body), map[string]string{"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", c.Href, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if resp.StatusCode != http.StatusMultiStatus {
		return nil, fmt.Errorf("list %s: %s", c.Href, serverReason(resp))
	}
	var ms multistatus
	if err := xml.NewDecoder(resp.Body).Decode(&ms); err != nil {
		return nil, fmt.Errorf("list %s: read the answer: %w", c.Href, err)
	}
	var out []Item
	for _, r := range ms.Responses {
		for _, ps := range r.Propstat {
			if !strings.Contains(ps.Status, " 200") {
				continue
			}
			href := r.Href
			if u, err := url.Parse(href); err == nil {
				href = u.Path
			}
			var it Item
			var err error
			if c.Type == AddressBook {
				it, err = contactItem([]byte(ps.Prop.AddressData))
			} else {
				it, err = calendarItem([]byte(ps.Prop.CalendarData))
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", href, err)
			}
			it.Href, it.ETag = href, ps.Prop.ETag
			if it.ETag == "" { // a server that gives no ETag: the text's hash tells a change apart
				it.ETag = "sha256:" + hashOf(it.Data)[:16]
			}
			out = append(out, it)
		}
	}
	return out, nil
}

func (d *DAV) do(ctx context.Context, method, href string, body io.Reader, header map[string]string) (*http.Response, error) {
	u := d.endpoint.ResolveReference(&url.URL{Path: href})
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return d.http.Do(req)
}

// serverReason is the server's answer to a refused request, for reports: the status and
// the start of its text.
func serverReason(resp *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	text := strings.Join(strings.Fields(string(b)), " ")
	if len(text) > 300 {
		text = text[:300] + "…"
	}
	if text == "" {
		return resp.Status
	}
	return resp.Status + ": " + text
}

// ErrChanged is a conditional PUT refused (412): the destination item is not the one the
// ledger knows (changed by someone at the destination, or written by an interrupted run).
var ErrChanged = errors.New("the destination item changed since Cutover wrote it")

// RefusedError is an item the server would not take, with its reason.
type RefusedError struct {
	Reason string
	Status int // the HTTP status of a REST API's refusal (Graph, Google); 0 when unknown
}

func (e *RefusedError) Error() string { return "refused: " + e.Reason }

// NoteError is an item written without something the destination cannot hold.
type NoteError struct{ Reason string }

func (e *NoteError) Error() string { return "copied without: " + e.Reason }

// Ensure finds the destination collection with the source's last path segment under the
// home set, or creates it with an extended MKCOL (RFC 5689) carrying the display name
// and, for a calendar, the components it holds.
func (d *DAV) Ensure(ctx context.Context, src Collection) (Collection, error) {
	dst, err := d.Target(src)
	if err != nil {
		return dst, err
	}
	resp, err := d.do(ctx, "MKCOL", dst.Href, strings.NewReader(mkcolBody(dst)), map[string]string{"Content-Type": "application/xml; charset=utf-8"})
	if err != nil {
		return Collection{}, fmt.Errorf("create %s: %w", dst.Href, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusCreated, resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusMethodNotAllowed: // RFC 4918 9.3.1: it exists
	default:
		return Collection{}, fmt.Errorf("create %s: %s", dst.Href, serverReason(resp))
	}
	return dst, nil
}

// Target is the collection with the source's last path segment under the home set.
func (d *DAV) Target(src Collection) (Collection, error) {
	home := d.calHome
	if src.Type == AddressBook {
		home = d.cardHome
	}
	if home == "" {
		return Collection{}, &RefusedError{Reason: fmt.Sprintf("the destination server keeps no %ss", src.Type)}
	}
	seg := safeSegment(path.Base(strings.TrimSuffix(src.Href, "/")))
	return Collection{Href: strings.TrimSuffix(home, "/") + "/" + seg + "/", Name: src.Name, Type: src.Type, Description: src.Description, Components: src.Components}, nil
}

func mkcolBody(c Collection) string {
	var b strings.Builder
	esc := func(s string) string { var e bytes.Buffer; xml.EscapeText(&e, []byte(s)); return e.String() }
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>`)
	if c.Type == AddressBook {
		b.WriteString(`<D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>`)
	} else {
		b.WriteString(`<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>`)
		if len(c.Components) > 0 {
			b.WriteString(`<C:supported-calendar-component-set>`)
			for _, comp := range c.Components {
				b.WriteString(`<C:comp name="` + esc(comp) + `"/>`)
			}
			b.WriteString(`</C:supported-calendar-component-set>`)
		}
	}
	if c.Name != "" {
		b.WriteString(`<D:displayname>` + esc(c.Name) + `</D:displayname>`)
	}
	b.WriteString(`</D:prop></D:set></D:mkcol>`)
	return b.String()
}

// Put writes one item (RFC 4791 5.3.2, RFC 6352 6.3.2) with If-Match or If-None-Match.
func (d *DAV) Put(ctx context.Context, c Collection, href string, it Item, ifMatch string, create bool) (string, string, error) {
	h := map[string]string{"Content-Type": "text/calendar; charset=utf-8"}
	if it.Kind == KindContact {
		h["Content-Type"] = "text/vcard; charset=utf-8"
	}
	switch {
	case ifMatch != "":
		h["If-Match"] = ifMatch
	case create:
		h["If-None-Match"] = "*"
	}
	resp, err := d.do(ctx, http.MethodPut, href, bytes.NewReader(it.Data), h)
	if err != nil {
		return "", "", fmt.Errorf("put %s: %w", href, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		io.Copy(io.Discard, resp.Body)
		return href, resp.Header.Get("ETag"), nil
	case resp.StatusCode == http.StatusPreconditionFailed:
		return "", "", ErrChanged
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusTooManyRequests:
		return "", "", fmt.Errorf("put %s: %s", href, serverReason(resp))
	}
	return "", "", &RefusedError{Reason: serverReason(resp)}
}

func countKinds(items []Item) map[Kind]int {
	n := map[Kind]int{}
	for _, it := range items {
		n[it.Kind]++
	}
	return n
}

// safeSegment keeps a path segment to characters every server takes in a URL.
func safeSegment(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.', r == '@':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || strings.Trim(b.String(), ".") == "" {
		return "collection"
	}
	return b.String()
}

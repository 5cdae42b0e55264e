package dnsupdate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"cutover/backend/fault"
	"cutover/backend/secrets"
)

// CloudflareAPI is where Cloudflare's API v4 lives.
const CloudflareAPI = "https://api.cloudflare.com/client/v4"

// CloudflareConfig is how Cutover reaches a zone at Cloudflare: an API token allowed
// to edit the zone's DNS (permission Zone › DNS › Edit) and the zone's ID (the
// zone's Overview page shows it).
type CloudflareConfig struct {
	Zone   string         `json:"zone"`   // e.g. acme.example
	ZoneID string         `json:"zoneId"` // 32 hexadecimal digits
	Token  secrets.Secret `json:"token"`
}

// Cloudflare is a zone at Cloudflare, changed through its DNS records API
// (GET/POST /zones/{zone_id}/dns_records, PATCH/DELETE …/dns_records/{id}).
//
// The API changes one record per request, so a plan is not applied atomically: Apply
// first lists every RRset the plan changes and refuses, changing nothing, if any is
// not what the plan saw; then it edits records in place where one value replaces
// another (a name never goes without its MX or CNAME), adds, and deletes last. If a
// request fails midway, the error says what was done (a *PartialError); the plan's
// snapshot rolls it back.
type Cloudflare struct {
	zone, zoneID string
	token        secrets.Secret
	// BaseURL is the API's address (CloudflareAPI; a fake's in tests).
	BaseURL string
	// HTTP sends the requests (a client with a 30 s timeout by default).
	HTTP *http.Client
}

// NewCloudflare checks a configuration and returns its provider; bad input names its
// field (the token is never repeated).
func NewCloudflare(c CloudflareConfig) (*Cloudflare, error) {
	var errs fault.FieldErrors
	zone := canonName(c.Zone)
	if _, ok := dns.IsDomainName(zone); !ok || zone == "" {
		errs = append(errs, &fault.FieldError{Field: "zone", Value: c.Zone, Expected: "the zone's name, e.g. acme.example"})
	}
	id := strings.ToLower(strings.TrimSpace(c.ZoneID))
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		errs = append(errs, &fault.FieldError{Field: "zone id", Value: c.ZoneID, Expected: "the zone ID from the zone's Overview page at Cloudflare: 32 hexadecimal digits"})
	}
	if strings.TrimSpace(c.Token.Reveal()) == "" {
		errs = append(errs, &fault.FieldError{Field: "token", Expected: "an API token with permission Zone › DNS › Edit for this zone"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &Cloudflare{zone: zone, zoneID: id, token: secrets.New(strings.TrimSpace(c.Token.Reveal())), BaseURL: CloudflareAPI,
		HTTP: &http.Client{Timeout: 30 * time.Second}}, nil
}

// cfAutoTTL is what Cloudflare's "automatic" TTL (ttl 1) is for a record it does not
// proxy: 300 s. Read gives it as such, so that plans and diffs speak seconds.
const cfAutoTTL = 300

// cfRecord is a DNS record as the API writes and reads it.
type cfRecord struct {
	ID       string  `json:"id,omitempty"`
	Type     string  `json:"type"`
	Name     string  `json:"name"`
	Content  string  `json:"content"`
	TTL      uint32  `json:"ttl"` // 1: automatic
	Priority *uint16 `json:"priority,omitempty"`
	Proxied  bool    `json:"proxied"`
}

// cfEnvelope is every answer of the API.
type cfEnvelope struct {
	Success    bool            `json:"success"`
	Errors     []cfMessage     `json:"errors"`
	Messages   []cfMessage     `json:"messages"`
	Result     json.RawMessage `json:"result"`
	ResultInfo *cfResultInfo   `json:"result_info,omitempty"`
}

type cfMessage struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type cfResultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

// CloudflareError is an answer of the API that is not a success.
type CloudflareError struct {
	Method, Path string
	Status       int
	Errors       []cfMessage
}

func (e *CloudflareError) Error() string {
	var msgs []string
	for _, m := range e.Errors {
		msgs = append(msgs, fmt.Sprintf("%d %s", m.Code, m.Message))
	}
	if len(msgs) == 0 {
		msgs = append(msgs, http.StatusText(e.Status))
	}
	return fmt.Sprintf("Cloudflare %s %s: HTTP %d: %s", e.Method, e.Path, e.Status, strings.Join(msgs, "; "))
}

// call sends one request and decodes the envelope's result into out (when not nil).
func (c *Cloudflare) call(ctx context.Context, method, path string, query url.Values, body any, out any) (*cfEnvelope, error) {
	u := strings.TrimSuffix(c.BaseURL, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("Cloudflare %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token.Reveal())
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("Cloudflare %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	var env cfEnvelope
	derr := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&env)
	if resp.StatusCode/100 != 2 || !env.Success {
		cerr := &CloudflareError{Method: method, Path: path, Status: resp.StatusCode, Errors: env.Errors}
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			return nil, &RefusedError{Server: "Cloudflare", Reason: cerr.Error(),
				Hint: "check the API token: it must be allowed Zone › DNS › Edit for zone " + c.zone}
		}
		return nil, cerr
	}
	if derr != nil {
		return nil, fmt.Errorf("Cloudflare %s %s: read the answer: %w", method, path, derr)
	}
	if out != nil {
		if err := json.Unmarshal(env.Result, out); err != nil {
			return nil, fmt.Errorf("Cloudflare %s %s: read the result: %w", method, path, err)
		}
	}
	return &env, nil
}

func (c *Cloudflare) recordsPath() string { return "/zones/" + c.zoneID + "/dns_records" }

// list returns every record of one name and type, page after page.
func (c *Cloudflare) list(ctx context.Context, k Key) ([]cfRecord, error) {
	var all []cfRecord
	for page := 1; page <= 1000; page++ {
		q := url.Values{"name": {k.Name}, "type": {k.Type}, "page": {strconv.Itoa(page)}, "per_page": {"100"}}
		var recs []cfRecord
		env, err := c.call(ctx, http.MethodGet, c.recordsPath(), q, nil, &recs)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", describe(k), err)
		}
		all = append(all, recs...)
		if env.ResultInfo == nil || page >= env.ResultInfo.TotalPages || len(recs) == 0 {
			return all, nil
		}
	}
	return nil, fmt.Errorf("read %s: Cloudflare listed more than 1000 pages", describe(k))
}

// value is a record's content as Values hold it.
func (r cfRecord) value() (string, error) {
	switch r.Type {
	case "MX":
		var p uint16
		if r.Priority != nil {
			p = *r.Priority
		}
		return Canon("MX", fmt.Sprintf("%d %s", p, dns.Fqdn(r.Content)))
	case "CNAME":
		return Canon("CNAME", dns.Fqdn(r.Content))
	case "TXT":
		// Content is the text itself, or (as the dashboard now writes it) quoted
		// character-strings.
		if strings.HasPrefix(r.Content, `"`) {
			if v, err := Canon("TXT", r.Content); err == nil {
				return v, nil
			}
		}
		return Canon("TXT", txtValue(r.Content))
	}
	return Canon(r.Type, r.Content)
}

// cfContent is a record of the set as the API's request body.
func cfContent(s RRset, value string) (cfRecord, error) {
	rr, err := toRR(s, value)
	if err != nil {
		return cfRecord{}, err
	}
	rec := cfRecord{Type: s.Type, Name: s.Name, TTL: s.TTL}
	switch r := rr.(type) {
	case *dns.MX:
		p := r.Preference
		rec.Content, rec.Priority = strings.TrimSuffix(r.Mx, "."), &p
	case *dns.CNAME:
		rec.Content = strings.TrimSuffix(r.Target, ".")
	case *dns.TXT:
		rec.Content = joinTXT(r.Txt)
		if len(r.Txt) > 1 {
			rec.Content = value // keep the boundaries of the character-strings
		}
	default:
		rec.Content = value
	}
	return rec, nil
}

// rrset is listed records as one RRset; ids maps each value to its records' IDs.
func rrset(k Key, recs []cfRecord) (RRset, map[string][]cfRecord, error) {
	s := RRset{Name: k.Name, Type: k.Type}
	ids := map[string][]cfRecord{}
	for _, r := range recs {
		if canonName(r.Name) != k.Name || r.Type != k.Type {
			continue
		}
		v, err := r.value()
		if err != nil {
			return s, nil, fmt.Errorf("%s record %s: %w", describe(k), r.ID, err)
		}
		if len(ids[v]) == 0 {
			s.Values = append(s.Values, v)
		}
		ids[v] = append(ids[v], r)
		ttl := r.TTL
		if ttl == 1 {
			ttl = cfAutoTTL
		}
		if s.TTL == 0 || ttl < s.TTL {
			s.TTL = ttl // records of one set with differing TTLs: the lowest counts (RFC 2181 §5.2)
		}
	}
	return s, ids, nil
}

// Read lists the records of each key.
func (c *Cloudflare) Read(ctx context.Context, keys []Key) ([]RRset, error) {
	out := make([]RRset, 0, len(keys))
	for _, k := range keys {
		recs, err := c.list(ctx, k)
		if err != nil {
			return nil, err
		}
		s, _, err := rrset(k, recs)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// PartialError is a plan applied in part: a request failed after others succeeded.
type PartialError struct {
	Done []string // the record changes made, in order
	Err  error    // why the next one failed
}

func (e *PartialError) Error() string {
	done := "none"
	if len(e.Done) > 0 {
		done = strings.Join(e.Done, "; ")
	}
	return fmt.Sprintf("the plan was applied in part (done: %s): %v; roll back, or make the plan again", done, e.Err)
}

func (e *PartialError) Unwrap() error { return e.Err }

// FaultKind: some of the work was done.
func (e *PartialError) FaultKind() fault.Kind { return fault.KindPartial }

// cfOp is one request of an Apply.
type cfOp struct {
	method, id, what string
	body             *cfRecord
}

// Apply compares every RRset with the plan's old records, then makes the changes.
func (c *Cloudflare) Apply(ctx context.Context, p Plan) error {
	if p.Empty() {
		return nil
	}
	if canonName(p.Zone) != c.zone {
		return fmt.Errorf("a plan for zone %s cannot be applied to zone %s", p.Zone, c.zone)
	}
	var now []RRset
	var ids []map[string][]cfRecord
	for _, ch := range p.Changes {
		if !inZone(ch.Old.Name, c.zone) || ch.Old.Key() != ch.New.Key() {
			return fmt.Errorf("change of %s: not an RRset of zone %s", describe(ch.New.Key()), c.zone)
		}
		recs, err := c.list(ctx, ch.Old.Key())
		if err != nil {
			return err
		}
		set, byValue, err := rrset(ch.Old.Key(), recs)
		if err != nil {
			return err
		}
		now, ids = append(now, set), append(ids, byValue)
	}
	if stale := staleRecords(p, now); len(stale) > 0 {
		return &StaleError{Zone: c.zone, Records: stale}
	}
	var ops, deletes []cfOp
	for i, ch := range p.Changes {
		o, d, err := cfOps(ch, ids[i])
		if err != nil {
			return err
		}
		ops, deletes = append(ops, o...), append(deletes, d...)
	}
	var done []string
	for _, op := range append(ops, deletes...) {
		path := c.recordsPath()
		if op.id != "" {
			path += "/" + op.id
		}
		var body any
		if op.body != nil {
			body = op.body
		}
		if _, err := c.call(ctx, op.method, path, nil, body, nil); err != nil {
			if len(done) == 0 {
				return err
			}
			return &PartialError{Done: done, Err: err}
		}
		done = append(done, op.what)
	}
	return nil
}

// cfOps are the requests that turn one RRset into the new one: edits and additions,
// and deletions (made after every edit and addition of the plan).
func cfOps(ch Change, ids map[string][]cfRecord) (ops, deletes []cfOp, err error) {
	var removed, added []string
	for _, v := range ch.Old.Values {
		if !containsValue(ch.New.Values, v) {
			removed = append(removed, v)
		}
	}
	for _, v := range ch.New.Values {
		if !containsValue(ch.Old.Values, v) {
			added = append(added, v)
		} else if ch.New.TTL != ch.Old.TTL || anyTTL(ids[v], ch.New.TTL) {
			for _, r := range ids[v] {
				b, err := cfContent(ch.New, v)
				if err != nil {
					return nil, nil, err
				}
				ops = append(ops, cfOp{method: http.MethodPatch, id: r.ID, body: &b, what: fmt.Sprintf("%s %s TTL %d", ch.New.Type, ch.New.Name, ch.New.TTL)})
			}
		}
	}
	for i, v := range added {
		b, err := cfContent(ch.New, v)
		if err != nil {
			return nil, nil, err
		}
		if i < len(removed) {
			// One value in place of another: the same record, edited.
			r := ids[removed[i]][0]
			ops = append(ops, cfOp{method: http.MethodPatch, id: r.ID, body: &b, what: fmt.Sprintf("%s %s %s → %s", ch.New.Type, ch.New.Name, removed[i], v)})
			continue
		}
		ops = append(ops, cfOp{method: http.MethodPost, body: &b, what: fmt.Sprintf("%s %s added %s", ch.New.Type, ch.New.Name, v)})
	}
	for i, v := range removed {
		for j, r := range ids[v] {
			if i < len(added) && j == 0 {
				continue // edited above
			}
			deletes = append(deletes, cfOp{method: http.MethodDelete, id: r.ID, what: fmt.Sprintf("%s %s removed %s", ch.Old.Type, ch.Old.Name, v)})
		}
	}
	return ops, deletes, nil
}

// anyTTL reports whether a record of recs has a TTL other than ttl.
func anyTTL(recs []cfRecord, ttl uint32) bool {
	for _, r := range recs {
		if r.TTL != ttl && !(r.TTL == 1 && ttl == cfAutoTTL) {
			return true
		}
	}
	return false
}

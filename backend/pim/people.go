package pim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Google Contacts as a destination, through the People API v1
// (https://developers.google.com/people/api/rest/v1/people): people.createContact,
// people.updateContact, people.updateContactPhoto, people.connections.list and the
// contactGroups methods, with plain JSON over the authorised client.
//
// A Google user has one list of contacts; a source address book becomes a label (a
// user contact group) of its name, except the book every server makes by default
// ("Contacts", "Default", "Kontakte"...), whose contacts land in the list unlabelled.
// A contact's CATEGORIES become labels too (Google's own vCard export writes its labels
// there).
//
// The source UID is kept in the contact's clientData (key googleUIDKey). The first write
// of a run lists the destination's contacts once (connections.list, every page) into an
// index by that UID, so a run killed between a create and its ledger entry finds its
// copy and updates it instead of making a second one. An update carries the etag the
// ledger holds: if someone changed the contact at the destination since, Google answers
// 400 FAILED_PRECONDITION and the item is reported, not overwritten (the DAV
// destination's If-Match).
//
// Google asks that a user's mutate requests be sent one at a time ("Mutate requests
// for the same user should be sent sequentially to avoid increased latency and
// failures"), so contact writes are serialised whatever the copier's workers; a 429
// RESOURCE_EXHAUSTED is waited out (Retry-After, else exponential backoff) and tried
// again.

const (
	// googleUIDKey is the clientData key holding the source UID.
	googleUIDKey = "cutover-uid"
	// googleAllContacts is the destination Href of a default address book: the
	// user's contacts, no label.
	googleAllContacts = "people/me/connections"
	googleMyContacts  = "contactGroups/myContacts"
	googleStarred     = "contactGroups/starred"
	// googleWriteFields are the Person fields Cutover writes; an update replaces them.
	googleWriteFields = "names,nicknames,emailAddresses,phoneNumbers,addresses,organizations,birthdays,urls,biographies,clientData"
	// googleIndexFields are read back: the UID, the labels and the etag.
	googleIndexFields = "clientData,memberships,metadata,names"
	// googleRetries is how often a throttled request is tried again.
	googleRetries = 6
)

// GoogleGroupRefused is why a contact group (KIND:group) is not copied to Google.
const GoogleGroupRefused = "contact groups (KIND:group) are not copied to Google Contacts: create a label of that name and add its members in Google Contacts"

// googlePeopleForbidden is what to do when Google refuses the People API (403).
const googlePeopleForbidden = "Google refused the People API: the destination's sign-in must hold the https://www.googleapis.com/auth/contacts scope " +
	"(a service account: list it in the domain-wide delegation, Admin console → Security → API controls; a per-user sign-in: sign in again) " +
	"and the People API must be enabled in the Google Cloud project"

// googleDefaultBooks are the names servers give the address book they make for every
// user; such a book maps to the contact list itself, not to a label.
var googleDefaultBooks = map[string]bool{
	"contacts": true, "default": true, "kontakte": true, "address book": true, "addressbook": true,
	"adressbuch": true, "personal": true, "personal address book": true, "my contacts": true,
	"card": true, "contactos": true, "contatti": true, "contacten": true, "kontakty": true,
	"carnet d'adresses": true,
}

func googleDefaultBook(name string) bool {
	return googleDefaultBooks[strings.ToLower(strings.TrimSpace(name))]
}

// googlePhoneTypes pairs the People API's phone types with vCard TEL types
// (https://developers.google.com/people/api/rest/v1/people#phonenumber): GoogleSource
// reads them one way, the destination writes them the other, first match first.
var googlePhoneTypes = []struct{ google, vcard string }{
	{"mobile", "CELL"}, {"workFax", "WORK,FAX"}, {"homeFax", "HOME,FAX"}, {"otherFax", "FAX"},
	{"pager", "PAGER"}, {"work", "WORK,VOICE"}, {"home", "HOME,VOICE"},
}

// googlePhoneType is the People API type of a TEL with these (lower-case) vCard types;
// "" when none fits (Google then shows no type).
func googlePhoneType(types []string) string {
	for _, t := range googlePhoneTypes {
		all := true
		for _, need := range strings.Split(strings.ToLower(t.vcard), ",") {
			all = all && (need == "voice" || slices.Contains(types, need))
		}
		if all {
			return t.google
		}
	}
	return ""
}

// googleLabel is the People API type ("work", "home") of an e-mail address, postal
// address or URL with these vCard types, else fallback.
func googleLabel(types []string, fallback string) string {
	for _, t := range types {
		if t := strings.ToLower(t); t == "work" || t == "home" {
			return t
		}
	}
	return fallback
}

// googleReadPerson is what Cutover reads of a person.
type googleReadPerson struct {
	ResourceName string `json:"resourceName"`
	Etag         string `json:"etag"`
	Names        []struct {
		DisplayName      string `json:"displayName"`
		UnstructuredName string `json:"unstructuredName"`
	} `json:"names"`
	ClientData []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"clientData"`
	Memberships []struct {
		ContactGroupMembership *struct {
			ContactGroupResourceName string `json:"contactGroupResourceName"`
		} `json:"contactGroupMembership"`
	} `json:"memberships"`
}

func (p googleReadPerson) uid() string {
	for _, d := range p.ClientData {
		if d.Key == googleUIDKey {
			return d.Value
		}
	}
	return ""
}

func (p googleReadPerson) groups() []string {
	var out []string
	for _, m := range p.Memberships {
		if m.ContactGroupMembership != nil {
			out = append(out, m.ContactGroupMembership.ContactGroupResourceName)
		}
	}
	return out
}

func (p googleReadPerson) name() string {
	for _, n := range p.Names {
		if n.DisplayName != "" {
			return n.DisplayName
		}
		if n.UnstructuredName != "" {
			return n.UnstructuredName
		}
	}
	return ""
}

// peopleCall sends one People API request. A 429 (RESOURCE_EXHAUSTED) is waited out and
// sent again, up to googleRetries times; a 400 FAILED_PRECONDITION (the etag is not the
// contact's any more) and a 404 on an update (the contact was deleted) are ErrChanged; a 403 stops the pass saying which scope and
// delegation Google wants. The rest is callJSON's.
func (g *Google) peopleCall(ctx context.Context, method, u string, in, out any) error {
	for try := 0; ; try++ {
		resp, err := sendJSON(ctx, g.HTTP, method, u, in, nil)
		if err != nil {
			return err
		}
		if resp.StatusCode < 400 {
			err := readJSON(method, u, resp, out)
			resp.Body.Close()
			return err
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		status := googleErrorStatus(b)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests || status == "RESOURCE_EXHAUSTED":
			if try == googleRetries {
				return fmt.Errorf("%s %s: still throttled after %d tries: %s", method, u, try+1, serverReason(resp))
			}
			if err := g.wait(ctx, retryAfter(resp.Header.Get("Retry-After"), try)); err != nil {
				return err
			}
			continue
		case resp.StatusCode == http.StatusBadRequest && status == "FAILED_PRECONDITION",
			resp.StatusCode == http.StatusNotFound && method == http.MethodPatch:
			// The contact is not the one Cutover wrote, or was deleted in Google
			// Contacts: as a DAV destination's 412, it is left as it is.
			return ErrChanged
		case resp.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%s %s: %s: %s", method, u, serverReason(resp), googlePeopleForbidden)
		}
		return readJSON(method, u, resp, out)
	}
}

// googleErrorStatus is the canonical status of a Google error answer
// ({"error": {"status": "FAILED_PRECONDITION"}}, https://cloud.google.com/apis/design/errors).
func googleErrorStatus(body []byte) string {
	var e struct {
		Error struct {
			Status string `json:"status"`
		} `json:"error"`
	}
	json.Unmarshal(body, &e)
	return e.Error.Status
}

// retryAfter is the wait before try+1: the server's Retry-After (seconds or a date),
// else Google's truncated exponential backoff (1, 2, 4 ... 64 s).
func retryAfter(header string, try int) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(header)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(header); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
		return 0
	}
	return time.Duration(1<<min(try, 6)) * time.Second
}

func (g *Google) wait(ctx context.Context, d time.Duration) error {
	if g.Sleep != nil {
		return g.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// peopleList follows nextPageToken; key is the JSON field holding a page's entries.
func (g *Google) peopleList(ctx context.Context, u, key string, each func(json.RawMessage) error) error {
	token := ""
	for {
		v := u
		if token != "" {
			v += sep(u) + "pageToken=" + url.QueryEscape(token)
		}
		var page map[string]json.RawMessage
		if err := g.peopleCall(ctx, http.MethodGet, v, nil, &page); err != nil {
			return err
		}
		var entries []json.RawMessage
		if raw, ok := page[key]; ok {
			if err := json.Unmarshal(raw, &entries); err != nil {
				return fmt.Errorf("read %s: %w", u, err)
			}
		}
		for _, e := range entries {
			if err := each(e); err != nil {
				return err
			}
		}
		token = ""
		if raw, ok := page["nextPageToken"]; ok {
			json.Unmarshal(raw, &token)
		}
		if token == "" {
			return nil
		}
	}
}

// listPeople reads every contact of the user (connections.list).
func (g *Google) listPeople(ctx context.Context, each func(googleReadPerson)) error {
	u := g.PeopleBase + "/people/me/connections?personFields=" + url.QueryEscape(googleIndexFields) + "&pageSize=1000"
	err := g.peopleList(ctx, u, "connections", func(raw json.RawMessage) error {
		var p googleReadPerson
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		each(p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list the Google contacts: %w", err)
	}
	return nil
}

// peopleIndex is the destination's contacts by source UID, listed on the first call of
// the run. The caller holds g.pmu.
func (g *Google) peopleIndex(ctx context.Context) (map[string]googleReadPerson, error) {
	if g.people != nil {
		return g.people, nil
	}
	idx := map[string]googleReadPerson{}
	err := g.listPeople(ctx, func(p googleReadPerson) {
		if uid := p.uid(); uid != "" {
			idx[uid] = p
		}
	})
	if err != nil {
		return nil, err
	}
	g.people = idx
	return idx, nil
}

// group is the resource name of the label called name, created when missing and
// create is set ("" when missing). Google's vCard export names its system groups
// myContacts and starred in CATEGORIES: those are the system groups. The caller holds
// g.pmu.
func (g *Google) group(ctx context.Context, name string, create bool) (string, error) {
	switch name {
	case "myContacts":
		return googleMyContacts, nil
	case "starred":
		return googleStarred, nil
	}
	if g.groups == nil {
		if err := g.loadGroups(ctx); err != nil {
			return "", err
		}
	}
	if rn := g.groups[name]; rn != "" || !create {
		return rn, nil
	}
	var made struct {
		ResourceName string `json:"resourceName"`
	}
	err := g.peopleCall(ctx, http.MethodPost, g.PeopleBase+"/contactGroups", map[string]any{"contactGroup": map[string]string{"name": name}}, &made)
	var refused *RefusedError
	if errors.As(err, &refused) {
		// 409: a label of that name was made meanwhile (in Google Contacts, by
		// another run). Read them again.
		if err := g.loadGroups(ctx); err != nil {
			return "", err
		}
		if rn := g.groups[name]; rn != "" {
			return rn, nil
		}
		return "", &RefusedError{Reason: fmt.Sprintf("the label %q: %s", name, refused.Reason)}
	}
	if err != nil {
		return "", fmt.Errorf("create the label %q: %w", name, err)
	}
	g.groups[name] = made.ResourceName
	return made.ResourceName, nil
}

// loadGroups reads the user's labels (contactGroups.list, user groups only).
func (g *Google) loadGroups(ctx context.Context) error {
	groups := map[string]string{}
	err := g.peopleList(ctx, g.PeopleBase+"/contactGroups?groupFields=name,groupType&pageSize=1000", "contactGroups", func(raw json.RawMessage) error {
		var cg struct{ ResourceName, Name, GroupType string }
		if err := json.Unmarshal(raw, &cg); err != nil {
			return err
		}
		if cg.GroupType == "USER_CONTACT_GROUP" {
			groups[cg.Name] = cg.ResourceName
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list the Google contact labels: %w", err)
	}
	g.groups = groups
	return nil
}

// putContact creates or updates one contact (see the comment at the top).
func (g *Google) putContact(ctx context.Context, c Collection, href string, it Item, ifMatch string, create bool) (string, string, error) {
	if g.PeopleBase == "" {
		return "", "", &RefusedError{Reason: GoogleContactsRefused}
	}
	ct, err := ParseContact(it)
	if err != nil {
		return "", "", &RefusedError{Reason: "unreadable vCard: " + err.Error()}
	}
	if ct.Group {
		return "", "", &RefusedError{Reason: GoogleGroupRefused}
	}
	g.pmu.Lock()
	defer g.pmu.Unlock()
	idx, err := g.peopleIndex(ctx)
	if err != nil {
		return "", "", err
	}
	labels := ct.Categories
	if c.Href != googleAllContacts {
		labels = append([]string{c.Name}, labels...)
	}
	groups := []string{googleMyContacts}
	for _, name := range labels {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		rn, err := g.group(ctx, name, true)
		if err != nil {
			return "", "", err
		}
		if rn != "" && !slices.Contains(groups, rn) {
			groups = append(groups, rn)
		}
	}
	body, notes := googlePersonBody(ct)
	rn, etag := "", ""
	found, ok := idx[ct.UID]
	switch {
	case ifMatch != "" && strings.HasPrefix(href, "people/"):
		rn, etag = href, ifMatch // over the version Cutover wrote, or not at all
	case ok && create:
		return "", "", ErrChanged // an interrupted run's copy: the copier writes over it
	case ok:
		rn, etag = found.ResourceName, found.Etag
	}
	var got googleReadPerson
	if rn == "" {
		var ms []any
		for _, grp := range groups {
			ms = append(ms, map[string]any{"contactGroupMembership": map[string]string{"contactGroupResourceName": grp}})
		}
		body["memberships"] = ms
		err = g.peopleCall(ctx, http.MethodPost, g.PeopleBase+"/people:createContact?personFields="+url.QueryEscape(googleIndexFields), body, &got)
	} else {
		// The labels are left as they are at the destination (updatePersonFields has
		// no memberships); missing ones are added below.
		body["resourceName"], body["etag"] = rn, etag
		err = g.peopleCall(ctx, http.MethodPatch, g.PeopleBase+"/"+rn+":updateContact?updatePersonFields="+url.QueryEscape(googleWriteFields)+
			"&personFields="+url.QueryEscape(googleIndexFields), body, &got)
	}
	if err != nil {
		return "", "", err
	}
	idx[ct.UID] = got
	if got, err = g.addToGroups(ctx, got, groups); err != nil {
		return got.ResourceName, got.Etag, err
	}
	idx[ct.UID] = got
	if len(ct.Photo) > 0 {
		var ph struct {
			Person googleReadPerson `json:"person"`
		}
		err := g.peopleCall(ctx, http.MethodPatch, g.PeopleBase+"/"+got.ResourceName+":updateContactPhoto",
			map[string]string{"photoBytes": base64.StdEncoding.EncodeToString(ct.Photo), "personFields": googleIndexFields}, &ph)
		var refused *RefusedError
		switch {
		case errors.As(err, &refused):
			notes = append(notes, "photo refused: "+refused.Reason)
		case err != nil:
			return got.ResourceName, got.Etag, err
		default:
			got = ph.Person // the photo moved the etag
			idx[ct.UID] = got
		}
	}
	if len(notes) > 0 {
		return got.ResourceName, got.Etag, &NoteError{Reason: strings.Join(notes, "; ")}
	}
	return got.ResourceName, got.Etag, nil
}

// addToGroups adds a contact Cutover updated to the labels it lacks
// (contactGroups.members.modify) and reads its new etag.
func (g *Google) addToGroups(ctx context.Context, p googleReadPerson, groups []string) (googleReadPerson, error) {
	have := p.groups()
	added := false
	for _, grp := range groups {
		if slices.Contains(have, grp) {
			continue
		}
		body := map[string][]string{"resourceNamesToAdd": {p.ResourceName}}
		if err := g.peopleCall(ctx, http.MethodPost, g.PeopleBase+"/"+grp+"/members:modify", body, nil); err != nil {
			return p, fmt.Errorf("add %s to %s: %w", p.ResourceName, grp, err)
		}
		added = true
	}
	if !added {
		return p, nil
	}
	var cur googleReadPerson
	if err := g.peopleCall(ctx, http.MethodGet, g.PeopleBase+"/"+p.ResourceName+"?personFields="+url.QueryEscape(googleIndexFields), nil, &cur); err != nil {
		return p, err
	}
	return cur, nil
}

// contactItems lists the contacts of an address book's destination: the label's
// members, or every contact for a book that maps to no label.
func (g *Google) contactItems(ctx context.Context, c Collection) ([]Item, error) {
	if g.PeopleBase == "" {
		return nil, nil
	}
	g.pmu.Lock()
	defer g.pmu.Unlock()
	label := ""
	if c.Href != googleAllContacts {
		var err error
		if label, err = g.group(ctx, c.Name, false); err != nil || label == "" {
			return nil, err
		}
	}
	var out []Item
	err := g.listPeople(ctx, func(p googleReadPerson) {
		if label == "" || slices.Contains(p.groups(), label) {
			out = append(out, Item{Href: p.ResourceName, ETag: p.Etag, UID: p.uid(), Kind: KindContact, Summary: p.name()})
		}
	})
	return out, err
}

// contactCollections is the contact list and each label.
func (g *Google) contactCollections(ctx context.Context) ([]Collection, error) {
	if g.PeopleBase == "" {
		return nil, nil
	}
	g.pmu.Lock()
	defer g.pmu.Unlock()
	if err := g.loadGroups(ctx); err != nil {
		return nil, err
	}
	out := []Collection{{Href: googleAllContacts, Name: "Contacts", Type: AddressBook}}
	for name := range g.groups {
		out = append(out, Collection{Href: name, Name: name, Type: AddressBook})
	}
	slices.SortFunc(out[1:], func(a, b Collection) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// googlePersonBody is the People API Person of a contact
// (https://developers.google.com/people/api/rest/v1/people#Person), without its
// memberships, and what it leaves out.
func googlePersonBody(c Contact) (map[string]any, []string) {
	var notes []string
	p := map[string]any{"clientData": []any{map[string]string{"key": googleUIDKey, "value": c.UID}}}
	put := func(field string, entries []any) {
		if len(entries) > 0 {
			p[field] = entries
		}
	}
	name := map[string]any{}
	for k, v := range map[string]string{"givenName": c.Given, "familyName": c.Family, "middleName": c.Middle,
		"honorificPrefix": c.Prefix, "honorificSuffix": c.Suffix} {
		if v != "" {
			name[k] = v
		}
	}
	if len(name) == 0 && c.FormattedName != "" {
		name["unstructuredName"] = c.FormattedName
	}
	if len(name) > 0 {
		p["names"] = []any{name}
	}
	var nicks, emails, phones, addrs, urls []any
	for _, n := range c.Nicknames {
		nicks = append(nicks, map[string]string{"value": n})
	}
	for i, e := range c.Emails {
		m := map[string]string{"value": e}
		if i < len(c.EmailTypes) {
			if t := googleLabel(c.EmailTypes[i], ""); t != "" {
				m["type"] = t
			}
		}
		emails = append(emails, m)
	}
	for _, ph := range c.Phones {
		m := map[string]string{"value": ph.Number}
		if t := googlePhoneType(ph.Types); t != "" {
			m["type"] = t
		}
		phones = append(phones, m)
	}
	for _, a := range c.Addresses {
		m := map[string]string{}
		for k, v := range map[string]string{"streetAddress": a.Street, "extendedAddress": a.Extended, "poBox": a.POBox,
			"city": a.City, "region": a.Region, "postalCode": a.PostalCode, "country": a.Country, "type": googleLabel(a.Types, "")} {
			if v != "" {
				m[k] = v
			}
		}
		addrs = append(addrs, m)
	}
	for _, u := range c.URLs {
		urls = append(urls, map[string]string{"value": u})
	}
	put("nicknames", nicks)
	put("emailAddresses", emails)
	put("phoneNumbers", phones)
	put("addresses", addrs)
	put("urls", urls)
	if c.Org != "" || c.Department != "" || c.Title != "" {
		org := map[string]string{}
		for k, v := range map[string]string{"name": c.Org, "department": c.Department, "title": c.Title} {
			if v != "" {
				org[k] = v
			}
		}
		p["organizations"] = []any{org}
	}
	if c.Birthday != "" {
		if d, ok := googleDate(c.Birthday); ok {
			p["birthdays"] = []any{map[string]any{"date": d}}
		} else {
			notes = append(notes, fmt.Sprintf("birthday %q is not a date Google takes", c.Birthday))
		}
	}
	if c.Note != "" {
		p["biographies"] = []any{map[string]string{"value": c.Note, "contentType": "TEXT_PLAIN"}}
	}
	if len(c.Other) > 0 {
		notes = append(notes, "Google Contacts has no field for "+strings.Join(c.Other, ", "))
	}
	return p, notes
}

// googleDate is a vCard BDAY (RFC 6350 4.3.1: 1984-02-29, 19840229, --0612 without a
// year, a date-time) as a People API Date ({year, month, day}; no year for --MMDD).
func googleDate(v string) (map[string]int, bool) {
	v, _, _ = strings.Cut(strings.TrimSpace(v), "T")
	if md, ok := strings.CutPrefix(v, "--"); ok {
		t, err := time.Parse("0102", strings.ReplaceAll(md, "-", ""))
		if err != nil {
			return nil, false
		}
		return map[string]int{"month": int(t.Month()), "day": t.Day()}, true
	}
	for _, layout := range []string{"2006-01-02", "20060102"} {
		if t, err := time.Parse(layout, v); err == nil {
			return map[string]int{"year": t.Year(), "month": int(t.Month()), "day": t.Day()}, true
		}
	}
	return nil, false
}

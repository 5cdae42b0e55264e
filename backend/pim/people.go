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
// there). A contact group (vCard 4.0 KIND:group with MEMBER, Apple's
// X-ADDRESSBOOKSERVER-KIND:group with X-ADDRESSBOOKSERVER-MEMBER) becomes a label of its
// name holding its members (putGroup); the copier writes groups after the other contacts
// of their address book, so the members are there.
//
// vCard properties the Person has a field for go there (IMPP and X-SKYPE... to
// imClients, SIP to sipAddresses, Apple's related names and Outlook's X-MS-SPOUSE... to
// relations, anniversaries to events); the other text properties become custom fields
// (userDefined) named after the property or its X-ABLabel. Only binary ones are noted.
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
	googleWriteFields = "names,nicknames,emailAddresses,phoneNumbers,addresses,organizations,birthdays,urls,biographies,clientData," +
		"imClients,sipAddresses,relations,events,genders,userDefined"
	// googleIndexFields are read back: the UID, the labels, the addresses (a group's
	// mailto: members) and the etag.
	googleIndexFields = "clientData,emailAddresses,memberships,metadata,names"
	// googleGroupBookKey is the clientData key of a label made for a contact group that
	// names the destination address book the group belongs to (its Href).
	googleGroupBookKey = "cutover-book"
	// googleMembersPerCall is how many contacts one contactGroups.members.modify adds
	// at most ("must be less than or equal to 1000").
	googleMembersPerCall = 1000
	// googleRetries is how often a throttled request is tried again.
	googleRetries = 6
)

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
	EmailAddresses []struct {
		Value string `json:"value"`
	} `json:"emailAddresses"`
	Memberships []googleMembership `json:"memberships"`
}

// googleMembership is a Person's membership of a contact group.
type googleMembership struct {
	ContactGroupMembership *struct {
		ContactGroupResourceName string `json:"contactGroupResourceName"`
	} `json:"contactGroupMembership"`
}

// googleGroupTag is what a label made for a contact group keeps in its clientData: the
// group's source UID and the destination address book it belongs to.
type googleGroupTag struct{ UID, Book string }

// member adds the label to the person's memberships as Google does on members.modify.
func (p googleReadPerson) member(label string) googleReadPerson {
	var m googleMembership
	m.ContactGroupMembership = &struct {
		ContactGroupResourceName string `json:"contactGroupResourceName"`
	}{label}
	p.Memberships = append(slices.Clip(p.Memberships), m)
	return p
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
	return googlePages(u, key, func(v string, page any) error { return g.peopleCall(ctx, http.MethodGet, v, nil, page) }, each)
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
	g.people, g.byRN, g.emails = map[string]googleReadPerson{}, map[string]googleReadPerson{}, map[string]string{}
	if err := g.listPeople(ctx, g.learn); err != nil {
		g.people = nil
		return nil, err
	}
	return g.people, nil
}

// learn keeps what the run knows of a contact: by UID when Cutover copied it, by
// resource name and by address. The caller holds g.pmu and has the index.
func (g *Google) learn(p googleReadPerson) {
	if uid := p.uid(); uid != "" {
		g.people[uid] = p
	}
	g.byRN[p.ResourceName] = p
	for _, e := range p.EmailAddresses {
		if a := strings.ToLower(strings.TrimSpace(e.Value)); a != "" && g.emails[a] == "" {
			g.emails[a] = p.ResourceName
		}
	}
}

// group is the resource name of the label called name, created when missing and
// create is set ("" when missing). Google's vCard export names its system groups
// myContacts and starred in CATEGORIES: those are the system groups. The caller holds
// g.pmu.
func (g *Google) group(ctx context.Context, name string, create bool) (string, error) {
	return g.label(ctx, name, create, nil)
}

// label is group; a label it creates for a contact group keeps tag in its clientData.
func (g *Google) label(ctx context.Context, name string, create bool, tag *googleGroupTag) (string, error) {
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
	cg := map[string]any{"name": name}
	if tag != nil {
		cg["clientData"] = []any{map[string]string{"key": googleUIDKey, "value": tag.UID}, map[string]string{"key": googleGroupBookKey, "value": tag.Book}}
	}
	err := g.peopleCall(ctx, http.MethodPost, g.PeopleBase+"/contactGroups", map[string]any{"contactGroup": cg}, &made)
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
	if tag != nil {
		g.groupTags[made.ResourceName] = *tag
	}
	return made.ResourceName, nil
}

// loadGroups reads the user's labels (contactGroups.list, user groups only).
func (g *Google) loadGroups(ctx context.Context) error {
	groups, tags := map[string]string{}, map[string]googleGroupTag{}
	err := g.peopleList(ctx, g.PeopleBase+"/contactGroups?groupFields=name,groupType,clientData&pageSize=1000", "contactGroups", func(raw json.RawMessage) error {
		var cg struct {
			ResourceName, Name, GroupType string
			ClientData                    []struct{ Key, Value string }
		}
		if err := json.Unmarshal(raw, &cg); err != nil {
			return err
		}
		if cg.GroupType != "USER_CONTACT_GROUP" {
			return nil
		}
		groups[cg.Name] = cg.ResourceName
		var tag googleGroupTag
		for _, d := range cg.ClientData {
			switch d.Key {
			case googleUIDKey:
				tag.UID = d.Value
			case googleGroupBookKey:
				tag.Book = d.Value
			}
		}
		if tag.UID != "" {
			tags[cg.ResourceName] = tag
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list the Google contact labels: %w", err)
	}
	g.groups, g.groupTags = groups, tags
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
		return g.putGroup(ctx, c, ct)
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
		// Over the version Cutover wrote, or not at all.
		rn = href
		if etag, err = g.writtenEtag(ctx, href, ifMatch, found, ok); err != nil {
			return "", "", err
		}
	case ok && create:
		return "", "", ErrChanged // an interrupted run's copy: the copier writes over it
	case ok:
		rn, etag = found.ResourceName, found.Etag
		if etag == "" { // moved by a members.modify of this run: read it
			var cur googleReadPerson
			if err := g.peopleCall(ctx, http.MethodGet, g.PeopleBase+"/"+rn+"?personFields="+url.QueryEscape(googleIndexFields), nil, &cur); err != nil {
				return "", "", fmt.Errorf("read %s: %w", rn, err)
			}
			etag = cur.Etag
		}
	}
	var raw json.RawMessage
	readFields := url.QueryEscape(googleIndexFields + "," + googleWriteFields)
	if rn == "" {
		var ms []any
		for _, grp := range groups {
			ms = append(ms, map[string]any{"contactGroupMembership": map[string]string{"contactGroupResourceName": grp}})
		}
		body["memberships"] = ms
		err = g.peopleCall(ctx, http.MethodPost, g.PeopleBase+"/people:createContact?personFields="+readFields, body, &raw)
	} else {
		// The labels are left as they are at the destination (updatePersonFields has
		// no memberships); missing ones are added below.
		body["resourceName"], body["etag"] = rn, etag
		err = g.peopleCall(ctx, http.MethodPatch, g.PeopleBase+"/"+rn+":updateContact?updatePersonFields="+url.QueryEscape(googleWriteFields)+
			"&personFields="+readFields, body, &raw)
	}
	if err != nil {
		return "", "", err
	}
	var got googleReadPerson
	if err := json.Unmarshal(raw, &got); err != nil {
		return "", "", fmt.Errorf("read the contact Google wrote: %w", err)
	}
	sum := googleWrittenSum(raw)
	g.learn(got)
	if got, err = g.addToGroups(ctx, got, groups); err != nil {
		return got.ResourceName, got.Etag, err
	}
	g.learn(got)
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
			g.learn(got)
		}
	}
	if len(notes) > 0 {
		return got.ResourceName, got.Etag + googleSumSep + sum, &NoteError{Reason: strings.Join(notes, "; ")}
	}
	return got.ResourceName, got.Etag + googleSumSep + sum, nil
}

// googleSumSep joins a contact's etag and the sum of the fields Cutover wrote in the
// ledger's destination ETag.
const googleSumSep = "|"

// writtenEtag is the etag to update a contact Cutover wrote with, from the ledger's
// destination ETag (etag|sum). Google moves a contact's etag when it joins a label
// (contactGroups.members.modify, a contact group copied after it) or gets its photo:
// when the etag moved but the fields Cutover writes are as it wrote them (same sum), the
// contact's current etag is taken; when they changed, someone edited the contact in
// Google Contacts: ErrChanged, it is left as it is.
func (g *Google) writtenEtag(ctx context.Context, rn, ifMatch string, found googleReadPerson, listed bool) (string, error) {
	etag, sum, _ := strings.Cut(ifMatch, googleSumSep)
	if sum == "" || !listed || found.ResourceName != rn || found.Etag == etag {
		return etag, nil // a ledger entry of an older Cutover, or deleted: Google decides
	}
	var raw json.RawMessage
	err := g.peopleCall(ctx, http.MethodGet, g.PeopleBase+"/"+rn+"?personFields="+url.QueryEscape(googleIndexFields+","+googleWriteFields), nil, &raw)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", rn, err)
	}
	if googleWrittenSum(raw) != sum {
		return "", ErrChanged
	}
	var cur googleReadPerson
	if err := json.Unmarshal(raw, &cur); err != nil {
		return "", fmt.Errorf("read %s: %w", rn, err)
	}
	return cur.Etag, nil
}

// googleWrittenSum is a digest of the fields Cutover writes as Google answers them,
// without what Google adds itself (metadata, formatted and display values).
func googleWrittenSum(raw json.RawMessage) string {
	var p map[string]any
	if json.Unmarshal(raw, &p) != nil {
		return ""
	}
	fields := map[string]any{}
	for _, f := range strings.Split(googleWriteFields, ",") {
		if v, ok := p[f]; ok {
			fields[f] = googleStripOutput(v)
		}
	}
	b, _ := json.Marshal(fields) // maps marshal with sorted keys
	return hashOf(b)[:24]
}

func googleStripOutput(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = googleStripOutput(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k == "metadata" || strings.HasPrefix(k, "formatted") || strings.HasPrefix(k, "displayName") {
				continue
			}
			out[k] = googleStripOutput(e)
		}
		return out
	}
	return v
}

// putGroup makes a contact group a label of its name (found or created, never twice)
// holding its members, added with contactGroups.members.modify. A member is found by
// its UID (MEMBER:urn:uuid:..., among the contacts Cutover copied, in this address book
// or one copied before) or by its address (MEMBER:mailto:..., among all the user's
// contacts); those not found are noted. Only members the label lacks are added: an
// unchanged group is not written again (the ledger skips it), a changed one adds its new
// members. Members removed at the source stay in the label. The label keeps the group's
// UID in its clientData, so verify finds it: the group counts as one contact of its
// address book at the destination.
func (g *Google) putGroup(ctx context.Context, c Collection, ct Contact) (string, string, error) {
	name := strings.TrimSpace(ct.FormattedName)
	if name == "" {
		name = ct.UID
	}
	g.pmu.Lock()
	defer g.pmu.Unlock()
	if _, err := g.peopleIndex(ctx); err != nil {
		return "", "", err
	}
	label, err := g.label(ctx, name, true, &googleGroupTag{UID: ct.UID, Book: c.Href})
	if err != nil {
		return "", "", err
	}
	var add, notes []string
	for _, m := range ct.Members {
		rn, why := g.member(m)
		switch {
		case rn == "":
			notes = append(notes, fmt.Sprintf("member %s not added: %s", m, why))
		case !slices.Contains(g.byRN[rn].groups(), label) && !slices.Contains(add, rn):
			add = append(add, rn)
		}
	}
	for chunk := range slices.Chunk(add, googleMembersPerCall) {
		var resp struct {
			NotFound []string `json:"notFoundResourceNames"`
		}
		if err := g.peopleCall(ctx, http.MethodPost, g.PeopleBase+"/"+label+"/members:modify", map[string][]string{"resourceNamesToAdd": chunk}, &resp); err != nil {
			return label, "", fmt.Errorf("add %d members to the label %q: %w", len(chunk), name, err)
		}
		for _, rn := range chunk {
			if slices.Contains(resp.NotFound, rn) {
				notes = append(notes, fmt.Sprintf("member %s not added: Google no longer has it", g.byRN[rn].name()))
				continue
			}
			p := g.byRN[rn].member(label)
			p.Etag = "" // the membership moved it; read again if written in this run
			g.learn(p)
		}
	}
	if len(notes) > 0 {
		return label, "", &NoteError{Reason: strings.Join(notes, "; ")}
	}
	return label, "", nil
}

// member is the resource name of a group's member (a MEMBER value), or why none.
func (g *Google) member(m string) (string, string) {
	v := strings.TrimSpace(m)
	if len(v) > 7 && strings.EqualFold(v[:7], "mailto:") {
		if rn := g.emails[strings.ToLower(strings.TrimSpace(v[7:]))]; rn != "" {
			return rn, ""
		}
		return "", "no contact in Google Contacts has this address"
	}
	bare := v
	if len(v) > 9 && strings.EqualFold(v[:9], "urn:uuid:") {
		bare = v[9:]
	}
	for _, uid := range []string{v, bare, "urn:uuid:" + bare} {
		if p, ok := g.people[uid]; ok {
			return p.ResourceName, ""
		}
	}
	for uid, p := range g.people { // UUIDs compare without case
		if strings.EqualFold(uid, v) || strings.EqualFold(uid, bare) || strings.EqualFold(uid, "urn:uuid:"+bare) {
			return p.ResourceName, ""
		}
	}
	for _, tag := range g.groupTags {
		if strings.EqualFold(tag.UID, v) || strings.EqualFold(tag.UID, bare) || strings.EqualFold(tag.UID, "urn:uuid:"+bare) {
			return "", "a contact group: a Google label holds contacts, not labels"
		}
	}
	return "", "not copied (not in this address book or an earlier one, or refused)"
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
	if g.groups == nil {
		if err := g.loadGroups(ctx); err != nil {
			return nil, err
		}
	}
	var out []Item
	for name, rn := range g.groups { // the contact groups of the book, as their labels
		if tag, ok := g.groupTags[rn]; ok && tag.Book == c.Href {
			out = append(out, Item{Href: rn, UID: tag.UID, Kind: KindContact, Summary: name})
		}
	}
	label := ""
	if c.Href != googleAllContacts {
		var err error
		if label, err = g.group(ctx, c.Name, false); err != nil || label == "" {
			return out, err
		}
	}
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
	for _, x := range c.Extra {
		if k := googlePhoneticNames[x.Name]; k != "" && strings.TrimSpace(x.Value) != "" {
			name[k] = strings.TrimSpace(x.Value)
		}
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
	for field, entries := range googleExtraFields(c.Extra) {
		p[field] = entries
	}
	var binary []string
	for _, x := range c.Extra {
		if x.Binary && !slices.Contains(binary, x.Name) {
			binary = append(binary, x.Name)
		}
	}
	if len(binary) > 0 {
		notes = append(notes, "Google Contacts has no field for "+strings.Join(binary, ", "))
	}
	return p, notes
}

// googleIMProtocols are the People API's IM protocols
// (https://developers.google.com/people/api/rest/v1/people#imclient) by vCard property
// (the X- properties of vCard 3.0 exports) and by IMPP URI scheme (RFC 4770) or Apple's
// X-SERVICE-TYPE parameter, lower case.
var (
	googleIMProperties = map[string]string{"X-AIM": "aim", "X-MSN": "msn", "X-YAHOO": "yahoo", "X-SKYPE": "skype",
		"X-SKYPE-USERNAME": "skype", "X-QQ": "qq", "X-GOOGLE-TALK": "googleTalk", "X-GTALK": "googleTalk", "X-ICQ": "icq",
		"X-JABBER": "jabber", "X-XMPP": "jabber"}
	googleIMSchemes = map[string]string{"aim": "aim", "msnim": "msn", "msn": "msn", "ymsgr": "yahoo", "yahoo": "yahoo",
		"skype": "skype", "qq": "qq", "gtalk": "googleTalk", "googletalk": "googleTalk", "icq": "icq", "xmpp": "jabber",
		"jabber": "jabber", "netmeeting": "netMeeting"}
	// googleRelations are relation types by property (Outlook's and Evolution's
	// exports) and by Apple's related-name label or vCard 4.0 RELATED type, lower case
	// (https://developers.google.com/people/api/rest/v1/people#relation).
	googleRelationProperties = map[string]string{"X-SPOUSE": "spouse", "X-MS-SPOUSE": "spouse", "X-EVOLUTION-SPOUSE": "spouse",
		"X-MANAGER": "manager", "X-MS-MANAGER": "manager", "X-EVOLUTION-MANAGER": "manager",
		"X-ASSISTANT": "assistant", "X-MS-ASSISTANT": "assistant", "X-EVOLUTION-ASSISTANT": "assistant", "X-MS-CHILD": "child"}
	googleRelationTypes = map[string]string{"spouse": "spouse", "child": "child", "mother": "mother", "father": "father",
		"parent": "parent", "brother": "brother", "sister": "sister", "friend": "friend", "relative": "relative", "kin": "relative",
		"partner": "partner", "domestic partner": "domesticPartner", "manager": "manager", "assistant": "assistant",
		"referred by": "referredBy"}
	// googlePhoneticNames are Apple's phonetic name properties as Name keys.
	googlePhoneticNames = map[string]string{"X-PHONETIC-FIRST-NAME": "phoneticGivenName", "X-PHONETIC-LAST-NAME": "phoneticFamilyName",
		"X-PHONETIC-MIDDLE-NAME": "phoneticMiddleName"}
	// googleGenders are vCard 4.0 GENDER sexes (RFC 6350 6.2.7) as People API genders.
	googleGenders       = map[string]string{"M": "male", "F": "female", "N": "unspecified", "U": "unspecified"}
	googleAnniversaries = map[string]bool{"ANNIVERSARY": true, "X-ANNIVERSARY": true, "X-MS-ANNIVERSARY": true, "X-EVOLUTION-ANNIVERSARY": true}
)

// googleExtraFields puts the properties Contact has no field for into the Person's
// imClients, sipAddresses, relations, events and genders where one fits, else userDefined
// (key: the X-ABLabel of the property's group, else its name); binary ones are left out.
func googleExtraFields(extra []Property) map[string][]any {
	out := map[string][]any{}
	add := func(field string, entry map[string]any) { out[field] = append(out[field], entry) }
	custom := func(x Property) {
		key := x.Label
		if key == "" {
			key = x.Name
		}
		add("userDefined", map[string]any{"key": key, "value": x.Value})
	}
	for _, x := range extra {
		value := strings.TrimSpace(x.Value)
		if x.Binary || value == "" {
			continue
		}
		x.Value = value
		typ := googleLabel(x.Types, "")
		sex, _, _ := strings.Cut(value, ";")
		switch {
		case googlePhoneticNames[x.Name] != "":
			// in names
		case x.Name == "GENDER" && googleGenders[strings.ToUpper(sex)] != "" && out["genders"] == nil:
			add("genders", map[string]any{"value": googleGenders[strings.ToUpper(sex)]})
		case googleIMProperties[x.Name] != "":
			add("imClients", withType(map[string]any{"username": value, "protocol": googleIMProperties[x.Name]}, typ))
		case x.Name == "IMPP" || x.Name == "X-SIP":
			scheme, user, ok := strings.Cut(value, ":")
			scheme = strings.ToLower(scheme)
			switch {
			case x.Name == "X-SIP" || scheme == "sip" || scheme == "sips":
				add("sipAddresses", withType(map[string]any{"value": value}, typ))
			case !ok:
				custom(x)
			default:
				// Apple's X-SERVICE-TYPE says more than the scheme (GoogleTalk over
				// xmpp:); a protocol Google does not list is kept as a custom one.
				proto := googleIMSchemes[strings.ToLower(x.Service)]
				for _, p := range []string{googleIMSchemes[scheme], x.Service, scheme} {
					if proto == "" {
						proto = p
					}
				}
				add("imClients", withType(map[string]any{"username": strings.TrimPrefix(user, "//"), "protocol": proto}, typ))
			}
		case googleRelationProperties[x.Name] != "":
			add("relations", map[string]any{"person": value, "type": googleRelationProperties[x.Name]})
		case x.Name == "X-ABRELATEDNAMES" || x.Name == "RELATED" && !strings.Contains(value, ":"):
			label := x.Label
			if label == "" && len(x.Types) > 0 {
				label = x.Types[0]
			}
			rel := map[string]any{"person": value}
			if t := googleRelationTypes[strings.ToLower(label)]; t != "" {
				rel["type"] = t
			} else if label != "" {
				rel["type"] = label // Google takes a custom type
			}
			add("relations", rel)
		case googleAnniversaries[x.Name] || x.Name == "X-ABDATE":
			d, ok := googleDate(value)
			switch {
			case !ok:
				custom(x)
			case googleAnniversaries[x.Name] || strings.EqualFold(x.Label, "anniversary"):
				add("events", map[string]any{"date": d, "type": "anniversary"})
			case x.Label != "":
				add("events", map[string]any{"date": d, "type": x.Label}) // a custom type
			default:
				add("events", map[string]any{"date": d, "type": "other"})
			}
		default:
			custom(x)
		}
	}
	return out
}

func withType(m map[string]any, typ string) map[string]any {
	if typ != "" {
		m["type"] = typ
	}
	return m
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

package pimtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The People API v1 as documented (https://developers.google.com/people/api/rest/v1/people,
// .../contactGroups): the fields a request may name and the keys each Person field's
// entries may hold. A request naming anything else fails the test.
var (
	peopleReadFields = set("addresses", "ageRanges", "biographies", "birthdays", "calendarUrls", "clientData", "coverPhotos",
		"emailAddresses", "events", "externalIds", "genders", "imClients", "interests", "locales", "locations", "memberships",
		"metadata", "miscKeywords", "names", "nicknames", "occupations", "organizations", "phoneNumbers", "photos", "relations",
		"sipAddresses", "skills", "urls", "userDefined")
	peopleUpdateFields = set("addresses", "biographies", "birthdays", "calendarUrls", "clientData", "emailAddresses", "events",
		"externalIds", "genders", "imClients", "interests", "locales", "locations", "memberships", "miscKeywords", "names",
		"nicknames", "occupations", "organizations", "phoneNumbers", "relations", "sipAddresses", "urls", "userDefined")
	// personEntryKeys: the writable keys of each field's entries Cutover may use.
	personEntryKeys = map[string]map[string]bool{
		"names": set("metadata", "givenName", "familyName", "middleName", "honorificPrefix", "honorificSuffix", "unstructuredName",
			"phoneticFullName", "phoneticFamilyName", "phoneticGivenName", "phoneticMiddleName", "phoneticHonorificPrefix", "phoneticHonorificSuffix"),
		"nicknames":      set("metadata", "value", "type"),
		"emailAddresses": set("metadata", "value", "type", "displayName"),
		"phoneNumbers":   set("metadata", "value", "type"),
		"addresses": set("metadata", "formattedValue", "type", "poBox", "streetAddress", "extendedAddress", "city", "region",
			"postalCode", "country", "countryCode"),
		"organizations": set("metadata", "type", "startDate", "endDate", "current", "name", "phoneticName", "department", "title",
			"jobDescription", "symbol", "domain", "location", "costCenter", "fullTimeEquivalentMillipercent"),
		"birthdays":    set("metadata", "date", "text"),
		"urls":         set("metadata", "value", "type"),
		"biographies":  set("metadata", "value", "contentType"),
		"clientData":   set("metadata", "key", "value"),
		"memberships":  set("metadata", "contactGroupMembership"),
		"userDefined":  set("metadata", "key", "value"),
		"imClients":    set("metadata", "username", "type", "protocol"),
		"sipAddresses": set("metadata", "value", "type"),
		"relations":    set("metadata", "person", "type"),
		"events":       set("metadata", "date", "type"),
		"genders":      set("metadata", "value", "addressMeAs"),
	}
	// Predefined types (a custom type is allowed by Google, but Cutover writes none:
	// one here would be a vCard type passed through unmapped).
	personTypes = map[string]map[string]bool{
		"phoneNumbers": set("home", "work", "mobile", "homeFax", "workFax", "otherFax", "pager", "workMobile", "workPager", "main",
			"googleVoice", "other"),
		"emailAddresses": set("home", "work", "other"),
		"addresses":      set("home", "work", "other"),
		"urls":           set("home", "work", "blog", "profile", "homePage", "ftp", "reservations", "appInstallPage", "other"),
		"imClients":      set("home", "work", "other"),
		"sipAddresses":   set("home", "work", "mobile", "other"),
	}
	// imProtocols are the predefined IM protocols: a custom one is allowed, but not one
	// of these spelled otherwise (Google would show it as a custom protocol).
	imProtocols      = set("aim", "msn", "yahoo", "skype", "qq", "googleTalk", "icq", "jabber", "netMeeting")
	personSingletons = set("names", "birthdays", "biographies", "genders")
	groupFields      = set("clientData", "groupType", "memberCount", "metadata", "name")
)

// Persons returns copies of the contacts.
func (g *Google) Persons() []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []map[string]any
	for _, rn := range g.order {
		out = append(out, maps.Clone(g.people[rn]))
	}
	return out
}

// PersonByUID is the contact whose clientData holds this cutover-uid, or nil.
func (g *Google) PersonByUID(uid string) map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	if rn := g.byUID(uid); rn != "" {
		return maps.Clone(g.people[rn])
	}
	return nil
}

func (g *Google) byUID(uid string) string {
	for _, rn := range g.order {
		for _, d := range entries(g.people[rn]["clientData"]) {
			if d["key"] == "cutover-uid" && d["value"] == uid {
				return rn
			}
		}
	}
	return ""
}

// Photo is the photo uploaded for a contact, by its source UID.
func (g *Google) Photo(uid string) []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.photos[g.byUID(uid)]
}

// Labels maps each user contact group's name to its members' resource names.
func (g *Google) Labels() map[string][]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string][]string{}
	for id, name := range g.groups {
		out[name] = []string{}
		for _, rn := range g.order {
			if slices.Contains(memberships(g.people[rn]), "contactGroups/"+id) {
				out[name] = append(out[name], rn)
			}
		}
	}
	return out
}

// Edit changes a contact as its user would in Google Contacts: its etag moves.
func (g *Google) Edit(uid, field string, value any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.people[g.byUID(uid)]
	p[field] = value
	g.stampPerson(p)
}

// Delete deletes a contact as its user would in Google Contacts.
func (g *Google) Delete(uid string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	rn := g.byUID(uid)
	delete(g.people, rn)
	g.order = slices.DeleteFunc(g.order, func(x string) bool { return x == rn })
}

func entries(v any) []map[string]any {
	var out []map[string]any
	list, _ := v.([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func memberships(p map[string]any) []string {
	var out []string
	for _, m := range entries(p["memberships"]) {
		if cg, ok := m["contactGroupMembership"].(map[string]any); ok {
			out = append(out, fmt.Sprint(cg["contactGroupResourceName"]))
		}
	}
	return out
}

func (g *Google) stampPerson(p map[string]any) {
	g.next++
	etag := fmt.Sprintf("%%EgUBAgMFBi%d=", g.next)
	p["etag"] = etag
	p["metadata"] = map[string]any{"sources": []any{map[string]any{"type": "CONTACT", "id": strings.TrimPrefix(fmt.Sprint(p["resourceName"]), "people/"), "etag": etag}}}
}

// peopleError answers as Google does: {"error": {"code", "message", "status"}}.
func peopleError(w http.ResponseWriter, code int, status, msg string) {
	reply(w, code, map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

// checkQuery fails the test on a query parameter the method does not document and on a
// field mask naming an unknown field.
func (g *Google) checkQuery(w http.ResponseWriter, q url.Values, allowed ...string) bool {
	for k := range q {
		if !slices.Contains(allowed, k) {
			g.fail(w, "query parameter %q is not documented for this method", k)
			return false
		}
	}
	for param, valid := range map[string]map[string]bool{"personFields": peopleReadFields, "updatePersonFields": peopleUpdateFields, "groupFields": groupFields} {
		if !q.Has(param) {
			continue
		}
		for _, f := range strings.Split(q.Get(param), ",") {
			if !valid[f] {
				g.fail(w, "%s names %q, not a valid field", param, f)
				return false
			}
		}
	}
	if s := q.Get("pageSize"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > 1000 {
			g.fail(w, "pageSize %q: 1 to 1000", s)
			return false
		}
	}
	return true
}

// checkPerson fails the test on a Person body with an undocumented or read-only field,
// an entry key the field does not have, a second entry in a singleton field, a type that
// is no predefined one, or a membership of a group that cannot take members.
func (g *Google) checkPerson(w http.ResponseWriter, body map[string]any, update bool) bool {
	for k, v := range body {
		if update && (k == "etag" || k == "resourceName" || k == "metadata") {
			continue
		}
		keys, ok := personEntryKeys[k]
		if !ok || !peopleUpdateFields[k] {
			g.fail(w, "Person field %q is not writable", k)
			return false
		}
		list, isList := v.([]any)
		if !isList {
			g.fail(w, "Person field %q is not a list", k)
			return false
		}
		if personSingletons[k] && len(list) > 1 {
			g.fail(w, "Person field %q takes one entry for a contact (Google answers 400)", k)
			return false
		}
		for _, e := range entries(v) {
			for ek := range e {
				if !keys[ek] {
					g.fail(w, "%s entry key %q is not documented", k, ek)
					return false
				}
			}
			if t, ok := e["type"].(string); ok && personTypes[k] != nil && !personTypes[k][t] {
				g.fail(w, "%s type %q is none of Google's predefined types", k, t)
				return false
			}
			if !g.checkEntry(w, k, e) {
				return false
			}
		}
	}
	return true
}

func (g *Google) checkEntry(w http.ResponseWriter, field string, e map[string]any) bool {
	switch field {
	case "birthdays", "events":
		d, ok := e["date"].(map[string]any)
		if !ok {
			g.fail(w, "%s entry without date (clients should always set the date field when mutating birthdays)", field)
			return false
		}
		for k := range d {
			if k != "year" && k != "month" && k != "day" {
				g.fail(w, "birthday date key %q", k)
				return false
			}
		}
		m, _ := d["month"].(float64)
		day, _ := d["day"].(float64)
		if m < 1 || m > 12 || day < 1 || day > 31 {
			g.fail(w, "birthday date %v", d)
			return false
		}
	case "biographies":
		if ct, ok := e["contentType"]; ok && ct != "TEXT_PLAIN" && ct != "TEXT_HTML" {
			g.fail(w, "biography contentType %v", ct)
			return false
		}
	case "memberships":
		cg, _ := e["contactGroupMembership"].(map[string]any)
		rn, _ := cg["contactGroupResourceName"].(string)
		if len(cg) != 1 || (rn != "contactGroups/myContacts" && rn != "contactGroups/starred" && g.groups[strings.TrimPrefix(rn, "contactGroups/")] == "") {
			g.fail(w, "membership %v: only contactGroupResourceName of a user group, myContacts or starred can be added", e)
			return false
		}
	case "clientData":
		if _, ok := e["key"].(string); !ok {
			g.fail(w, "clientData without key")
			return false
		}
	case "userDefined":
		k, _ := e["key"].(string)
		v, _ := e["value"].(string)
		if k == "" || v == "" {
			g.fail(w, "userDefined entry %v: key and value are required", e)
			return false
		}
	case "imClients":
		u, _ := e["username"].(string)
		p, _ := e["protocol"].(string)
		if u == "" || p == "" {
			g.fail(w, "imClients entry %v without username or protocol", e)
			return false
		}
		for known := range imProtocols {
			if strings.EqualFold(p, known) && p != known {
				g.fail(w, "imClients protocol %q: the predefined value is %q", p, known)
				return false
			}
		}
	case "relations":
		if p, _ := e["person"].(string); p == "" {
			g.fail(w, "relations entry %v without person", e)
			return false
		}
	case "sipAddresses":
		if v, _ := e["value"].(string); v == "" {
			g.fail(w, "sipAddresses entry %v without value", e)
			return false
		}
	}
	return true
}

// answerPerson is the person with the fields personFields asks for.
func answerPerson(p map[string]any, personFields string) map[string]any {
	out := map[string]any{"resourceName": p["resourceName"], "etag": p["etag"]}
	for _, f := range strings.Split(personFields, ",") {
		if v, ok := p[f]; ok {
			out[f] = v
		}
	}
	return out
}

// servePeople answers the People API; the caller holds g.mu and has checked the token.
func (g *Google) servePeople(w http.ResponseWriter, r *http.Request, path string, body map[string]any) {
	q := r.URL.Query()
	mutate := r.Method != http.MethodGet
	if mutate && g.Throttle > 0 {
		g.Throttle--
		w.Header().Set("Retry-After", "7")
		peopleError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Critical write requests' and limit 'Critical write requests per minute per user'")
		return
	}
	if mutate {
		g.PeopleWrites++
	}
	switch {
	case path == "people/me/connections" && r.Method == http.MethodGet:
		if !g.checkQuery(w, q, "personFields", "pageSize", "pageToken", "sortOrder", "sources", "requestSyncToken", "syncToken") {
			return
		}
		if q.Get("personFields") == "" {
			g.fail(w, "connections.list without personFields (Google answers 400)")
			return
		}
		g.page(w, q, "connections", len(g.order), func(i int) any { return answerPerson(g.people[g.order[i]], q.Get("personFields")) })
	case path == "people:createContact" && r.Method == http.MethodPost:
		if !g.checkQuery(w, q, "personFields", "sources") || !g.checkPerson(w, body, false) {
			return
		}
		g.Creates++
		p := maps.Clone(body)
		p["resourceName"] = fmt.Sprintf("people/c%d", 9000+g.next)
		if _, ok := p["memberships"]; !ok {
			p["memberships"] = []any{map[string]any{"contactGroupMembership": map[string]any{"contactGroupResourceName": "contactGroups/myContacts"}}}
		}
		g.stampPerson(p)
		g.people[p["resourceName"].(string)] = p
		g.order = append(g.order, p["resourceName"].(string))
		reply(w, 200, answerPerson(p, q.Get("personFields")))
	case strings.HasPrefix(path, "people/") && strings.HasSuffix(path, ":updateContact") && r.Method == http.MethodPatch:
		g.updatePerson(w, q, strings.TrimSuffix(path, ":updateContact"), body)
	case strings.HasPrefix(path, "people/") && strings.HasSuffix(path, ":updateContactPhoto") && r.Method == http.MethodPatch:
		g.updatePhoto(w, strings.TrimSuffix(path, ":updateContactPhoto"), q, body)
	case strings.HasPrefix(path, "people/") && !strings.Contains(path, ":") && r.Method == http.MethodGet:
		if !g.checkQuery(w, q, "personFields", "sources") {
			return
		}
		p := g.people[path]
		if p == nil {
			peopleError(w, 404, "NOT_FOUND", "Requested entity was not found.")
			return
		}
		reply(w, 200, answerPerson(p, q.Get("personFields")))
	case path == "contactGroups" && r.Method == http.MethodGet:
		if !g.checkQuery(w, q, "pageSize", "pageToken", "syncToken", "groupFields") {
			return
		}
		ids := slices.Sorted(maps.Keys(g.groups))
		system := []map[string]any{{"resourceName": "contactGroups/myContacts", "name": "myContacts", "groupType": "SYSTEM_CONTACT_GROUP"},
			{"resourceName": "contactGroups/starred", "name": "starred", "groupType": "SYSTEM_CONTACT_GROUP"}}
		g.page(w, q, "contactGroups", len(system)+len(ids), func(i int) any {
			if i < len(system) {
				return system[i]
			}
			id := ids[i-len(system)]
			cg := map[string]any{"resourceName": "contactGroups/" + id, "name": g.groups[id], "groupType": "USER_CONTACT_GROUP"}
			if d := g.gdata[id]; d != nil && slices.Contains(strings.Split(q.Get("groupFields"), ","), "clientData") {
				cg["clientData"] = d
			}
			return cg
		})
	case path == "contactGroups" && r.Method == http.MethodPost:
		g.createGroup(w, q, body)
	case strings.HasPrefix(path, "contactGroups/") && strings.HasSuffix(path, "/members:modify") && r.Method == http.MethodPost:
		g.modifyMembers(w, q, strings.TrimSuffix(path, "/members:modify"), body)
	default:
		g.fail(w, "undocumented People API request %s %s", r.Method, r.URL.Path)
	}
}

// page answers one page of n entries; pages hold PeoplePage entries (2 unless set).
func (g *Google) page(w http.ResponseWriter, q url.Values, key string, n int, entry func(int) any) {
	size := g.PeoplePage
	if size == 0 {
		size = 2
	}
	start, _ := strconv.Atoi(q.Get("pageToken"))
	out := map[string]any{"totalItems": n}
	var list []any
	for i := start; i < n && i < start+size; i++ {
		list = append(list, entry(i))
	}
	out[key] = list
	if start+size < n {
		out["nextPageToken"] = strconv.Itoa(start + size)
	}
	reply(w, 200, out)
}

func (g *Google) updatePerson(w http.ResponseWriter, q url.Values, rn string, body map[string]any) {
	if !g.checkQuery(w, q, "updatePersonFields", "personFields", "sources") || !g.checkPerson(w, body, true) {
		return
	}
	mask := q.Get("updatePersonFields")
	if mask == "" {
		g.fail(w, "updateContact without updatePersonFields (Google answers 400)")
		return
	}
	for k := range body {
		if k != "etag" && k != "resourceName" && k != "metadata" && !slices.Contains(strings.Split(mask, ","), k) {
			g.fail(w, "updateContact body holds %q, which updatePersonFields %q does not name", k, mask)
			return
		}
	}
	if brn, ok := body["resourceName"]; ok && brn != rn {
		g.fail(w, "updateContact of %s with resourceName %v in the body", rn, brn)
		return
	}
	etag, _ := body["etag"].(string)
	if etag == "" {
		g.fail(w, "updateContact without the person's etag (Google answers 400: Request must set person.etag)")
		return
	}
	p := g.people[rn]
	if p == nil {
		peopleError(w, 404, "NOT_FOUND", "Requested entity was not found.")
		return
	}
	if etag != p["etag"] {
		peopleError(w, 400, "FAILED_PRECONDITION", "Request person.etag is different than the current person.etag. Clear local cache and get the latest person.")
		return
	}
	g.Updates++
	for _, f := range strings.Split(mask, ",") {
		if v, ok := body[f]; ok {
			p[f] = v
		} else {
			delete(p, f) // a field in the mask and not in the body is cleared
		}
	}
	g.stampPerson(p)
	reply(w, 200, answerPerson(p, q.Get("personFields")))
}

func (g *Google) updatePhoto(w http.ResponseWriter, rn string, q url.Values, body map[string]any) {
	if !g.checkQuery(w, q) {
		return
	}
	for k := range body {
		if k != "photoBytes" && k != "personFields" && k != "sources" {
			g.fail(w, "updateContactPhoto body key %q is not documented", k)
			return
		}
	}
	p := g.people[rn]
	if p == nil {
		peopleError(w, 404, "NOT_FOUND", "Requested entity was not found.")
		return
	}
	s, _ := body["photoBytes"].(string)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || s == "" {
		g.fail(w, "photoBytes is not base64: %v", err)
		return
	}
	if g.RefusePhotos || !(bytes.HasPrefix(b, []byte{0xff, 0xd8}) || bytes.HasPrefix(b, []byte("\x89PNG"))) {
		peopleError(w, 400, "INVALID_ARGUMENT", "Invalid photo: JPEG or PNG only")
		return
	}
	g.photos[rn] = b
	g.stampPerson(p)
	fields, _ := body["personFields"].(string)
	if fields == "" {
		reply(w, 200, map[string]any{})
		return
	}
	for _, f := range strings.Split(fields, ",") {
		if !peopleReadFields[f] {
			g.fail(w, "updateContactPhoto personFields names %q", f)
			return
		}
	}
	reply(w, 200, map[string]any{"person": answerPerson(p, fields)})
}

func (g *Google) createGroup(w http.ResponseWriter, q url.Values, body map[string]any) {
	if !g.checkQuery(w, q) {
		return
	}
	cg, _ := body["contactGroup"].(map[string]any)
	for k := range body {
		if k != "contactGroup" && k != "readGroupFields" {
			g.fail(w, "contactGroups.create body key %q is not documented", k)
			return
		}
	}
	name, _ := cg["name"].(string)
	for k := range cg {
		if k != "name" && k != "clientData" {
			g.fail(w, "contactGroup key %q is not writable", k)
			return
		}
	}
	if name == "" {
		g.fail(w, "contactGroups.create without a name")
		return
	}
	for _, d := range entries(cg["clientData"]) {
		k, _ := d["key"].(string)
		for dk := range d {
			if dk != "key" && dk != "value" && dk != "metadata" {
				g.fail(w, "contactGroup clientData key %q is not documented", dk)
				return
			}
		}
		if k == "" {
			g.fail(w, "contactGroup clientData without key")
			return
		}
	}
	for _, n := range g.groups {
		if n == name {
			peopleError(w, 409, "ALREADY_EXISTS", "Contact group name already exists")
			return
		}
	}
	g.GroupCreates++
	g.next++
	id := fmt.Sprintf("%x", 0x5a000+g.next)
	g.groups[id] = name
	if d, ok := cg["clientData"].([]any); ok {
		g.gdata[id] = d
	}
	reply(w, 200, map[string]any{"resourceName": "contactGroups/" + id, "name": name, "groupType": "USER_CONTACT_GROUP"})
}

func (g *Google) modifyMembers(w http.ResponseWriter, q url.Values, group string, body map[string]any) {
	if !g.checkQuery(w, q) {
		return
	}
	for k := range body {
		if k != "resourceNamesToAdd" && k != "resourceNamesToRemove" {
			g.fail(w, "members.modify body key %q is not documented", k)
			return
		}
	}
	id := strings.TrimPrefix(group, "contactGroups/")
	if group != "contactGroups/myContacts" && group != "contactGroups/starred" && g.groups[id] == "" {
		g.fail(w, "members.modify of %s: only user groups, myContacts and starred take members", group)
		return
	}
	add, remove := entriesOf(body["resourceNamesToAdd"]), entriesOf(body["resourceNamesToRemove"])
	if len(add)+len(remove) > 1000 {
		g.fail(w, "members.modify of %d resource names: at most 1000 to add and remove together", len(add)+len(remove))
		return
	}
	for _, v := range remove {
		if p := g.people[v]; p != nil && slices.Contains(memberships(p), group) {
			p["memberships"] = slices.DeleteFunc(slices.Clone(p["memberships"].([]any)), func(m any) bool {
				cg, _ := m.(map[string]any)["contactGroupMembership"].(map[string]any)
				return cg["contactGroupResourceName"] == group
			})
			g.stampPerson(p)
		}
	}
	g.MemberAdds += len(add)
	var notFound []string
	for _, v := range add {
		p := g.people[v]
		if p == nil {
			notFound = append(notFound, v)
			continue
		}
		if !slices.Contains(memberships(p), group) {
			p["memberships"] = append(p["memberships"].([]any), map[string]any{"contactGroupMembership": map[string]any{"contactGroupResourceName": group}})
			g.stampPerson(p)
		}
	}
	out := map[string]any{}
	if len(notFound) > 0 {
		out["notFoundResourceNames"] = notFound
	}
	reply(w, 200, out)
}

func entriesOf(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

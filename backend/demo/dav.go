package demo

import (
	"fmt"
	"strings"
	"time"

	"cutover/backend/api"
	"cutover/backend/pim/pimtest"
)

// startDAV starts the demo's CalDAV/CardDAV servers (in memory, like a Radicale on the
// old host and a new one) and fills the old one with each user's contacts, calendar and
// tasks: old and upcoming events, a finished weekly series and an endless one with an
// exception, a completed task and an open one, non-ASCII names.
func startDAV(now time.Time) (src, dst *pimtest.Server, err error) {
	srcUsers, dstUsers := map[string]string{}, map[string]string{}
	for _, u := range demoUsers {
		srcUsers[u.src] = "old-" + u.src
		dstUsers[u.dst] = "new-" + u.src
	}
	if src, err = pimtest.Start(srcUsers); err != nil {
		return nil, nil, err
	}
	if dst, err = pimtest.Start(dstUsers); err != nil {
		src.Close()
		return nil, nil, err
	}
	for i, u := range demoUsers {
		fillDAV(src, u.src, now, i)
	}
	return src, dst, nil
}

func fillDAV(s *pimtest.Server, user string, now time.Time, seed int) {
	people := []string{"Amélie Dupont", "Bruno Fils", "Chen Wei 陈伟", "Dorota Wójcik", "Émile Tremblay", "Farah Haddad", "Gus O'Brien"}
	for i, p := range people[:5+seed] {
		uid := fmt.Sprintf("demo-%s-contact-%d", user, i)
		card := fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\nEMAIL;TYPE=INTERNET:contact%d@clients.example\r\nTEL;TYPE=CELL:+1 514 555 01%02d\r\nCATEGORIES:Clients\r\nEND:VCARD\r\n",
			uid, p, p, i, i)
		s.Put(user, "contacts", uid+".vcf", false, "Contacts", []byte(card))
	}
	ics := func(body string) []byte {
		return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Acme old host//EN\r\n" + body + "END:VCALENDAR\r\n")
	}
	stamp := now.UTC().Format("20060102T150405Z")
	at := func(days int, hour int) string {
		return now.UTC().AddDate(0, 0, days).Truncate(24 * time.Hour).Add(time.Duration(hour) * time.Hour).Format("20060102T150405Z")
	}
	events := []struct{ uid, summary, start, end, extra string }{
		{"visit", "Site visit, Dupont renovation", at(-90, 14), at(-90, 16), ""},
		{"review", "Quarterly review", at(-45, 15), at(-45, 16), ""},
		{"training", "Safety training (weekly)", at(-120, 13), at(-120, 14), "RRULE:FREQ=WEEKLY;COUNT=6\r\n"},
		{"supplier", "Réunion fournisseur", at(5, 14), at(5, 15), ""},
		{"standup", "Monday planning", at(-60, 12), at(-60, 13), "RRULE:FREQ=WEEKLY;BYDAY=MO\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n"},
	}
	for _, e := range events[:4+min(seed, 1)] {
		uid := fmt.Sprintf("demo-%s-%s", user, e.uid)
		body := fmt.Sprintf("BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\n%sEND:VEVENT\r\n", uid, stamp, e.start, e.end, strings.ReplaceAll(e.summary, ",", `\,`), e.extra)
		s.Put(user, "calendar", uid+".ics", true, "Calendar", ics(body))
	}
	holiday := now.AddDate(0, 0, 20).Format("20060102")
	s.Put(user, "calendar", "holiday.ics", true, "Calendar", ics(fmt.Sprintf("BEGIN:VEVENT\r\nUID:demo-%s-holiday\r\nDTSTAMP:%s\r\nDTSTART;VALUE=DATE:%s\r\nSUMMARY:Office closed\r\nEND:VEVENT\r\n", user, stamp, holiday)))
	s.Put(user, "tasks", "done.ics", true, "Tasks", ics(fmt.Sprintf("BEGIN:VTODO\r\nUID:demo-%s-task-done\r\nDTSTAMP:%s\r\nSUMMARY:Order van parts\r\nSTATUS:COMPLETED\r\nCOMPLETED:%s\r\nEND:VTODO\r\n", user, stamp, at(-40, 10))))
	s.Put(user, "tasks", "open.ics", true, "Tasks", ics(fmt.Sprintf("BEGIN:VTODO\r\nUID:demo-%s-task-open\r\nDTSTAMP:%s\r\nSUMMARY:Send the Dupont quote\r\nDUE:%s\r\nEND:VTODO\r\n", user, stamp, at(3, 17))))
}

// seedDAV points the demo project's contacts, calendars and tasks at the demo's DAV servers.
func seedDAV(a *api.API, m *MailServers) error {
	if err := a.PIMSettingSet(ProjectName, api.PIMSettingInput{SourceURL: m.DAVSource.URL, DestURL: m.DAVDest.URL}); err != nil {
		return fmt.Errorf("demo contacts and calendars: %w", err)
	}
	return nil
}

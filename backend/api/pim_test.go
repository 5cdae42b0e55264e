package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cutover/backend/api"
	"cutover/backend/pim/pimtest"
)

func TestWindowPassCopiesContactsAndCalendarsAfterMail(t *testing.T) {
	a, src, _ := mailProject(t, "alice")
	if err := src.Fill("alice", 20); err != nil {
		t.Fatal(err)
	}
	davSrc, _ := pimtest.Start(map[string]string{"alice": "alice-secret"})
	davDst, _ := pimtest.Start(map[string]string{"alice": "alice-secret"})
	defer davSrc.Close()
	defer davDst.Close()
	for i := range 5 {
		davSrc.Put("alice", "contacts", fmt.Sprintf("c%d.vcf", i), false, "Contacts",
			[]byte(fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c%d\r\nFN:Person %d\r\nEND:VCARD\r\n", i, i)))
	}
	start := time.Now().AddDate(0, 0, 3).UTC().Format("20060102T150405Z")
	davSrc.Put("alice", "cal", "e.ics", true, "Calendar", []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:"+start+"\r\nSUMMARY:Soon\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err := a.PIMSettingSet("acme", api.PIMSettingInput{SourceURL: davSrc.URL, DestURL: davDst.URL}); err != nil {
		t.Fatal(err)
	}
	events, stop := api.Events(a).Subscribe()
	defer stop()
	if err := a.MailStart("acme", api.MailPassInput{Pass: "pre", OlderThan: "30d"}); err != nil {
		t.Fatal(err)
	}
	sawPIM := false
	for ev := range events {
		if ev.Name == "pim:done" {
			run := ev.Data.(api.PIMRun)
			sawPIM = run.Result.Copied == 5 && run.State == "done" // the pre pass: contacts, not next week's event
		}
		if ev.Name == "copy:finished" {
			break
		}
	}
	if !sawPIM {
		t.Fatal("the window's pre pass did not copy the 5 contacts")
	}
	if davDst.Count("alice") != 5 {
		t.Errorf("destination holds %d items", davDst.Count("alice"))
	}
	counts, err := a.PIMCopied("acme")
	if err != nil || counts[0].Copied.Contacts != 5 || counts[0].Copied.Events != 0 {
		t.Errorf("PIMCopied %+v %v", counts, err)
	}
	final, err := a.PIMMigrate("acme", api.PIMPassInput{Pass: "final"})
	if err != nil || final.Copied != 1 {
		t.Errorf("final pass %+v %v", final, err)
	}
	if _, err := a.PIMMigrate("acme", api.PIMPassInput{Pass: "final", Only: []string{"faxes"}}); err == nil || !api.IsInputError(err) {
		t.Errorf("--only faxes: %v, want an input error", err)
	}
	// Files dropped in the window: one address book named after the file.
	res, err := a.PIMImport("acme", api.PIMImportInput{Mailbox: "alice", Dropped: []api.DroppedFile{{Name: "Exported Contacts.vcf",
		Text: "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dropped One\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Dropped Two\r\nUID:d2\r\nEND:VCARD\r\n"}}})
	if err != nil || res.Copied != 2 {
		t.Fatalf("dropped file: %+v %v", res, err)
	}
	if counts, _ := a.PIMCopied("acme"); counts[0].Last == nil || counts[0].Last.Pass != "files" || counts[0].Last.Copied != 2 {
		t.Errorf("the last run of alice: %+v", counts[0].Last)
	}
	if _, err := a.PIMImport("acme", api.PIMImportInput{Mailbox: "alice", Dropped: []api.DroppedFile{{Name: "broken.ics", Text: "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"}}}); err == nil || !api.IsInputError(err) || !strings.Contains(err.Error(), "broken.ics line") {
		t.Errorf("broken dropped file: %v, want an input error naming the file and line", err)
	}
	for _, bad := range []string{"ftp://old.example/", "http://old.example/dav/", "not a host", "https://", "https://alice:s3cret@old.example/"} {
		if err := a.PIMSettingSet("acme", api.PIMSettingInput{SourceURL: bad}); err == nil || !api.IsInputError(err) || !strings.Contains(err.Error(), "source DAV URL") {
			t.Errorf("source URL %q: %v, want an input error naming the field", bad, err)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
	if err := a.PIMSettingSet("acme", api.PIMSettingInput{SourceURL: "old-host.example", DestURL: "https://dav.example:2080/"}); err != nil {
		t.Errorf("a domain and an https URL: %v", err)
	}
}

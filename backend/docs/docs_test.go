package docs

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	stdhtml "html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cutover/backend/batch"
	"cutover/backend/dnscheck"
	"cutover/backend/docs/docstest"
	"cutover/backend/project"
	"cutover/backend/timeline"
)

// facts is a project as a real one looks: a Montreal customer moving to Microsoft 365,
// with names that need more than ASCII.
func facts(t *testing.T, lang string) Facts {
	t.Helper()
	loc, err := time.LoadLocation("America/Toronto")
	if err != nil {
		t.Fatal(err)
	}
	p := project.Project{Name: "acme", Customer: "Café Díaz & Grüße Ltée", Domains: []string{"acme.example"}, Provider: project.ProviderM365,
		Source:  project.Server{Host: "mail.oldhost.example", Port: 993, TLS: project.TLSImplicit},
		Dest:    project.Server{Host: "outlook.office365.com", Port: 993, TLS: project.TLSImplicit},
		Cutover: time.Date(2027, 5, 14, 18, 0, 0, 0, loc), Zone: "America/Toronto"}
	now := time.Date(2027, 5, 15, 10, 0, 0, 0, loc)
	tl := timeline.Build(p, map[string]timeline.State{"verify_domain": {Status: timeline.Done, By: "zoé", At: now.Add(-200 * time.Hour), Note: "DNS check #3: all pass"}}, now)
	return Facts{
		Project: p, Now: now, Timeline: tl, TTLTarget: 300,
		Settings:   Settings{Language: lang, Webmail: "https://outlook.office.com/mail/", ContactName: "Łukasz Díaz", ContactEmail: "lukasz@acme.example"},
		Specialist: Specialist{Name: "Zoé Specialist", Company: "Migrations Grüße Inc.", Email: "zoe@migrate.example", Phone: "+1 514 555 0100"},
		Records: []dnscheck.Record{
			{Domain: "acme.example", Key: "verify", Name: "acme.example", Type: "TXT", Value: "MS=ms12345678", TTL: 3600},
			{Domain: "acme.example", Key: "mx", Name: "acme.example", Type: "MX", Value: "0 acme-example.mail.protection.outlook.com.", TTL: 3600, Changes: true, Purpose: "mail delivery"},
			{Domain: "acme.example", Key: "autodiscover", Name: "autodiscover.acme.example", Type: "CNAME", Value: "autodiscover.outlook.com.", TTL: 3600, Changes: true, Purpose: "Outlook set-up"},
		},
		SignIn:    []SignIn{{Side: "source", Method: "password"}, {Side: "dest", Method: "microsoft-app", Tenant: "acme.onmicrosoft.com", ClientID: "11111111-2222-3333-4444-555555555555"}},
		Mailboxes: []batch.Entry{{SourceLogin: "jose@acme.example", DestLogin: "jose.diaz@acme.example", Name: "José Díaz", Enabled: true}},
		Folders:   []Folder{{Mailbox: "jose@acme.example", Folder: "Junk", Excluded: true, Reason: "spam folder"}},
		Excludes:  []Exclude{{Pattern: "Archives/2009*"}},
		Passes:    []Pass{{Mailbox: "jose@acme.example", Dest: "jose.diaz@acme.example", Kind: "pre", State: "partial", Done: 1204, Total: 1205, Refused: 1, Finished: now.Add(-time.Hour)}},
		Refused:   []Refused{{Mailbox: "jose@acme.example", Pass: "pre", Folder: "INBOX", Subject: "Grüße aus München", Size: 160 << 20, Reason: "message too large"}},
		Checks:    []Check{{Mailbox: "jose@acme.example", Source: "INBOX", Dest: "Inbox", SourceMessages: 1204, DestMessages: 1204}, {Mailbox: "jose@acme.example", Source: "Sent", Dest: "Sent Items", SourceMessages: 10, DestMessages: 8, Missing: 2}},
		Missing:   []Missing{{Mailbox: "jose@acme.example", Folder: "Sent", UID: 7, Subject: "Tschüss, Grüße", Size: 2048}},
		Contacts:  []Contact{{At: now.Add(-180 * time.Hour), Channel: "phone", Step: "pre_contact", Summary: "Called Łukasz: date confirmed"}},
		Evidence: []Evidence{{Step: "lower_ttl", Check: 4, Phase: dnscheck.Before, At: now.Add(-170 * time.Hour), Passed: true, Count: 2,
			Safe: &dnscheck.SafeSwitch{Known: true, Safe: true, SafeAfter: now.Add(-150 * time.Hour), Records: []dnscheck.TTLDrop{
				{Name: "acme.example", Type: "MX", Server: "ns1.oldhost.example", OldTTL: 3600, NewTTL: 300, LoweredAt: now.Add(-151 * time.Hour), SafeAfter: now.Add(-150 * time.Hour), State: "lowered"}}}}},
		MaxMessageBytes: 150 << 20,
		Templates:       []Attachment{{Name: "users.xlsx", Data: []byte("PK-template")}},
	}
}

func TestEveryDocumentPrintsTheProjectsValuesInEveryLanguage(t *testing.T) {
	want := map[Kind][]string{
		Tasks:          {"Café Díaz & Grüße Ltée", "MS=ms12345678", "autodiscover.acme.example", "300", "11111111-2222-3333-4444-555555555555", "users.xlsx", "2027-05-14 18:00", "America/Toronto"},
		Limitations:    {"mail.oldhost.example", "Grüße aus München", "message too large", "Archives/2009*", "Junk", "150.0 MB"},
		Guide:          {"https://outlook.office.com/mail/", "Zoé Specialist", "+1 514 555 0100"},
		ReportProgress: {"jose@acme.example", "1204 / 1205", "Grüße aus München"},
		ReportVerify:   {"Sent Items", "1204", "Tschüss, Grüße"},
		ReportClose:    {"Called Łukasz: date confirmed", "3600", "DNS check #3: all pass"},
	}
	for _, lang := range Languages {
		for _, k := range Kinds {
			t.Run(lang+"/"+string(k), func(t *testing.T) {
				d, err := Build(k, facts(t, lang))
				if err != nil {
					t.Fatal(err)
				}
				pdf, err := Render(d, PDF)
				if err != nil {
					t.Fatal(err)
				}
				text := docstest.PDFText(t, pdf)
				html, err := Render(d, HTML)
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range want[k] {
					if lang == "fr" {
						w = strings.Replace(w, "150.0 MB", "150,0 Mo", 1)
					}
					if !strings.Contains(text, w) {
						t.Errorf("the PDF lacks %q:\n%s", w, text)
					}
					if !strings.Contains(stdhtml.UnescapeString(string(html)), w) {
						t.Errorf("the HTML lacks %q", w)
					}
				}
				if strings.Contains(text, "[") && strings.Contains(text, ".heading]") {
					t.Errorf("a text is missing in %s:\n%s", lang, text)
				}
			})
		}
	}
}

func TestFrenchDocumentsAreInFrench(t *testing.T) {
	d, err := Build(Tasks, facts(t, "fr"))
	if err != nil {
		t.Fatal(err)
	}
	en, _ := Build(Tasks, facts(t, "en"))
	if d.Title == en.Title || !strings.Contains(d.Title, "Café Díaz") {
		t.Errorf("French title %q, English %q", d.Title, en.Title)
	}
	for _, s := range d.Sections {
		for _, e := range en.Sections {
			if s.Heading == e.Heading {
				t.Errorf("heading %q is the same in French and English", s.Heading)
			}
		}
	}
}

func TestTheTasksCarryTheSpreadsheetTemplatesInsideThePDF(t *testing.T) {
	d, _ := Build(Tasks, facts(t, "en"))
	pdf, err := Render(d, PDF)
	if err != nil {
		t.Fatal(err)
	}
	if list := docstest.PDFAttachments(t, pdf); !strings.Contains(list, "users.xlsx") {
		t.Errorf("pdfdetach -list:\n%s", list)
	}
}

func TestReportsAsWorkbooksHaveASheetPerTable(t *testing.T) {
	d, _ := Build(ReportProgress, facts(t, "en"))
	b, err := Render(d, XLSX)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("Progress")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "jose@acme.example" || rows[1][4] != "1204 / 1205" {
		t.Errorf("progress sheet: %q", rows)
	}
	refused, _ := x.GetRows("Refused")
	if len(refused) != 2 || refused[1][3] != "Grüße aus München" {
		t.Errorf("refused sheet: %q", refused)
	}
}

func TestFormatsAndKindsAreReadAsTyped(t *testing.T) {
	for in, want := range map[string]Format{"report.PDF": PDF, "x.html": HTML, "xlsx": XLSX, "a.htm": HTML} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("doc.docx"); err == nil {
		t.Error("docx accepted")
	}
	if _, err := ParseKind("report-closing"); err == nil || !strings.Contains(err.Error(), "report-close") {
		t.Errorf("a wrong kind says %v", err)
	}
}

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// The print-ready HTML of each document, in English and French, as a reviewer reads it:
// a change of text or layout shows in the diff of testdata/*.golden (go test -update).
func TestDocumentsAsHTMLMatchTheirGoldenFiles(t *testing.T) {
	for _, lang := range Languages {
		for _, k := range []Kind{Tasks, Limitations, Guide, ReportClose} {
			d, err := Build(k, facts(t, lang))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Render(d, HTML)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", fmt.Sprintf("%s.%s.html.golden", k, lang))
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the current output (go test -update rewrites it)", path)
			}
		}
	}
}

// What an administrator grants follows what Cutover reaches on that side: a Google
// service account copying contacts and calendars needs their scopes in the delegation
// (read-only at a source), an app without them does not get them asked for.
func TestTheTasksAskForTheContactsAndCalendarsAccessEachSideNeeds(t *testing.T) {
	f := facts(t, "en")
	f.Project.Provider = project.ProviderGoogle
	f.SignIn = []SignIn{{Side: "source", Method: "google-service-account", ClientID: "111"}, {Side: "dest", Method: "google-service-account", ClientID: "222"}}
	html := func() string {
		t.Helper()
		d, err := Build(Tasks, f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := renderHTML(d)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	f.PIM = PIM{Source: "google", Dest: "google"}
	got := html()
	for _, want := range []string{
		"Client ID: 111 — OAuth scopes: https://mail.google.com/, https://www.googleapis.com/auth/calendar.readonly, https://www.googleapis.com/auth/contacts.readonly, https://www.googleapis.com/auth/tasks.readonly (and nothing else).",
		"Client ID: 222 — OAuth scopes: https://mail.google.com/, https://www.googleapis.com/auth/calendar, https://www.googleapis.com/auth/contacts, https://www.googleapis.com/auth/tasks (and nothing else).",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the tasks lack %q", want)
		}
	}
	f.PIM = PIM{Source: "dav", Dest: "dav"}
	if got := html(); !strings.Contains(got, "Client ID: 111 — OAuth scope: https://mail.google.com/ (and nothing else).") || strings.Contains(got, "auth/calendar") {
		t.Error("contacts and calendars copied over DAV still ask for Google's calendar scopes")
	}
}

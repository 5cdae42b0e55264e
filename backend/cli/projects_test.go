package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the command line against db and returns stdout, stderr and the exit code.
func run(t *testing.T, db string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"--db", db}, args...), Options{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin)})
	return out.String(), errb.String(), code
}

func TestProjectRoundTrip(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	_, stderr, code := run(t, db, "", "project", "create", "--name", "acme", "--customer", "Acme Ltd", "--domain", "acme.example,acme-corp.example",
		"--provider", "m365", "--source", "imaps://mail.old.example", "--dest", "imap://mail.new.example:1143",
		"--cutover", "2099-05-14 18:00", "--tz", "America/Toronto", "--holiday", "2099-05-18")
	if code != 0 {
		t.Fatalf("create: exit %d: %s", code, stderr)
	}
	out, _, code := run(t, db, "", "--json", "project", "show", "acme")
	if code != 0 {
		t.Fatalf("show: exit %d", code)
	}
	var p struct {
		Name     string   `json:"name"`
		Domains  []string `json:"domains"`
		Cutover  string   `json:"cutover"`
		Holidays []string `json:"holidays"`
		Source   struct {
			Host string `json:"host"`
			Port int    `json:"port"`
			TLS  string `json:"tls"`
		} `json:"source"`
		Dest struct {
			Port int    `json:"port"`
			TLS  string `json:"tls"`
		} `json:"dest"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("show --json: %v\n%s", err, out)
	}
	if p.Name != "acme" || len(p.Domains) != 2 || p.Source.Port != 993 || p.Source.TLS != "implicit" || p.Dest.Port != 1143 || p.Dest.TLS != "starttls" {
		t.Fatalf("project as shown: %+v", p)
	}
	if p.Cutover != "2099-05-14T18:00:00-04:00" || len(p.Holidays) != 1 {
		t.Fatalf("cutover %q holidays %v", p.Cutover, p.Holidays)
	}

	// Edit moves the cutover; a done step keeps its date, open ones follow.
	run(t, db, "", "step", "done", "--project", "acme", "pre_contact", "--note", "called Dana")
	if _, stderr, code := run(t, db, "", "project", "edit", "acme", "--cutover", "2099-05-28 18:00"); code != 0 {
		t.Fatalf("edit: %d %s", code, stderr)
	}
	out, _, _ = run(t, db, "", "--json", "timeline", "--project", "acme")
	var tl struct {
		Steps []struct {
			Key    string `json:"key"`
			Due    string `json:"due"`
			Status string `json:"status"`
			Note   string `json:"note"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &tl); err != nil {
		t.Fatal(err)
	}
	due := map[string]string{}
	for _, s := range tl.Steps {
		due[s.Key] = s.Due
		if s.Key == "pre_contact" && (s.Status != "done" || s.Note != "called Dana") {
			t.Errorf("pre_contact %+v", s)
		}
	}
	if due["pre_contact"] != "2099-05-07T09:00:00-04:00" {
		t.Errorf("done step moved: %s", due["pre_contact"])
	}
	if due["dns_change"] != "2099-05-28T18:00:00-04:00" {
		t.Errorf("dns_change due %s, want the new cutover", due["dns_change"])
	}

	if _, stderr, code := run(t, db, "", "contact", "add", "--project", "acme", "--channel", "phone", "--summary", "Confirmed the date", "--step", "confirm_contact"); code != 0 {
		t.Fatalf("contact add: %d %s", code, stderr)
	}
	out, _, _ = run(t, db, "", "contact", "list", "--project", "acme")
	if !strings.Contains(out, "Confirmed the date") || !strings.Contains(out, "confirm_contact") {
		t.Fatalf("contact list:\n%s", out)
	}

	ics := filepath.Join(t.TempDir(), "acme.ics")
	if _, stderr, code := run(t, db, "", "timeline", "ics", "--project", "acme", "--out", ics); code != 0 {
		t.Fatalf("ics: %d %s", code, stderr)
	}
	b, _ := os.ReadFile(ics)
	if n := strings.Count(string(b), "BEGIN:VEVENT"); n != len(tl.Steps) {
		t.Fatalf("%d events in the calendar, want %d", n, len(tl.Steps))
	}

	out, _, _ = run(t, db, "", "project", "list")
	if !strings.Contains(out, "acme") || !strings.Contains(out, "Microsoft 365") {
		t.Fatalf("list:\n%s", out)
	}
	// Delete asks; a wrong answer deletes nothing.
	if _, _, code := run(t, db, "nope\n", "project", "delete", "acme"); code != 2 {
		t.Fatalf("unconfirmed delete: exit %d, want 2", code)
	}
	if _, _, code := run(t, db, "acme\n", "project", "delete", "acme"); code != 0 {
		t.Fatalf("confirmed delete: exit %d", code)
	}
	if _, stderr, code := run(t, db, "", "project", "show", "acme"); code != 2 || !strings.Contains(stderr, `project "acme": not found`) {
		t.Fatalf("show after delete: %d %s", code, stderr)
	}
}

func TestBadProjectInputNamesTheField(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	base := []string{"project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "google"}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown zone", []string{"--cutover", "2099-05-14 18:00", "--tz", "Mars/Olympus"}, `tz: "Mars/Olympus": expected an IANA time zone`},
		{"cutover in the past", []string{"--cutover", "2001-05-14 18:00", "--tz", "Europe/Paris"}, `cutover: "2001-05-14 18:00": expected a moment in the future`},
		{"malformed date", []string{"--cutover", "14/05/2099 6pm", "--tz", "Europe/Paris"}, `cutover: "14/05/2099 6pm": expected a date and time like "2027-05-14 18:00"`},
		{"plain text to a remote host", []string{"--cutover", "2099-05-14 18:00", "--tz", "Europe/Paris", "--source", "imap+plain://mail.old.example"}, `source: "imap+plain://mail.old.example:143": expected TLS`},
		{"bad port", []string{"--cutover", "2099-05-14 18:00", "--tz", "Europe/Paris", "--dest", "imaps://mail.new.example:99999"}, `dest: "imaps://mail.new.example:99999": expected a port from 1 to 65535`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := run(t, db, "", append(append([]string{}, base...), c.args...)...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 and %q", code, stderr, c.want)
			}
		})
	}
	if _, stderr, code := run(t, db, "", append(base, "--cutover", "2099-05-14 18:00", "--tz", "Europe/Paris")...); code != 0 {
		t.Fatalf("valid create: %d %s", code, stderr)
	}
	if _, stderr, code := run(t, db, "", append(base, "--cutover", "2099-05-14 18:00", "--tz", "Europe/Paris")...); code != 2 || !strings.Contains(stderr, `project "acme": already exists`) {
		t.Fatalf("duplicate name: exit %d, %q", code, stderr)
	}
	if _, stderr, code := run(t, db, "", "step", "done", "--project", "acme", "finish_everything"); code != 2 || !strings.Contains(stderr, `step: "finish_everything": expected one of access_accounts`) {
		t.Fatalf("unknown step: exit %d, %q", code, stderr)
	}
	if _, stderr, code := run(t, db, "", "timeline"); code != 2 || !strings.Contains(stderr, "--project") {
		t.Fatalf("missing --project: exit %d, %q", code, stderr)
	}
	if _, _, code := run(t, db, "", "project", "create", "--no-such-flag"); code != 2 {
		t.Fatalf("unknown flag: exit %d, want 2", code)
	}
}

func TestServeRefusesANonLoopbackAddress(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	_, stderr, code := run(t, db, "", "serve", "--addr", "0.0.0.0:8080")
	if code != 2 || !strings.Contains(stderr, "a loopback address") {
		t.Fatalf("exit %d, %q", code, stderr)
	}
}

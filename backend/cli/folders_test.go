package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
	"cutover/backend/secrets"
)

// TestFoldersCommandShowsWhyAFolderKeepsItsNameAndEveryMerge: the source has its own
// Drafts (\Drafts) and a folder of the user's called Entwürfe; `cutover folders` shows that
// Entwürfe keeps its name and why, and that a rename rule merging two folders does merge
// them, naming the rule.
func TestFoldersCommandShowsWhyAFolderKeepsItsNameAndEveryMerge(t *testing.T) {
	src := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "source"})
	dst := testsrv.NewDovecot(t, testsrv.DovecotOptions{Name: "dest", Separator: "/"})
	c, err := mailbox.Dial(context.Background(), mailbox.Server{Host: src.Host, Port: src.Port, TLS: mailbox.TLSPlain},
		mailbox.Credentials{User: "alice", Password: secrets.New(src.Password("alice"))})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"Entwürfe", "Old"} {
		if err := c.Create(f, nil).Wait(); err != nil {
			t.Fatalf("create %q at the source: %v", f, err)
		}
	}
	c.Close()

	db := filepath.Join(t.TempDir(), "c.db")
	run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "imap",
		"--source", fmt.Sprintf("imap+plain://127.0.0.1:%d", src.Port), "--dest", fmt.Sprintf("imap+plain://127.0.0.1:%d", dst.Port),
		"--cutover", "2099-05-14 18:00", "--tz", "UTC")
	t.Setenv("CUTOVER_SOURCE_PASSWORD", "alice-secret")
	t.Setenv("CUTOVER_DEST_PASSWORD", "alice-secret")
	if _, stderr, code := run(t, db, "", "batch", "set", "--project", "acme", "--source", "alice", "--dest", "alice"); code != 0 {
		t.Fatalf("batch set: exit %d: %s", code, stderr)
	}

	out, stderr, code := run(t, db, "", "folders", "--project", "acme", "--user", "alice")
	if code != 0 {
		t.Fatalf("folders: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		`(?m)^Drafts\s+Drafts\s+special-use \\Drafts\s*$`,
		`(?m)^Entwürfe\s+Entwürfe \(new\)\s+Drafts at the source has \\Drafts; Entwürfe keeps its name\s*$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("folders output does not match %s:\n%s", want, out)
		}
	}

	// A rename rule is the one way to merge: the output says so on both folders.
	if _, stderr, code := run(t, db, "", "folders", "rule-add", "--project", "acme", "--pattern", "Old", "--action", "rename", "--target", "Archive"); code != 0 {
		t.Fatalf("rule-add: exit %d: %s", code, stderr)
	}
	out, _, _ = run(t, db, "", "folders", "--project", "acme", "--user", "alice")
	for _, want := range []string{
		`(?m)^Archive\s+Archive \(merged\)\s+special-use \\Archive; merged with Old by rule Old\s*$`,
		`(?m)^Old\s+Archive \(merged\)\s+rule Old; merged with Archive by rule Old\s*$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("folders output does not match %s:\n%s", want, out)
		}
	}
	out, _, _ = run(t, db, "", "--json", "folders", "--project", "acme", "--user", "alice")
	var plan struct {
		Mapping []mailbox.Mapping `json:"mapping"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("folders --json: %v: %s", err, out)
	}
	for _, m := range plan.Mapping {
		if m.Source == "Entwürfe" && m.KeptApartFrom != "Drafts" {
			t.Errorf("--json: Entwürfe kept apart from %q; want Drafts", m.KeptApartFrom)
		}
		if m.Source == "Old" && (len(m.MergedWith) != 1 || m.MergedWith[0] != "Archive" || len(m.MergeRules) != 1 || m.MergeRules[0] != "Old") {
			t.Errorf("--json: Old merged with %v by %v; want Archive by rule Old", m.MergedWith, m.MergeRules)
		}
	}
}

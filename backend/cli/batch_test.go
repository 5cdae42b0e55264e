package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBatchSetListRemoveKeepsPasswordsSealed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	if _, stderr, code := run(t, db, "", "project", "create", "--name", "acme", "--domain", "acme.example", "--provider", "imap",
		"--source", "imaps://mail.old.example", "--dest", "imaps://mail.new.example", "--cutover", "2099-05-14 18:00", "--tz", "UTC"); code != 0 {
		t.Fatalf("create: exit %d: %s", code, stderr)
	}
	t.Setenv("CUTOVER_SOURCE_PASSWORD", "s3cret-source-pw")
	t.Setenv("CUTOVER_DEST_PASSWORD", "")
	out, stderr, code := run(t, db, "", "batch", "set", "--project", "acme", "--source", "alice", "--dest", "alice@acme.example", "--name", "Alice")
	if code != 0 {
		t.Fatalf("batch set: exit %d: %s", code, stderr)
	}
	if strings.Contains(out+stderr, "s3cret-source-pw") {
		t.Fatalf("the password was printed: %s %s", out, stderr)
	}
	// The same source login again updates the entry instead of adding one.
	os.Unsetenv("CUTOVER_SOURCE_PASSWORD")
	if _, stderr, code := run(t, db, "", "batch", "set", "--project", "acme", "--source", "ALICE", "--dest", "alice.b@acme.example"); code != 0 {
		t.Fatalf("batch set again: exit %d: %s", code, stderr)
	}
	run(t, db, "", "batch", "set", "--project", "acme", "--source", "bob", "--dest", "bob@acme.example")
	out, _, _ = run(t, db, "", "--json", "batch", "list", "--project", "acme")
	var entries []struct {
		SourceLogin, DestLogin, Name       string
		Enabled                            bool
		HasSourcePassword, HasDestPassword bool
	}
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	if len(entries) != 2 || entries[0].DestLogin != "alice.b@acme.example" || !entries[0].HasSourcePassword || entries[0].HasDestPassword || entries[1].HasSourcePassword {
		t.Fatalf("batch: %+v", entries)
	}
	if entries[0].Name != "Alice" || !entries[0].Enabled {
		t.Fatalf("changing alice's destination lost her name or state: %+v", entries[0])
	}
	// Disabling keeps the rest; another change keeps it disabled until --enable.
	run(t, db, "", "batch", "set", "--project", "acme", "--source", "alice", "--dest", "alice.b@acme.example", "--disabled")
	run(t, db, "", "batch", "set", "--project", "acme", "--source", "alice", "--dest", "alice.c@acme.example")
	out, _, _ = run(t, db, "", "--json", "batch", "list", "--project", "acme")
	json.Unmarshal([]byte(out), &entries)
	if entries[0].Enabled || entries[0].Name != "Alice" || entries[0].DestLogin != "alice.c@acme.example" {
		t.Fatalf("after --disabled and a change of destination: %+v", entries[0])
	}
	run(t, db, "", "batch", "set", "--project", "acme", "--source", "alice", "--dest", "alice.c@acme.example", "--enable", "--name", "Alice B.")
	out, _, _ = run(t, db, "", "--json", "batch", "list", "--project", "acme")
	json.Unmarshal([]byte(out), &entries)
	if !entries[0].Enabled || entries[0].Name != "Alice B." {
		t.Fatalf("after --enable --name: %+v", entries[0])
	}
	run(t, db, "", "batch", "set", "--project", "acme", "--source", "alice", "--dest", "alice.b@acme.example")
	for _, f := range []string{db, db + "-wal"} {
		raw, _ := os.ReadFile(f)
		if strings.Contains(string(raw), "s3cret-source-pw") {
			t.Fatalf("the password is in %s in plain text", f)
		}
	}

	// A destination already used by another source mailbox is refused, naming it.
	_, stderr, code = run(t, db, "", "batch", "set", "--project", "acme", "--source", "carol", "--dest", "bob@acme.example")
	if code != ExitUsage || !strings.Contains(stderr, "bob@acme.example") {
		t.Fatalf("duplicate destination: exit %d: %s", code, stderr)
	}
	_, stderr, code = run(t, db, "", "batch", "set", "--project", "acme", "--source", "dave smith", "--dest", "dave@acme.example")
	if code != ExitUsage || !strings.Contains(stderr, "source login") {
		t.Fatalf("login with a space: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, db, "", "batch", "remove", "--project", "acme", "alice"); code != 0 {
		t.Fatalf("remove: exit %d: %s", code, stderr)
	}
	if _, _, code := run(t, db, "", "batch", "remove", "--project", "acme", "alice"); code != ExitUsage {
		t.Fatalf("removing a missing entry: exit %d, want %d", code, ExitUsage)
	}
	out, _, _ = run(t, db, "", "--json", "batch", "list", "--project", "acme")
	if strings.Count(out, "sourceLogin") != 1 {
		t.Fatalf("after remove: %s", out)
	}
}

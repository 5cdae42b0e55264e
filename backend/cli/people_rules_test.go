package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The same login is refused by `cutover import users` and by `cutover batch set`, in the
// same words, as bad input (exit 2).
func TestImportAndBatchSetRefuseTheSameLoginInTheSameWords(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	createAcme(t, db)
	const login = "jean\u00a0dupont"
	const why = "contains a no-break space (U+00A0) at character 5"
	const expected = "expected a login without spaces, control or invisible characters, such as alice@old.example or alice"
	file := filepath.Join(dir, "staff.csv")
	if err := os.WriteFile(file, []byte("Email address,Source login\njean@acme.example,"+login+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, db, "", "import", "users", file, "--project", "acme")
	if code != ExitUsage || !strings.Contains(out, "row 2, column B (Source login): login "+why) || !strings.Contains(out, expected) {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}
	_, stderr, code = run(t, db, "", "batch", "set", "--project", "acme", "--source", login, "--dest", "jean@acme.example")
	if code != ExitUsage || !strings.Contains(stderr, `source login: "jean\u00a0dupont" `+why+"; "+expected) {
		t.Fatalf("batch set: exit %d: %s", code, stderr)
	}
}

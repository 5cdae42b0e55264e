package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type memBlobs map[string][]byte

func (m memBlobs) PutSecret(_ context.Context, ref string, _ int64, sealed []byte) error {
	m[ref] = sealed
	return nil
}
func (m memBlobs) SecretBlob(_ context.Context, ref string) ([]byte, error) { return m[ref], nil }
func (m memBlobs) DeleteSecret(_ context.Context, ref string) error         { delete(m, ref); return nil }

const pw = "correct horse battery staple"

func TestSecretNeverPrintsItsValue(t *testing.T) {
	s := New(pw)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("login", "password", s, "struct", struct{ P Secret }{s})
	js, _ := json.Marshal(map[string]any{"p": s})
	for name, out := range map[string]string{
		"%v": fmt.Sprintf("%v", s), "%s": fmt.Sprintf("%s", s), "%+v": fmt.Sprintf("%+v", struct{ P Secret }{s}),
		"%#v": fmt.Sprintf("%#v", s), "%q": fmt.Sprintf("%q", s), "json": string(js), "slog": logged.String(),
	} {
		if strings.Contains(out, "horse") {
			t.Errorf("%s shows the password: %s", name, out)
		}
	}
	if s.Reveal() != pw {
		t.Fatal("Reveal lost the value")
	}
}

func TestVaultSealsAndOpens(t *testing.T) {
	ctx := context.Background()
	key, err := LoadOrCreateKey(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	blobs := memBlobs{}
	v, _ := NewVault(key, blobs)
	if err := v.Put(ctx, "user:1", 0, New(pw)); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blobs["user:1"], []byte("horse")) {
		t.Fatal("the stored blob holds the plain text")
	}
	got, err := v.Get(ctx, "user:1")
	if err != nil || got.Reveal() != pw {
		t.Fatalf("got %v, %v", got.Reveal() == pw, err)
	}
	// A blob moved to another reference does not open.
	blobs["user:2"] = blobs["user:1"]
	if _, err := v.Get(ctx, "user:2"); err == nil {
		t.Fatal("a blob opened under another reference")
	}
	// Another key does not open it.
	other, _ := LoadOrCreateKey(filepath.Join(t.TempDir(), "k2"))
	v2, _ := NewVault(other, blobs)
	if _, err := v2.Get(ctx, "user:1"); err == nil || !strings.Contains(err.Error(), "wrong key file") {
		t.Fatalf("another key: %v", err)
	}
	if _, err := v.Get(ctx, "missing"); err == nil {
		t.Fatal("no error for a missing secret")
	}
}

func TestKeyFileIsReusedAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "k")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := LoadOrCreateKey(path)
	if !bytes.Equal(k1, k2) {
		t.Fatal("a second load made a new key")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
}

// A password typed in the window or the browser arrives as a JSON string and is a
// Secret from then on; the mask a Secret is written as is never taken for a password.
func TestSecretIsReadFromTheJSONTheUISends(t *testing.T) {
	var in struct {
		Login    string `json:"login"`
		Password Secret `json:"password"`
	}
	if err := json.Unmarshal([]byte(`{"login":"admin","password":"s3cr\"et"}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.Password.Reveal() != `s3cr"et` {
		t.Errorf("password %q", in.Password.Reveal())
	}
	if out := fmt.Sprintf("%v %+v", in, in); strings.Contains(out, "s3cr") {
		t.Errorf("printed: %s", out)
	}
	for _, js := range []string{`{"password":null}`, `{"password":""}`} {
		in.Password = New("old")
		if err := json.Unmarshal([]byte(js), &in); err != nil || !in.Password.IsZero() {
			t.Errorf("%s: %q, %v; want no password", js, in.Password.Reveal(), err)
		}
	}
	for _, bad := range []string{`{"password":"****"}`, `{"password":42}`} {
		err := json.Unmarshal([]byte(bad), &in)
		if err == nil || !strings.Contains(err.Error(), "password") {
			t.Errorf("%s: %v; want an error about the password", bad, err)
		}
	}
}

// Package secrets keeps passwords out of plain text: a Secret prints as "****" in
// every format and log, and a Vault seals secrets with AES-256-GCM before they reach
// the database. The key lives in a separate file (0600) beside the database, so a
// copied database file alone reveals no password.
package secrets

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

const mask = "****"

// Secret is a password or other credential. It never prints its value: String,
// GoString, Format, LogValue and MarshalJSON all give "****". Reveal returns it;
// UnmarshalJSON takes one typed in (a JSON string).
type Secret struct{ value string }

// New wraps a value.
func New(v string) Secret { return Secret{value: v} }

// Reveal returns the secret's value, for the one place that must send it.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

func (s Secret) String() string               { return mask }
func (s Secret) GoString() string             { return mask }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(mask) }
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + mask + `"`), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(mask), nil }
func (s Secret) Format(f fmt.State, _ rune)   { _, _ = io.WriteString(f, mask) }

// UnmarshalJSON reads a secret the user typed, sent as a JSON string by the window or
// the browser, so that an input holds it as a Secret from the moment it is decoded.
// The mask itself is refused: it is what a Secret is written as, never a value typed
// in, and taking it would silently store "****" as the password.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v *string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a password must be a JSON string: %w", err)
	}
	if v == nil { // null: no secret given
		*s = Secret{}
		return nil
	}
	if *v == mask {
		return errors.New(`a password of "` + mask + `" is a masked secret, not one typed in: give the password itself`)
	}
	*s = Secret{value: *v}
	return nil
}

// Blobs is where a Vault keeps sealed secrets (the store implements it).
type Blobs interface {
	PutSecret(ctx context.Context, ref string, projectID int64, sealed []byte) error
	SecretBlob(ctx context.Context, ref string) ([]byte, error)
	DeleteSecret(ctx context.Context, ref string) error
}

// Vault seals and opens secrets kept in Blobs.
type Vault struct {
	aead  cipher.AEAD
	blobs Blobs
}

// ErrNoSecret is returned when no secret is stored under a reference.
var ErrNoSecret = errors.New("no secret stored")

// KeyPath is where the key for the database at dbPath lives.
func KeyPath(dbPath string) string { return dbPath + ".key" }

// LoadOrCreateKey reads the 32-byte key at path, creating it (0600) when absent.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) != 32 {
			return nil, fmt.Errorf("key file %s: expected 32 bytes, found %d", path, len(key))
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process made it first
			return LoadOrCreateKey(path)
		}
		return nil, fmt.Errorf("create key file: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(key); err != nil {
		return nil, fmt.Errorf("write key file: %w", err)
	}
	return key, f.Sync()
}

// NewVault returns a vault sealing with key (32 bytes) into blobs.
func NewVault(key []byte, blobs Blobs) (*Vault, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &Vault{aead: aead, blobs: blobs}, nil
}

// Seal encrypts plaintext, binding it to ref so a blob moved to another ref fails to open.
func (v *Vault) Seal(ref string, s Secret) ([]byte, error) {
	nonce := make([]byte, v.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return v.aead.Seal(nonce, nonce, []byte(s.value), []byte(ref)), nil
}

// Unseal decrypts a blob made by Seal for ref.
func (v *Vault) Unseal(ref string, sealed []byte) (Secret, error) {
	n := v.aead.NonceSize()
	if len(sealed) < n {
		return Secret{}, fmt.Errorf("secret %s: sealed value too short", ref)
	}
	plain, err := v.aead.Open(nil, sealed[:n], sealed[n:], []byte(ref))
	if err != nil {
		return Secret{}, fmt.Errorf("secret %s: cannot decrypt (wrong key file?): %w", ref, err)
	}
	return Secret{value: string(plain)}, nil
}

// Put seals and stores a secret under ref.
func (v *Vault) Put(ctx context.Context, ref string, projectID int64, s Secret) error {
	sealed, err := v.Seal(ref, s)
	if err != nil {
		return fmt.Errorf("seal secret %s: %w", ref, err)
	}
	return v.blobs.PutSecret(ctx, ref, projectID, sealed)
}

// Get returns the secret stored under ref, or ErrNoSecret.
func (v *Vault) Get(ctx context.Context, ref string) (Secret, error) {
	sealed, err := v.blobs.SecretBlob(ctx, ref)
	if err != nil {
		return Secret{}, err
	}
	if sealed == nil {
		return Secret{}, fmt.Errorf("secret %s: %w", ref, ErrNoSecret)
	}
	return v.Unseal(ref, sealed)
}

// Delete removes the secret under ref.
func (v *Vault) Delete(ctx context.Context, ref string) error { return v.blobs.DeleteSecret(ctx, ref) }

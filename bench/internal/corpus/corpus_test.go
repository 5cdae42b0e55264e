package corpus

import (
	"bytes"
	"crypto/sha256"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEncodeMailboxName(t *testing.T) {
	for in, want := range map[string]string{
		"INBOX":          "INBOX",
		"Reçus":          "Re&AOc-us",
		"Entwürfe":       "Entw&APw-rfe",
		"R&D":            "R&-D",
		"日本語":            "&ZeVnLIqe-",
		"Tom & Jerry ü ": "Tom &- Jerry &APw- ",
	} {
		if got := EncodeMailboxName(in); got != want {
			t.Errorf("EncodeMailboxName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInfoFlags(t *testing.T) {
	if got := InfoFlags([]string{`\Seen`, `\Flagged`, `\Answered`}); got != "FRS" {
		t.Errorf("got %q, want FRS", got)
	}
	if got := InfoFlags(nil); got != "" {
		t.Errorf("got %q, want empty", got)
	}
}

func digest(t *testing.T, opts Options) ([32]byte, []*Message) {
	h := sha256.New()
	var msgs []*Message
	if err := Generate(opts, func(m *Message) error {
		h.Write(m.Body)
		msgs = append(msgs, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d, msgs
}

func TestGenerateReproducibleAndShaped(t *testing.T) {
	a, msgs := digest(t, Options{Messages: 3000, Seed: 7})
	b, _ := digest(t, Options{Messages: 3000, Seed: 7})
	c, _ := digest(t, Options{Messages: 3000, Seed: 8})
	if a != b {
		t.Fatal("same seed gave a different corpus")
	}
	if a == c {
		t.Fatal("different seeds gave the same corpus")
	}
	if len(msgs) != 3000 {
		t.Fatalf("got %d messages", len(msgs))
	}
	folders := map[int]int{}
	var small, big, noID, unseen, flagged int
	for _, m := range msgs {
		folders[m.Folder]++
		if n := len(m.Body); n >= 2048 && n <= 22*1024 {
			small++
		} else if n >= 200*1024 && n <= 2200*1024 {
			big++
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Body))
		if err != nil {
			t.Fatalf("message %d does not parse: %v", m.Index, err)
		}
		if msg.Header.Get("Message-Id") == "" {
			noID++
		}
		if bytes.Contains(bytes.ReplaceAll(m.Body, []byte("\r\n"), nil), []byte("\n")) {
			t.Fatalf("message %d has a bare LF", m.Index)
		}
		if InfoFlags(m.Flags) == "" || !strings.Contains(InfoFlags(m.Flags), "S") {
			unseen++
		}
		if strings.Contains(InfoFlags(m.Flags), "F") {
			flagged++
		}
	}
	if len(folders) != len(Folders) {
		t.Errorf("messages in %d folders, want %d", len(folders), len(Folders))
	}
	if small < 2850 || big == 0 || small+big != 3000 {
		t.Errorf("sizes: %d small, %d big of 3000", small, big)
	}
	if noID == 0 || unseen == 0 || flagged == 0 {
		t.Errorf("want some without Message-ID (%d), unread (%d), flagged (%d)", noID, unseen, flagged)
	}
}

func TestMaildirWriter(t *testing.T) {
	root := filepath.Join(t.TempDir(), "alice", "Maildir")
	w, err := NewMaildirWriter(root)
	if err != nil {
		t.Fatal(err)
	}
	_, msgs := digest(t, Options{Messages: 50, Seed: 1})
	for _, m := range msgs {
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && filepath.Base(filepath.Dir(p)) == "cur" {
			n++
		}
		return nil
	})
	if n != 50 {
		t.Errorf("%d files in cur/ directories, want 50", n)
	}
	if _, err := os.Stat(filepath.Join(root, ".Re&AOc-us", "maildirfolder")); err != nil {
		t.Errorf("non-ASCII folder: %v", err)
	}
}

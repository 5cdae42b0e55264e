package corpus

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf16"
)

// EncodeMailboxName encodes a folder name in IMAP's modified UTF-7 (RFC 3501 section
// 5.1.3): printable ASCII stays, "&" becomes "&-", anything else is UTF-16 in modified
// base64 (',' for '/') between '&' and '-'.
func EncodeMailboxName(s string) string {
	var b strings.Builder
	var pending []rune
	flush := func() {
		if len(pending) == 0 {
			return
		}
		u := utf16.Encode(pending)
		raw := make([]byte, 0, 2*len(u))
		for _, c := range u {
			raw = append(raw, byte(c>>8), byte(c))
		}
		enc := base64.RawStdEncoding.EncodeToString(raw)
		b.WriteByte('&')
		b.WriteString(strings.ReplaceAll(enc, "/", ","))
		b.WriteByte('-')
		pending = pending[:0]
	}
	for _, r := range s {
		if r >= 0x20 && r <= 0x7e {
			flush()
			if r == '&' {
				b.WriteString("&-")
			} else {
				b.WriteRune(r)
			}
			continue
		}
		pending = append(pending, r)
	}
	flush()
	return b.String()
}

// MaildirWriter writes messages straight into a user's Maildir++ (Dovecot's
// "maildir:~/Maildir" layout, "." as hierarchy delimiter) before anyone logs in:
// far faster than APPENDing them. INTERNALDATE is the file's mtime; flags are the
// ":2," info letters.
type MaildirWriter struct {
	Root     string // the user's Maildir directory
	uid, gid int
	chown    bool
	made     map[int]string
	seq      int
}

// NewMaildirWriter prepares root; files and directories it creates are given to the owner
// of the nearest existing ancestor directory (the mail server's user when run as root).
func NewMaildirWriter(root string) (*MaildirWriter, error) {
	w := &MaildirWriter{Root: root, made: map[int]string{}}
	anc := root
	for {
		st, err := os.Stat(anc)
		if err == nil {
			if sys, ok := st.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
				w.uid, w.gid, w.chown = int(sys.Uid), int(sys.Gid), true
			}
			break
		}
		parent := filepath.Dir(anc)
		if parent == anc {
			return nil, fmt.Errorf("maildir %s: no existing parent directory", root)
		}
		anc = parent
	}
	if err := w.mkdir(root); err != nil {
		return nil, err
	}
	return w, nil
}

// mkdir creates dir and its missing parents, owned like the ancestor.
func (w *MaildirWriter) mkdir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := w.mkdir(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return fmt.Errorf("maildir: %w", err)
	}
	if w.chown {
		if err := os.Chown(dir, w.uid, w.gid); err != nil {
			return fmt.Errorf("maildir: give %s to the mail user: %w", dir, err)
		}
	}
	return nil
}

// folderDir returns (creating it once) the Maildir++ directory of folder f.
func (w *MaildirWriter) folderDir(f int) (string, error) {
	if d, ok := w.made[f]; ok {
		return d, nil
	}
	path := Folders[f].Path
	dir := w.Root
	if !(len(path) == 1 && path[0] == "INBOX") {
		enc := make([]string, len(path))
		for i, p := range path {
			enc[i] = EncodeMailboxName(p)
		}
		dir = filepath.Join(w.Root, "."+strings.Join(enc, "."))
	}
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := w.mkdir(filepath.Join(dir, sub)); err != nil {
			return "", err
		}
	}
	if dir != w.Root {
		mf := filepath.Join(dir, "maildirfolder")
		if err := os.WriteFile(mf, nil, 0o600); err != nil {
			return "", fmt.Errorf("maildir: %w", err)
		}
		if w.chown {
			os.Chown(mf, w.uid, w.gid)
		}
	}
	w.made[f] = dir
	return dir, nil
}

// InfoFlags returns the Maildir info letters of IMAP flags, in ASCII order as Maildir wants.
func InfoFlags(flags []string) string {
	var letters []byte
	for _, l := range []struct {
		c    byte
		flag string
	}{{'D', `\Draft`}, {'F', `\Flagged`}, {'R', `\Answered`}, {'S', `\Seen`}, {'T', `\Deleted`}} {
		for _, f := range flags {
			if strings.EqualFold(f, l.flag) {
				letters = append(letters, l.c)
				break
			}
		}
	}
	return string(letters)
}

// Write stores one message in its folder's cur/ with its flags and date.
func (w *MaildirWriter) Write(m *Message) error {
	dir, err := w.folderDir(m.Folder)
	if err != nil {
		return err
	}
	w.seq++
	name := fmt.Sprintf("%d.M%dP%dQ%d.bench,S=%d:2,%s", m.Date.Unix(), w.seq, os.Getpid(), w.seq, len(m.Body), InfoFlags(m.Flags))
	p := filepath.Join(dir, "cur", name)
	if err := os.WriteFile(p, m.Body, 0o600); err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	if w.chown {
		if err := os.Chown(p, w.uid, w.gid); err != nil {
			return fmt.Errorf("maildir: %w", err)
		}
	}
	if err := os.Chtimes(p, m.Date, m.Date); err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	return nil
}

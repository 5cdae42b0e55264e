package mailbox

import (
	"reflect"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestFolderMapping(t *testing.T) {
	src := []Folder{
		{Name: "INBOX", Delim: "."},
		{Name: "INBOX.Sent Items", Delim: "."},
		{Name: "Deleted Items", Delim: "."},
		{Name: "Brouillons", Delim: "."},
		{Name: "Gesendet", Delim: ".", SpecialUse: `\Sent`},
		{Name: "[Gmail]", Delim: ".", NoSelect: true},
		{Name: "Work.Projects.2024", Delim: "."},
		{Name: "Réunions", Delim: "."},
		{Name: "a/b", Delim: "."},
		{Name: "Archive.2019", Delim: "."},
		{Name: "Public.Shared", Delim: "."},
		{Name: "INBOX.Clients", Delim: "."},
	}
	dst := []Folder{{Name: "INBOX", Delim: "/"}, {Name: "Sent Items", Delim: "/", SpecialUse: `\Sent`}, {Name: "Deleted Items", Delim: "/", SpecialUse: `\Trash`}}
	rules := []Rule{{Pattern: "Public/*", Action: "exclude"}, {Pattern: "Archive/*", Action: "rename", Target: "Old archive"}}
	got := map[string]Mapping{}
	for _, m := range MapFolders(src, dst, "/", rules) {
		got[m.Source] = m
	}
	want := map[string]string{
		"INBOX":              "INBOX",
		"INBOX.Sent Items":   "Sent Items",    // well-known name under INBOX, to the destination's \Sent
		"Deleted Items":      "Deleted Items", // → the destination's \Trash
		"Brouillons":         "Drafts",        // French drafts, no \Drafts at the destination yet
		"Gesendet":           "Sent Items",    // special-use first
		"Work.Projects.2024": "Work/Projects/2024",
		"Réunions":           "Réunions",
		"a/b":                "a/b", // a "/" inside a "."-delimited name stays one level (no split)
		"Archive.2019":       "Old archive/2019",
		"INBOX.Clients":      "Clients",
	}
	for s, d := range want {
		if got[s].Dest != d || got[s].Excluded {
			t.Errorf("%q → %q (%s); want %q", s, got[s].Dest, got[s].Reason, d)
		}
	}
	if !got["Public.Shared"].Excluded {
		t.Errorf("Public.Shared not excluded by rule: %+v", got["Public.Shared"])
	}
	if _, ok := got["[Gmail]"]; ok {
		t.Errorf("a \\Noselect folder was mapped")
	}
	if !got["Deleted Items"].Exists || got["Work.Projects.2024"].Exists {
		t.Errorf("Exists wrong: %+v %+v", got["Deleted Items"], got["Work.Projects.2024"])
	}
}

func TestModifiedUTF7(t *testing.T) {
	for in, want := range map[string]string{
		"INBOX":          "INBOX",
		"Réunions":       "R&AOk-unions",
		"Dupont & Fils":  "Dupont &- Fils",
		"日本語":            "&ZeVnLIqe-",
		"~peter/mail/台北": "~peter/mail/&U,BTFw-",
	} {
		if got := encodeMUTF7(in); got != want {
			t.Errorf("encodeMUTF7(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTaggedAppendAnswers(t *testing.T) {
	d, uids, err := parseTagged("OK [APPENDUID 38505 3955] APPEND completed")
	if err != nil || d.UIDValidity != 38505 || d.UID != 3955 || !reflect.DeepEqual(uids, []imap.UID{3955}) {
		t.Fatalf("got %+v %v %v", d, uids, err)
	}
	// MULTIAPPEND: one UID per message, in the order they were appended.
	d, uids, err = parseTagged("OK [APPENDUID 7 12:14,20,23:22] Append completed.")
	if err != nil || d.UIDValidity != 7 || d.UID != 0 || !reflect.DeepEqual(uids, []imap.UID{12, 13, 14, 20, 22, 23}) {
		t.Fatalf("got %+v %v %v", d, uids, err)
	}
	if _, uids, _ := parseTagged("OK [APPENDUID 7 12:x] done"); uids != nil {
		t.Fatalf("a set that does not parse gave %v", uids)
	}
	_, _, err = parseTagged("NO [LIMIT] Mail size is larger than the maximum size allowed by server configuration")
	var ie *imap.Error
	if !asIMAPError(err, &ie) || ie.Code != "LIMIT" || !strings.HasPrefix(ie.Text, "Mail size") {
		t.Fatalf("got %#v", err)
	}
	if retryable(err) {
		t.Fatalf("a refusal must not be retried")
	}
	_, _, err = parseTagged("NO [UNAVAILABLE] try later")
	if !retryable(err) {
		t.Fatalf("[UNAVAILABLE] must be retried")
	}
}

func asIMAPError(err error, target **imap.Error) bool {
	ie, ok := err.(*imap.Error)
	if ok {
		*target = ie
	}
	return ok
}

func TestMessageKeys(t *testing.T) {
	h := []byte("Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nMessage-ID:\r\n <abc@x>\r\n\r\n")
	if got := headerField(h, "message-id"); got != "<abc@x>" {
		t.Fatalf("folded Message-ID read as %q", got)
	}
	if messageIDKey("") != "" || messageIDKey("  ") != "" || messageIDKey("<>") != "" {
		t.Fatal("a blank Message-ID must give no key, never a shared one")
	}
	if headerKey([]byte("a"), 1) == headerKey([]byte("a"), 2) {
		t.Fatal("size is part of the header key")
	}
}

func FuzzHeaderField(f *testing.F) {
	f.Add([]byte("Message-ID: <a@b>\r\nSubject: x\r\n\r\n"), "Message-ID")
	f.Add([]byte("Subject:\n\tfolded\n"), "subject")
	f.Fuzz(func(t *testing.T, h []byte, name string) {
		v := headerField(h, name)
		if strings.ContainsAny(v, "\r\n") {
			t.Fatalf("unfolded value holds a line break: %q", v)
		}
		decodeSubject(v)
	})
}

func FuzzParseTagged(f *testing.F) {
	f.Add("OK [APPENDUID 1 2] done")
	f.Add("NO [LIMIT] too big")
	f.Add("BAD [")
	f.Add("OK [APPENDUID 7 1:4294967295] a hostile answer")
	f.Fuzz(func(t *testing.T, s string) {
		data, uids, err := parseTagged(s)
		status, _, _ := strings.Cut(s, " ")
		ok := strings.EqualFold(status, "OK")
		if ok != (err == nil) {
			t.Fatalf("%q: error %v, but its status is %q", s, err, status)
		}
		if err != nil {
			var ie *imap.Error
			if !asIMAPError(err, &ie) || ie.Type == "" {
				t.Fatalf("%q: a refusal must be an *imap.Error with its type, got %#v", s, err)
			}
			return
		}
		if len(uids) > multiAppendMax {
			t.Fatalf("%q: %d UIDs from one APPEND answer; at most %d", s, len(uids), multiAppendMax)
		}
		for i := 1; i < len(uids); i++ {
			if uids[i] <= uids[i-1] && !strings.Contains(s, ",") {
				t.Fatalf("%q: UIDs %v not ascending", s, uids)
			}
		}
		if len(uids) == 1 && data.UID != uids[0] {
			t.Fatalf("%q: one UID %d but AppendData.UID %d", s, uids[0], data.UID)
		}
	})
}

func FuzzEncodeMUTF7(f *testing.F) {
	f.Add("Réunions & co")
	f.Fuzz(func(t *testing.T, s string) {
		out := encodeMUTF7(s)
		for i := 0; i < len(out); i++ {
			if out[i] < 0x20 || out[i] > 0x7e {
				t.Fatalf("non-ASCII output %q for %q", out, s)
			}
		}
	})
}

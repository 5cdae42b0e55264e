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
		"INBOX.Sent Items":   "INBOX/Sent Items", // Gesendet has \Sent: no guess by name, and Sent Items is Gesendet's
		"Deleted Items":      "Deleted Items",    // → the destination's \Trash
		"Brouillons":         "Drafts",           // French drafts, no \Drafts at the destination yet
		"Gesendet":           "Sent Items",       // special-use first
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

// TestMappingNeverMergesTwoSourceFoldersByAGuess is the rule of MapFolders: every way two
// source folders could land in one destination folder, and where each goes instead.
func TestMappingNeverMergesTwoSourceFoldersByAGuess(t *testing.T) {
	sent, drafts, trash := `\Sent`, `\Drafts`, `\Trash`
	for _, tc := range []struct {
		name     string
		src, dst []Folder
		dstDelim string
		rules    []Rule
		want     map[string]string // source → destination
		reasons  map[string]string // source → text its Reason holds
		check    func(t *testing.T, got map[string]Mapping)
	}{{
		name:    "a special-use folder at the source stops the guess by name",
		src:     []Folder{{Name: "INBOX", Delim: "."}, {Name: "Drafts", Delim: ".", SpecialUse: drafts}, {Name: "Entwürfe", Delim: "."}},
		dst:     []Folder{{Name: "INBOX", Delim: "/"}, {Name: "Drafts", Delim: "/", SpecialUse: drafts}},
		want:    map[string]string{"INBOX": "INBOX", "Drafts": "Drafts", "Entwürfe": "Entwürfe"},
		reasons: map[string]string{"Drafts": `special-use \Drafts`, "Entwürfe": `Drafts at the source has \Drafts; Entwürfe keeps its name`},
		check: func(t *testing.T, got map[string]Mapping) {
			if m := got["Entwürfe"]; m.KeptApartFrom != "Drafts" || m.MergedWith != nil {
				t.Errorf("Entwürfe: %+v; want it kept apart from Drafts", m)
			}
		},
	}, {
		name:    "a special-use folder under another name, the well-known name kept apart",
		src:     []Folder{{Name: "Gesendet", Delim: ".", SpecialUse: sent}, {Name: "Sent", Delim: "."}},
		dst:     []Folder{{Name: "Sent Items", Delim: "/", SpecialUse: sent}},
		want:    map[string]string{"Gesendet": "Sent Items", "Sent": "Sent"},
		reasons: map[string]string{"Sent": `Gesendet at the source has \Sent; Sent keeps its name`},
	}, {
		name:    "a regular folder named like the destination's special-use folder",
		src:     []Folder{{Name: "Gesendet", Delim: ".", SpecialUse: sent}, {Name: "Sent Items", Delim: "."}},
		dst:     []Folder{{Name: "Sent Items", Delim: "/", SpecialUse: sent}},
		want:    map[string]string{"Gesendet": "Sent Items", "Sent Items": "Sent Items (2)"},
		reasons: map[string]string{"Sent Items": `Gesendet at the source has \Sent; Sent Items becomes Sent Items (2)`},
	}, {
		name:    "two folders with the same special use: the one named like the destination's wins",
		src:     []Folder{{Name: "Sent", Delim: ".", SpecialUse: sent}, {Name: "Sent Messages", Delim: ".", SpecialUse: sent}},
		dst:     []Folder{{Name: "Sent Messages", Delim: "/", SpecialUse: sent}},
		want:    map[string]string{"Sent": "Sent", "Sent Messages": "Sent Messages"},
		reasons: map[string]string{"Sent": `Sent Messages at the source has \Sent too; Sent keeps its name`},
	}, {
		name:    "two folders with the same special use, neither named like the destination's: the first by name wins",
		src:     []Folder{{Name: "[Gmail]/Sent Mail", Delim: "/", SpecialUse: sent}, {Name: "Gesendet", Delim: "/", SpecialUse: sent}},
		dst:     []Folder{{Name: "Sent Items", Delim: "/", SpecialUse: sent}},
		want:    map[string]string{"Gesendet": "Sent Items", "[Gmail]/Sent Mail": "[Gmail]/Sent Mail"},
		reasons: map[string]string{"[Gmail]/Sent Mail": `Gesendet at the source has \Sent too; [Gmail]/Sent Mail keeps its name`},
	}, {
		name: "two well-known names, no special use at the source",
		src: []Folder{{Name: "Sent", Delim: "."}, {Name: "Sent Items", Delim: "."}, {Name: "Trash", Delim: "."}, {Name: "Deleted Items", Delim: "."},
			{Name: "Brouillons", Delim: "."}, {Name: "Entwürfe", Delim: "."}},
		dst:     []Folder{{Name: "Deleted Items", Delim: "/", SpecialUse: trash}},
		want:    map[string]string{"Sent": "Sent", "Sent Items": "Sent Items", "Deleted Items": "Deleted Items", "Trash": "Trash", "Brouillons": "Drafts", "Entwürfe": "Entwürfe"},
		reasons: map[string]string{"Sent Items": "Sent goes to Sent; Sent Items keeps its name", "Trash": "Deleted Items goes to Deleted Items", "Entwürfe": "Brouillons goes to Drafts"},
	}, {
		name:    "a / inside a .-delimited name next to the real hierarchy",
		src:     []Folder{{Name: "a", Delim: "."}, {Name: "a.b", Delim: "."}, {Name: "a/b", Delim: "."}},
		want:    map[string]string{"a": "a", "a.b": "a/b", "a/b": "a_b"},
		reasons: map[string]string{"a/b": "a.b goes to a/b; a/b becomes a_b"},
	}, {
		name:     "the destination's delimiter inside a level",
		src:      []Folder{{Name: "a.b", Delim: "/"}, {Name: "a_b", Delim: "/"}},
		dstDelim: ".",
		want:     map[string]string{"a_b": "a_b", "a.b": "a_b (2)"},
		reasons:  map[string]string{"a.b": "a_b goes to a_b; a.b becomes a_b (2)"},
	}, {
		name:    "INBOX.Work and Work both at the source",
		src:     []Folder{{Name: "INBOX", Delim: "."}, {Name: "INBOX.Work", Delim: "."}, {Name: "Work", Delim: "."}, {Name: "INBOX.INBOX", Delim: "."}, {Name: "INBOX.Clients", Delim: "."}},
		want:    map[string]string{"INBOX": "INBOX", "Work": "Work", "INBOX.Work": "INBOX/Work", "INBOX.INBOX": "INBOX/INBOX", "INBOX.Clients": "Clients"},
		reasons: map[string]string{"INBOX.Work": "Work goes to Work; INBOX.Work becomes INBOX/Work"},
	}, {
		name:    "names that differ only by case",
		src:     []Folder{{Name: "Work", Delim: "."}, {Name: "work", Delim: "."}, {Name: "Sent", Delim: ".", SpecialUse: sent}, {Name: "sent", Delim: "."}},
		dst:     []Folder{{Name: "Sent", Delim: "/", SpecialUse: sent}},
		want:    map[string]string{"Work": "Work", "work": "work (2)", "Sent": "Sent", "sent": "sent (2)"},
		reasons: map[string]string{"work": "Work goes to Work; work becomes work (2)"},
	}, {
		name:    "a rename rule merges, and says so",
		src:     []Folder{{Name: "Archive", Delim: ".", SpecialUse: `\Archive`}, {Name: "Old", Delim: "."}, {Name: "Older", Delim: "."}, {Name: "Projects", Delim: "."}},
		dst:     []Folder{{Name: "Archive", Delim: "/", SpecialUse: `\Archive`}},
		rules:   []Rule{{Pattern: "Old", Action: "rename", Target: "Archive"}, {Pattern: "Older", Action: "rename", Target: "Archive"}},
		want:    map[string]string{"Archive": "Archive", "Old": "Archive", "Older": "Archive", "Projects": "Projects"},
		reasons: map[string]string{"Archive": "merged with Old, Older by rules Old, Older", "Old": "rule Old; merged with Archive, Older"},
		check: func(t *testing.T, got map[string]Mapping) {
			a := got["Archive"]
			if !reflect.DeepEqual(a.MergedWith, []string{"Old", "Older"}) || !reflect.DeepEqual(a.MergeRules, []string{"Old", "Older"}) {
				t.Errorf("Archive: merged with %v by %v; want Old, Older by the rules Old, Older", a.MergedWith, a.MergeRules)
			}
			if p := got["Projects"]; p.MergedWith != nil || p.KeptApartFrom != "" {
				t.Errorf("Projects: %+v", p)
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			dstDelim := tc.dstDelim
			if dstDelim == "" {
				dstDelim = "/"
			}
			ms := MapFolders(tc.src, tc.dst, dstDelim, tc.rules)
			got := map[string]Mapping{}
			for _, m := range ms {
				got[m.Source] = m
			}
			for s, d := range tc.want {
				if got[s].Dest != d {
					t.Errorf("%q → %q (%s); want %q", s, got[s].Dest, got[s].Reason, d)
				}
			}
			for s, r := range tc.reasons {
				if !strings.Contains(got[s].Reason, r) {
					t.Errorf("%q: reason %q; want it to say %q", s, got[s].Reason, r)
				}
			}
			if tc.check != nil {
				tc.check(t, got)
			}
			// Whatever the case: two source folders share a destination only by a rule.
			by := map[string][]Mapping{}
			for _, m := range ms {
				if !m.Excluded {
					by[strings.ToLower(m.Dest)] = append(by[strings.ToLower(m.Dest)], m)
				}
			}
			for d, group := range by {
				if len(group) < 2 {
					continue
				}
				rule := false
				for _, m := range group {
					rule = rule || strings.HasPrefix(m.Reason, "rule ")
				}
				if !rule {
					t.Errorf("%d source folders merged into %q without a rule: %+v", len(group), d, group)
				}
			}
			// A re-run, when the destination holds what the first run created, maps alike.
			dst := append([]Folder(nil), tc.dst...)
			for _, m := range ms {
				dst = append(dst, Folder{Name: m.Dest, Delim: dstDelim})
			}
			for _, m := range MapFolders(tc.src, dst, dstDelim, tc.rules) {
				if m.Dest != got[m.Source].Dest {
					t.Errorf("re-run maps %q to %q; first run to %q", m.Source, m.Dest, got[m.Source].Dest)
				}
			}
		})
	}
}

// FuzzMapFoldersNeverMerges: whatever the folder names, delimiters and attributes, no two
// source folders share a destination folder (names compared as a case-insensitive server
// would) without a rule, and mapping twice gives the same answer.
func FuzzMapFoldersNeverMerges(f *testing.F) {
	f.Add("INBOX\nDrafts*\nEntwürfe\nINBOX.Work\nWork\nwork\na/b\na.b\nSent Items\nSent*", ".", "/")
	f.Add("a.b\na_b\nSent*\nsent\nSENT (2)", "/", ".")
	f.Fuzz(func(t *testing.T, names, srcDelim, dstDelim string) {
		if len(srcDelim) > 1 || len(dstDelim) != 1 || dstDelim == "\x00" {
			return
		}
		var src []Folder
		uses := []string{`\Sent`, `\Drafts`, `\Trash`}
		for i, n := range strings.Split(names, "\n") {
			f := Folder{Name: strings.TrimSuffix(n, "*"), Delim: srcDelim}
			if strings.HasSuffix(n, "*") {
				f.SpecialUse = uses[i%len(uses)]
			}
			if f.Name != "" && !strings.Contains(f.Name, "\x00") {
				src = append(src, f)
			}
		}
		ms := MapFolders(src, nil, dstDelim, nil)
		seen := map[string]string{}
		for _, m := range ms {
			k := fold(m.Dest)
			if o, ok := seen[k]; ok && !strings.EqualFold(o, m.Source) {
				t.Fatalf("%q and %q both go to %q: %+v", o, m.Source, m.Dest, ms)
			}
			seen[k] = m.Source
		}
		if again := MapFolders(src, nil, dstDelim, nil); !reflect.DeepEqual(ms, again) {
			t.Fatalf("two answers:\n%+v\n%+v", ms, again)
		}
	})
}

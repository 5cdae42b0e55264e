package provider

import (
	"sort"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// CapGmail is the capability of Gmail's IMAP extensions (X-GM-MSGID, X-GM-THRID,
// X-GM-LABELS, X-GM-RAW).
const CapGmail imap.Cap = "X-GM-EXT-1"

// IsGmail reports whether a server is Gmail by its capabilities, not its host name.
func IsGmail(caps imap.CapSet) bool { return caps.Has(CapGmail) }

// Folder is one LIST answer: a mailbox name and its attributes.
type Folder struct {
	Name  string             `json:"name"`
	Attrs []imap.MailboxAttr `json:"attrs"`
}

func (f Folder) has(a imap.MailboxAttr) bool {
	for _, x := range f.Attrs {
		if strings.EqualFold(string(x), string(a)) {
			return true
		}
	}
	return false
}

// GmailSource is how to read a Gmail mailbox so that each message is copied once.
type GmailSource struct {
	// AllMail holds every message except Spam and Trash; its messages are placed by their
	// labels (PlaceByLabels). Empty when the server has no \All folder: then every folder is
	// read as a folder.
	AllMail string `json:"allMail"`
	// Folders are read as ordinary folders: those All Mail does not hold (\Trash, \Junk).
	Folders []string `json:"folders"`
	// Skipped are views of All Mail (INBOX, labels, \Sent, \Drafts, \Flagged, \Important) and
	// the \Noselect [Gmail] container: reading them would copy a message once per label.
	Skipped []string `json:"skipped"`
}

// PlanGmailSource sorts a Gmail mailbox's folders. The special folders are recognised by
// their special-use attributes (RFC 6154), never by name, because Gmail localises the names
// ("[Gmail]/Sent Mail", "[Gmail]/Gesendet", "[Google Mail]/Gesendet").
func PlanGmailSource(folders []Folder) GmailSource {
	var s GmailSource
	for _, f := range folders {
		if f.has(imap.MailboxAttrAll) && s.AllMail == "" {
			s.AllMail = f.Name
		}
	}
	for _, f := range folders {
		switch {
		case f.Name == s.AllMail:
		case s.AllMail == "":
			if !f.has(imap.MailboxAttrNoSelect) && !f.has(imap.MailboxAttrNonExistent) {
				s.Folders = append(s.Folders, f.Name)
			} else {
				s.Skipped = append(s.Skipped, f.Name)
			}
		case f.has(imap.MailboxAttrTrash), f.has(imap.MailboxAttrJunk):
			s.Folders = append(s.Folders, f.Name)
		default:
			s.Skipped = append(s.Skipped, f.Name)
		}
	}
	return s
}

// IsGmailContainer reports whether a folder is Gmail's "[Gmail]" (or localised "[Google
// Mail]") parent of the special folders: \Noselect, never a destination of its own.
func IsGmailContainer(f Folder) bool {
	return f.has(imap.MailboxAttrNoSelect) && (f.Name == "[Gmail]" || f.Name == "[Google Mail]")
}

// Gmail's system labels in X-GM-LABELS.
const (
	LabelInbox     = `\Inbox`
	LabelSent      = `\Sent`
	LabelDraft     = `\Draft`
	LabelImportant = `\Important`
	LabelStarred   = `\Starred`
	LabelSpam      = `\Spam`
	LabelTrash     = `\Trash`
)

// LabeledMessage is one message of All Mail with its Gmail identity and labels, as FETCH
// (X-GM-MSGID X-GM-LABELS) gives them. Labels are decoded (modified UTF-7 undone) by the caller.
type LabeledMessage struct {
	MsgID  uint64   `json:"msgId"`
	UID    imap.UID `json:"uid"`
	Labels []string `json:"labels"`
}

// Placement says where one message goes. Exactly one of Folder and SpecialUse is set: a
// SpecialUse is the destination's folder with that attribute (RFC 6154), found by the engine
// as it finds any special folder.
type Placement struct {
	MsgID      uint64           `json:"msgId"`
	UID        imap.UID         `json:"uid"`
	Folder     string           `json:"folder,omitempty"`
	SpecialUse imap.MailboxAttr `json:"specialUse,omitempty"`
	// Flagged is set for \Starred: the copy carries \Flagged.
	Flagged bool `json:"flagged,omitempty"`
}

// LabelRules choose how labels become folders.
type LabelRules struct {
	// AllLabels copies a message into the folder of each of its labels (a copy per label)
	// instead of once. Never also into the archive.
	AllLabels bool `json:"allLabels"`
	// Archive is the folder for messages that have no folder label (only in All Mail);
	// empty means the destination's \Archive special folder.
	Archive string `json:"archive"`
}

// PlaceByLabels decides, for each message of All Mail, the folder it is copied to, so that
// each message (by X-GM-MSGID: the same message seen twice is placed once) is copied once:
//
//   - \Inbox first (that is where the user looks for it) → INBOX;
//   - otherwise its user label, the first by name (labels nest with "/", kept as folder paths);
//   - otherwise \Sent → the \Sent folder, \Draft → the \Drafts folder;
//   - \Spam and \Trash (All Mail does not normally hold them) → \Junk, \Trash;
//   - \Starred sets \Flagged; \Important and unknown system labels are ignored;
//   - a message with no folder label → Archive (the "All Mail" of the destination).
//
// With rules.AllLabels each folder label gives a placement of its own, in the same order.
// The result is ordered by UID, then by placement order.
func PlaceByLabels(msgs []LabeledMessage, rules LabelRules) []Placement {
	seen := map[uint64]int{} // MsgID → index in merged
	var merged []LabeledMessage
	for _, m := range msgs {
		if i, ok := seen[m.MsgID]; ok && m.MsgID != 0 {
			merged[i].Labels = append(merged[i].Labels, m.Labels...)
			if m.UID < merged[i].UID {
				merged[i].UID = m.UID
			}
			continue
		}
		seen[m.MsgID] = len(merged)
		merged = append(merged, LabeledMessage{MsgID: m.MsgID, UID: m.UID, Labels: append([]string(nil), m.Labels...)})
	}
	sort.SliceStable(merged, func(i, j int) bool { return merged[i].UID < merged[j].UID })

	var out []Placement
	for _, m := range merged {
		targets, flagged := labelTargets(m.Labels)
		if len(targets) == 0 {
			targets = []Placement{archive(rules)}
		}
		if !rules.AllLabels {
			targets = targets[:1]
		}
		for _, t := range targets {
			t.MsgID, t.UID, t.Flagged = m.MsgID, m.UID, flagged
			out = append(out, t)
		}
	}
	return out
}

func archive(rules LabelRules) Placement {
	if rules.Archive != "" {
		return Placement{Folder: rules.Archive}
	}
	return Placement{SpecialUse: imap.MailboxAttrArchive}
}

// labelTargets orders a message's folder labels by the rule of PlaceByLabels, without
// duplicates.
func labelTargets(labels []string) (targets []Placement, flagged bool) {
	var inbox, sent, draft, spam, trash bool
	user := map[string]bool{}
	for _, l := range labels {
		switch strings.ToLower(l) {
		case `\inbox`, "inbox":
			inbox = true
		case `\sent`:
			sent = true
		case `\draft`, `\drafts`:
			draft = true
		case `\starred`:
			flagged = true
		case `\spam`:
			spam = true
		case `\trash`:
			trash = true
		default:
			if l != "" && !strings.HasPrefix(l, `\`) {
				user[l] = true
			}
		}
	}
	if inbox {
		targets = append(targets, Placement{Folder: "INBOX"})
	}
	names := make([]string, 0, len(user))
	for l := range user {
		names = append(names, l)
	}
	sort.Strings(names)
	for _, l := range names {
		targets = append(targets, Placement{Folder: l})
	}
	if sent {
		targets = append(targets, Placement{SpecialUse: imap.MailboxAttrSent})
	}
	if draft {
		targets = append(targets, Placement{SpecialUse: imap.MailboxAttrDrafts})
	}
	if spam {
		targets = append(targets, Placement{SpecialUse: imap.MailboxAttrJunk})
	}
	if trash {
		targets = append(targets, Placement{SpecialUse: imap.MailboxAttrTrash})
	}
	return targets, flagged
}

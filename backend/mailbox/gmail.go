package mailbox

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"cutover/backend/provider"

	"github.com/emersion/go-imap/v2"
)

// view is what one pipeline copies into one destination folder: a mapped source folder,
// or, for a Gmail source, the messages of All Mail that its labels place there (uids; nil
// means the whole folder).
type view struct {
	m     Mapping
	uids  map[imap.UID]bool
	delim string // the destination's delimiter, for a label
}

// gmailViewReason is why the folders Gmail shows as views of All Mail are not read.
const gmailViewReason = "a Gmail view of All Mail: its messages are copied once, into the folder of their label"

// views maps the source folders to the destination's. opts.Mapping, when set, is taken as
// it is. A Gmail source (X-GM-EXT-1 with an \All folder) is read from All Mail only, each
// message once (by X-GM-MSGID) into the folder of its label (provider.PlaceByLabels:
// INBOX first, then its first user label, then Sent or Drafts, else the archive), and
// Trash and Spam as folders; INBOX, the label folders and the other [Gmail] folders are
// views of All Mail and are listed as excluded, with why. Labels become folders with the
// destination's delimiter, and the rules apply to their names.
func (c *Copier) views(ctx context.Context, s *session, opts Options) ([]view, error) {
	if opts.Mapping != nil {
		return wholeFolders(opts.Mapping), nil
	}
	// Both sides at once: at a distance, each listing is a round trip.
	var dst []Folder
	var dstErr error
	listed := make(chan struct{})
	go func() { dst, dstErr = ListFolders(s.dst); close(listed) }()
	src, err := ListFolders(s.src)
	<-listed
	if err != nil {
		return nil, err
	}
	if dstErr != nil {
		return nil, dstErr
	}
	if !provider.IsGmail(s.src.Caps()) {
		return wholeFolders(MapFolders(src, dst, destDelim(dst), opts.Rules)), nil
	}
	plan := provider.PlanGmailSource(providerFolders(src))
	if plan.AllMail == "" {
		return wholeFolders(MapFolders(src, dst, destDelim(dst), opts.Rules)), nil
	}
	labeled, err := gmailLabels(ctx, c.Source, c.SourceCreds, plan.AllMail)
	if err != nil {
		return nil, err
	}
	// One folder per place, named as the label (Gmail nests labels with "/"), or, for the
	// special places, after the source folder with that attribute so that MapFolders maps
	// it by special use.
	specialName := map[string]string{}
	for _, f := range src {
		if f.SpecialUse != "" && specialName[f.SpecialUse] == "" {
			specialName[f.SpecialUse] = f.Name
		}
	}
	byPlace := map[string]map[imap.UID]bool{}
	var places []Folder
	for _, p := range provider.PlaceByLabels(labeled, provider.LabelRules{}) {
		f := Folder{Name: p.Folder, Delim: "/"}
		if p.SpecialUse != "" {
			f.SpecialUse = string(p.SpecialUse)
			if f.Name = specialName[f.SpecialUse]; f.Name == "" {
				f.Name = defaultNames[f.SpecialUse]
			}
		}
		if byPlace[f.Name] == nil {
			byPlace[f.Name] = map[imap.UID]bool{}
			places = append(places, f)
		}
		byPlace[f.Name][p.UID] = true
	}
	folders := append([]Folder(nil), places...)
	read := map[string]bool{}
	for _, name := range plan.Folders {
		read[name] = true
	}
	for _, f := range src {
		if read[f.Name] && byPlace[f.Name] == nil {
			folders = append(folders, f)
		}
	}
	var out []view
	for _, m := range MapFolders(folders, dst, destDelim(dst), opts.Rules) {
		uids, label := byPlace[m.Source]
		if label {
			m.Label, m.Source = m.Source, plan.AllMail
			m.Reason = "Gmail label " + m.Label + "; " + m.Reason
		}
		v := view{m: m, uids: uids}
		if label {
			v.delim = destDelim(dst)
		}
		out = append(out, v)
	}
	for _, name := range plan.Skipped {
		out = append(out, view{m: Mapping{Source: name, Excluded: true, Reason: gmailViewReason}})
	}
	return out, nil
}

func wholeFolders(mapping []Mapping) []view {
	out := make([]view, len(mapping))
	for i, m := range mapping {
		out[i] = view{m: m}
	}
	return out
}

func providerFolders(src []Folder) []provider.Folder {
	out := make([]provider.Folder, len(src))
	for i, f := range src {
		out[i].Name = f.Name
		if f.SpecialUse != "" {
			out[i].Attrs = append(out[i].Attrs, imap.MailboxAttr(f.SpecialUse))
		}
		if f.NoSelect {
			out[i].Attrs = append(out[i].Attrs, imap.MailboxAttrNoSelect)
		}
	}
	return out
}

// gmailLabels reads X-GM-MSGID and X-GM-LABELS of every message of All Mail on a
// connection of its own (go-imap's client does not know these items), read-only.
func gmailLabels(ctx context.Context, s Server, creds Credentials, allMail string) ([]provider.LabeledMessage, error) {
	rc, err := open(ctx, s, creds)
	if err != nil {
		return nil, err
	}
	defer rc.conn.Close()
	stop := context.AfterFunc(ctx, func() { rc.conn.Close() })
	defer stop()
	if _, err := rc.command("EXAMINE " + quote(encodeMUTF7(allMail))); err != nil {
		return nil, fmt.Errorf("examine %q on the source: %w", allMail, err)
	}
	lines, err := rc.command("UID FETCH 1:* (X-GM-MSGID X-GM-LABELS)")
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("read the Gmail labels of %q: %w", allMail, err)
	}
	var out []provider.LabeledMessage
	for _, l := range lines {
		if !strings.Contains(strings.ToUpper(l), " FETCH (") {
			continue // EXISTS, EXPUNGE, FLAGS: not a message's labels
		}
		m, err := provider.ParseGmailFetch(l)
		if err != nil {
			return nil, fmt.Errorf("read the Gmail labels of %q: %w", allMail, err)
		}
		out = append(out, m)
	}
	rc.send("z LOGOUT")
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out, nil
}

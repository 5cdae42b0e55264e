package mailbox

import (
	"fmt"
	"strings"
)

// Cutover's own reasons for leaving a folder out or not copying a message, stored with
// the folder or the failure beside the servers' own words. LeftOut and OwnRefusal read
// them back as what happened and its figures, so that documents word them in their
// language; the faces show them as they are.
const (
	excludedByRule = "excluded by rule "
	tooLargeFormat = "too large for the destination: %d bytes, over its limit of %d bytes"
	emptyReason    = "empty message (0 bytes): IMAP cannot append it"
)

// Why a folder is left out, as LeftOut reads its reason.
const (
	LeftOutByRule    = "rule"       // an exclude rule, named
	LeftOutGmailView = "gmail_view" // a Gmail view of All Mail, copied through its labels
	LeftOutContainer = "container"  // a folder that only holds folders (\Noselect)
)

// LeftOut reads why an excluded folder is left out from its reason: one of the LeftOut
// constants, with the rule's pattern; "" when the reason is not Cutover's.
func LeftOut(reason string) (why, pattern string) {
	switch {
	case reason == "":
		return LeftOutContainer, ""
	case reason == gmailViewReason:
		return LeftOutGmailView, ""
	}
	// A label folder's reason starts with "Gmail label L; ".
	if i := strings.Index(reason, excludedByRule); i >= 0 {
		return LeftOutByRule, reason[i+len(excludedByRule):]
	}
	return "", ""
}

// Why a message was not copied, as OwnRefusal reads its reason.
const (
	RefusedTooLarge = "too_large" // over the destination's size limit: never sent
	RefusedEmpty    = "empty"     // 0 bytes: IMAP cannot append it
)

func tooLarge(size, limit int64) string { return fmt.Sprintf(tooLargeFormat, size, limit) }

// OwnRefusal reads a failure's reason that Cutover wrote itself: RefusedTooLarge with
// the destination's limit, or RefusedEmpty; "" when the destination's server wrote it.
func OwnRefusal(reason string) (why string, limit int64) {
	if reason == emptyReason {
		return RefusedEmpty, 0
	}
	var size int64
	if n, err := fmt.Sscanf(reason, tooLargeFormat, &size, &limit); err == nil && n == 2 && tooLarge(size, limit) == reason {
		return RefusedTooLarge, limit
	}
	return "", 0
}

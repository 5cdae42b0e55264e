package mailbox

import "testing"

// The reasons Cutover writes for a folder left out or a message not copied read back as
// what happened, so that documents can word them; a server's own words do not.
func TestCutoversOwnReasonsReadBackAsWhatHappened(t *testing.T) {
	for _, c := range []struct {
		reason, why, pattern string
	}{
		{excludedByRule + "Archives/2009*", LeftOutByRule, "Archives/2009*"},
		{"Gmail label Old; " + excludedByRule + "Old*", LeftOutByRule, "Old*"},
		{gmailViewReason, LeftOutGmailView, ""},
		{"", LeftOutContainer, ""},
		{"spam folder", "", ""},
	} {
		if why, pattern := LeftOut(c.reason); why != c.why || pattern != c.pattern {
			t.Errorf("LeftOut(%q) = %q, %q; want %q, %q", c.reason, why, pattern, c.why, c.pattern)
		}
	}
	for _, c := range []struct {
		reason string
		why    string
		limit  int64
	}{
		{tooLarge(160<<20, 150<<20), RefusedTooLarge, 150 << 20},
		{emptyReason, RefusedEmpty, 0},
		{"552 5.3.4 message too large", "", 0},
		{tooLarge(1, 2) + " and more", "", 0},
	} {
		if why, limit := OwnRefusal(c.reason); why != c.why || limit != c.limit {
			t.Errorf("OwnRefusal(%q) = %q, %d; want %q, %d", c.reason, why, limit, c.why, c.limit)
		}
	}
}

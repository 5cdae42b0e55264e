package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseGmailFetch(t *testing.T) {
	for _, c := range []struct {
		line string
		want string // fmt of the LabeledMessage, or "error: <part of the message>"
	}{
		{`* 1 FETCH (X-GM-MSGID 1278455344230334865 X-GM-LABELS (\Inbox \Sent Important "Muy Importante") UID 4)`,
			`{1278455344230334865 4 [\Inbox \Sent Important Muy Importante]}`},
		{`* 12 FETCH (UID 70 X-GM-MSGID 9 X-GM-LABELS ())` + "\r\n", `{9 70 []}`},
		{`* 3 FETCH (UID 7 FLAGS (\Seen $Label1) X-GM-MSGID 5 X-GM-LABELS ("Re&AOc-us" "a\"b" "&ZeVnLIqe-" "A &- B"))`,
			`{5 7 [Reçus a"b 日本語 A & B]}`},
		{`* 3 fetch (uid 7 x-gm-msgid 5 x-gm-labels NIL)`, "error: X-GM-LABELS"},
		{`* 3 FETCH (UID 7 X-GM-MSGID 5 X-GM-LABELS (\Inbox)`, "error: expected an item name"},
		{`* 3 FETCH (UID 7 X-GM-LABELS ({5}`, "error: literal"},
		{`* 3 FETCH (UID 7 X-GM-LABELS (\Inbox))`, "error: expected UID and X-GM-MSGID"},
		{`* 3 FETCH (UID x X-GM-MSGID 5)`, "error: UID is not a number"},
		{`* 3 EXISTS`, `error: expected "* n FETCH ("`},
		{`A1 OK done`, `error: expected a line starting`},
		{`* 3 FETCH (UID 7 X-GM-MSGID 5 X-GM-LABELS ("unterminated))`, "error: unterminated"},
	} {
		m, err := ParseGmailFetch(c.line)
		got := fmt.Sprint(m)
		if err != nil {
			got = "error: " + err.Error()
		}
		if strings.HasPrefix(c.want, "error: ") {
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(c.want, "error: ")) {
				t.Errorf("%q: %s, want an %s", c.line, got, c.want)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.line, got, c.want)
		}
	}
}

func FuzzParseGmailFetch(f *testing.F) {
	f.Add(`* 1 FETCH (X-GM-MSGID 1278455344230334865 X-GM-LABELS (\Inbox "Muy Importante") UID 4)`)
	f.Add(`* 3 FETCH (UID 7 FLAGS (\Seen (a (b))) X-GM-MSGID 5 X-GM-LABELS ("Re&AOc-us" "&-"))`)
	f.Add(`* 3 FETCH (UID 7 X-GM-LABELS ("&ZeVnLIqe"`)
	f.Fuzz(func(t *testing.T, line string) {
		m, err := ParseGmailFetch(line)
		if err != nil {
			return
		}
		// What a parse gives must be usable: a UID and a message ID, and labels that place.
		if m.UID == 0 || m.MsgID == 0 {
			t.Fatalf("%q parsed without UID or X-GM-MSGID: %+v", line, m)
		}
		if p := PlaceByLabels([]LabeledMessage{m}, LabelRules{}); len(p) != 1 {
			t.Fatalf("%q placed %d times", line, len(p))
		}
	})
}

func TestByeRecorderKeepsOnlyTheLastBye(t *testing.T) {
	var r ByeRecorder
	for _, chunk := range []string{
		"a1 LOGIN user secret\r\n", "* OK ready\r\n", "a2 APPEND INBOX {10}\r\n",
		"* BYE Request is thr", "ottled. Suggested Backoff Time: 500 milliseconds\r\n",
	} {
		r.Write([]byte(chunk))
	}
	if got := r.Last(); got != "* BYE Request is throttled. Suggested Backoff Time: 500 milliseconds" {
		t.Errorf("last %q", got)
	}
	m, _ := Preset(M365)
	if p, ok := ThrottleText(m, now, r.Last()); !ok || p.Wait != 500*time.Millisecond {
		t.Errorf("read as %+v %v", p, ok)
	}
	if strings.Contains(fmt.Sprintf("%+v", r.last), "secret") {
		t.Error("kept a password")
	}
}

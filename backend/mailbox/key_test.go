package mailbox

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// A message's key and subject read from its streamed header are the ones read from
// BODY[HEADER.FIELDS (Message-ID Subject)], however the stream is cut into reads.
func TestHeaderTapFindsKeyAndSubjectAcrossReads(t *testing.T) {
	long := "X-Long: " + strings.Repeat("y", headerTapMax) + "\r\n"
	for _, c := range []struct {
		name, msg, wantID, wantSubject string
	}{
		{"crlf", "From: a@b\r\nMessage-ID: <1@x>\r\nSubject: Hello\r\n\r\nbody\r\nMessage-ID: <body@x>\r\n", "<1@x>", "Hello"},
		{"lf", "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nMessage-Id:\n <2@x>\n\nbody\n", "<2@x>", "Grüße"},
		{"folded line of another field", "References: <a@x>\r\n Message-ID: <fake@x>\r\nSubject: s\r\n\r\nb", "", "s"},
		{"no Message-ID", "Subject: none\r\n\r\nMessage-ID: <in-body@x>\r\n", "", "none"},
		{"no header at all", "\r\nMessage-ID: <in-body@x>\r\n", "", ""},
		{"header longer than kept", "Message-ID: <3@x>\r\n" + long + "\r\nbody", "", ""},
	} {
		for _, chunk := range []int{1, 2, 3, 7, 4096} {
			tap := &headerTap{r: &chunkReader{data: []byte(c.msg), n: chunk}}
			got, err := io.ReadAll(tap)
			if err != nil || !bytes.Equal(got, []byte(c.msg)) {
				t.Fatalf("%s: the message did not pass through unchanged", c.name)
			}
			k := tap.key()
			if want := messageIDKey(c.wantID); k.key != want {
				t.Errorf("%s, reads of %d: key %q, want %q (Message-ID %q)", c.name, chunk, k.key, want, c.wantID)
			}
			if k.subject != c.wantSubject {
				t.Errorf("%s, reads of %d: subject %q, want %q", c.name, chunk, k.subject, c.wantSubject)
			}
		}
	}
}

type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[n:]
	return n, nil
}

package messages

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"

	"cutover/backend/fault"
)

// EML writes d as an RFC 5322 message: UTF-8 text, quoted-printable, headers encoded per
// RFC 2047. X-Unsent: 1 makes Outlook (and others) open it as a draft ready to send.
// msgID is the Message-ID's left part and domain (id@domain).
func EML(d Draft, date time.Time, msgID string) ([]byte, error) {
	from, err := Addresses("from", []string{d.From})
	if err != nil {
		return nil, err
	}
	if len(from) != 1 {
		return nil, &fault.FieldError{Field: "from", Value: d.From, Expected: "the specialist's address (set it in the specialist's profile)"}
	}
	to, err := Addresses("to", d.To)
	if err != nil {
		return nil, err
	}
	cc, err := Addresses("cc", d.Cc)
	if err != nil {
		return nil, err
	}
	var h mail.Header
	h.SetDate(date)
	h.SetAddressList("From", from)
	if len(to) > 0 {
		h.SetAddressList("To", to)
	}
	if len(cc) > 0 {
		h.SetAddressList("Cc", cc)
	}
	h.SetSubject(d.Subject)
	h.SetMessageID(msgID)
	h.Set("X-Unsent", "1")
	h.Set("Content-Language", d.Lang)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	var b bytes.Buffer
	w, err := mail.CreateSingleInlineWriter(&b, h)
	if err != nil {
		return nil, fmt.Errorf("write message: %w", err)
	}
	body := strings.ReplaceAll(strings.ReplaceAll(d.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := io.WriteString(w, body+"\r\n"); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

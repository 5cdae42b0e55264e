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
// RFC 2047, and files as attachments (RFC 2045 multipart/mixed, RFC 2231 file names).
// X-Unsent: 1 makes Outlook (and others) open it as a draft ready to send. msgID is the
// Message-ID without its angle brackets (id@domain).
func EML(d Draft, date time.Time, msgID string, files ...Attachment) ([]byte, error) {
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
	body := strings.ReplaceAll(strings.ReplaceAll(d.Body, "\r\n", "\n"), "\n", "\r\n") + "\r\n"
	var b bytes.Buffer
	if len(files) == 0 {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w, err := mail.CreateSingleInlineWriter(&b, h)
		if err != nil {
			return nil, fmt.Errorf("write message: %w", err)
		}
		if err := writeAll(w, []byte(body)); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	w, err := mail.CreateWriter(&b, h)
	if err != nil {
		return nil, fmt.Errorf("write message: %w", err)
	}
	var th mail.InlineHeader
	th.Set("Content-Type", "text/plain; charset=utf-8")
	tw, err := w.CreateSingleInline(th)
	if err != nil {
		return nil, err
	}
	if err := writeAll(tw, []byte(body)); err != nil {
		return nil, err
	}
	for _, f := range files {
		var ah mail.AttachmentHeader
		ah.Set("Content-Type", f.MIME)
		ah.SetFilename(f.Name)
		aw, err := w.CreateAttachment(ah)
		if err != nil {
			return nil, fmt.Errorf("attach %s: %w", f.Name, err)
		}
		if err := writeAll(aw, f.Data); err != nil {
			return nil, fmt.Errorf("attach %s: %w", f.Name, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeAll writes b to a part and closes it.
func writeAll(w io.WriteCloser, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	return w.Close()
}

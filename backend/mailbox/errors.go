package mailbox

import (
	"context"
	"cutover/backend/provider"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
)

// retryable reports whether err is worth a reconnect, by its type: the connection
// dropped or timed out (net errors, end of stream, a connection found broken), or the
// server asked us to slow down or go away (RFC 5530 codes, BYE, and the providers'
// throttling answers that package provider reads, which carry no code). A refused login, a
// certificate or the transport policy are not: a new connection would meet them again.
// go-imap reports a connection that broke under a command as text only; the session's
// connections remember their I/O errors for that (session.broken).
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var bc *brokenConn
	if errors.As(err, &bc) {
		return true
	}
	var (
		ae *AuthError
		ce *CertError
		pe *PolicyError
	)
	if errors.As(err, &ae) || errors.As(err, &ce) || errors.As(err, &pe) {
		return false
	}
	if throttled(err) {
		return true // "Request is throttled", a daily limit, too many connections: wait and go on
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		switch ie.Code {
		case imap.ResponseCodeUnavailable, "THROTTLED", imap.ResponseCodeServerBug, imap.ResponseCodeInUse:
			return true
		}
		return ie.Type == imap.StatusResponseTypeBye
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNREFUSED)
}

// isRefusal reports whether err is the destination's NO or BAD to a message (size limit,
// bad syntax, quota): reported, not retried. Anything else is the transport failing.
func isRefusal(err error) bool {
	var ie *imap.Error
	return errors.As(err, &ie) && ie.Type != imap.StatusResponseTypeBye && !retryable(err)
}

// brokenConn is a connection that failed in the middle of a command: retried.
type brokenConn struct{ err error }

func (e *brokenConn) Error() string { return e.err.Error() }

func (e *brokenConn) Unwrap() error { return e.err }

// readErrRecorder remembers the error of the reader it wraps.
type readErrRecorder struct {
	r   io.Reader
	err error
}

func (r *readErrRecorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// reason is the server's text of a refusal, or the error.
func reason(err error) string {
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Text != "" {
		return ie.Text
	}
	return err.Error()
}

// throttled reports whether err is a host asking us to wait: a throttling answer, a daily
// quota, too many connections (package provider reads the providers' wordings).
func throttled(err error) bool {
	var pe *paceError
	if errors.As(err, &pe) {
		return true
	}
	_, ok := provider.Throttle(provider.Limits{}, time.Time{}, err)
	return ok
}

package mailbox

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// retryable reports whether err is worth a reconnect: the connection dropped, timed out,
// or the server asked us to slow down.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var bc *brokenConn
	if errors.As(err, &bc) {
		return true
	}
	var ae *AuthError
	var ce *CertError
	if errors.As(err, &ae) || errors.As(err, &ce) {
		return false
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
		errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "connection") || strings.Contains(err.Error(), "broken pipe")
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

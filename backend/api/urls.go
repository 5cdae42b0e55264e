package api

import (
	"net/url"

	"cutover/backend/fault"
	"cutover/backend/project"
)

// checkSecureURL accepts the address of a service Cutover sends a credential to (a token,
// an API key, a password): https, or plain http to this machine only, so that nothing
// secret crosses the network in clear — the rule project.CheckPlain applies to IMAP —
// and no login or password in the URL itself, where it would be stored and shown.
// what says what the address is, for the error ("the API's address, such as …").
func checkSecureURL(field, v, what string) *fault.FieldError {
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return &fault.FieldError{Field: field, Value: v, Expected: what}
	case u.User != nil:
		return &fault.FieldError{Field: field, Value: u.Redacted(), Expected: "an address without login or password: the credential is kept apart, sealed"}
	case u.Scheme == "http" && !(project.Server{Host: u.Hostname()}).IsLoopback():
		return &fault.FieldError{Field: field, Value: v, Expected: "https:// (plain http only to this machine: 127.0.0.1, localhost), so that no credential is sent in clear"}
	}
	return nil
}

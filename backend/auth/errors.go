package auth

import (
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/oauth2"
)

// RefusedError is a credential the server or the identity provider refused: this mailbox
// cannot be opened until someone acts (Advice), while other mailboxes go on.
type RefusedError struct {
	User      string // the mailbox
	Mechanism string // XOAUTH2, OAUTHBEARER, PLAIN; empty when the provider refused
	Method    Method
	AppWide   bool
	Provider  string
	// Status is the server's error challenge status ("invalid_token", "401", ...) or the
	// provider's OAuth error code ("invalid_grant"), when known.
	Status string
	Err    error
}

func (e *RefusedError) Error() string {
	by := "the server refused the sign-in"
	if e.Mechanism == "" {
		by = "the identity provider refused the token"
	}
	msg := fmt.Sprintf("%s: %s", e.User, by)
	if e.Mechanism != "" {
		msg += " (" + e.Mechanism + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg + ": " + e.Advice()
}

func (e *RefusedError) Unwrap() error { return e.Err }

// Advice says what the person running the migration must do about it.
func (e *RefusedError) Advice() string {
	switch {
	case e.Method == MethodPassword || e.Method == MethodAdminPassword:
		return "check the password"
	case e.AppWide && e.Provider == "google":
		return fmt.Sprintf("check that %s exists and that the service account's client ID is authorised for https://mail.google.com/ (domain-wide delegation in the Google Admin console)", e.User)
	case e.AppWide:
		return fmt.Sprintf("grant FullAccess to the app on %s (Add-MailboxPermission -Identity %s -User <service principal> -AccessRights FullAccess) and check the app's IMAP.AccessAsApp permission", e.User, e.User)
	default:
		return fmt.Sprintf("sign in again as %s", e.User)
	}
}

// IsRefused reports whether err is a refused credential (a *RefusedError).
func IsRefused(err error) bool {
	var re *RefusedError
	return errors.As(err, &re)
}

// providerRefusal turns an OAuth error that needs a person (a revoked or expired refresh
// token, a consent withdrawn, an app without permission) into a *RefusedError; other
// errors (network, a provider that is down) are wrapped with what was being done.
func providerRefusal(user string, appWide bool, provider, doing string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		if code == "" {
			// x/oauth2/jwt leaves the body unparsed.
			var body struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(re.Body, &body) == nil {
				code = body.Error
			}
		}
		switch code {
		case "invalid_grant", "invalid_client", "unauthorized_client", "access_denied", "invalid_scope", "consent_required", "interaction_required":
			return &RefusedError{User: user, Method: MethodToken, AppWide: appWide, Provider: provider,
				Status: code, Err: fmt.Errorf("%s: %w", doing, err)}
		}
	}
	return fmt.Errorf("%s for %s: %w", doing, user, err)
}

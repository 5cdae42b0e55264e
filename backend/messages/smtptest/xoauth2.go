package smtptest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/emersion/go-smtp"

	"cutover/backend/auth"
)

const xoauth2 = "XOAUTH2"

// errBadToken is how Microsoft's and Google's submission servers end a refused XOAUTH2.
var errBadToken = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"}

// bearer asks the identity provider whether token opens user's mailbox for sending.
func (s *Server) bearer(user, token string) error {
	res, err := http.PostForm(s.opts.Introspection, url.Values{"token": {token}})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var v struct {
		Active bool   `json:"active"`
		Email  string `json:"email"`
		Scope  string `json:"scope"`
	}
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		return fmt.Errorf("introspection: %w", err)
	}
	switch {
	case !v.Active:
		return errors.New("token not active")
	case !strings.EqualFold(v.Email, user):
		return fmt.Errorf("token of %s, not %s", v.Email, user)
	case s.opts.Scope != "" && !slices.Contains(strings.Fields(v.Scope), s.opts.Scope):
		return fmt.Errorf("token without the scope %s", s.opts.Scope)
	}
	return nil
}

// xoauth2Server is XOAUTH2 as Google and Microsoft serve it: one client message
// "user=<mailbox>\x01auth=Bearer <token>\x01\x01"; a refused token gets a JSON error
// challenge, which the client answers (empty or ^A) before the 535.
type xoauth2Server struct {
	check   func(user, token string) error
	ok      func()
	refused bool
}

func (x *xoauth2Server) Next(response []byte) ([]byte, bool, error) {
	if x.refused {
		return nil, true, errBadToken
	}
	if response == nil {
		return []byte{}, false, nil
	}
	user, token := auth.ParseXOAuth2(response)
	if user == "" || token == "" || x.check(user, token) != nil {
		x.refused = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://outlook.office.com/SMTP.Send"}`), false, nil
	}
	x.ok()
	return nil, true, nil
}

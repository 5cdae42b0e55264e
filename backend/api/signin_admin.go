package api

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"cutover/backend/auth"
	"cutover/backend/mailbox"
)

// Exchange Online's app-only IMAP access needs, besides the app's IMAP.AccessAsApp
// permission, a service principal in Exchange for the app and FullAccess for it on every
// mailbox (Microsoft's "Authenticate an IMAP connection using OAuth", app-only section).
// Cutover writes the PowerShell for the admin to run, and checks each mailbox.

var guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// SignInScript writes the Exchange Online PowerShell that gives the side's app FullAccess
// to every mailbox of the batch. objectID is the enterprise application's Object ID
// (Entra admin center → Enterprise applications); empty: the script asks for it.
func (a *API) SignInScript(projectName, side, objectID string) (File, error) {
	p, err := a.project(projectName)
	if err != nil {
		return File{}, err
	}
	if err := checkSide(side); err != nil {
		return File{}, err
	}
	v, err := a.store.SignInSetting(a.ctx, p.ID, side)
	if err != nil {
		return File{}, err
	}
	if v.Method != SignInMicrosoftApp {
		return File{}, &mailbox.InputError{Field: "side", Value: side,
			Expected: fmt.Sprintf("a side with Microsoft 365 app-only access (microsoft-app); the %s uses %s", sideWord(side), v.Method)}
	}
	objectID = strings.TrimSpace(objectID)
	if objectID != "" && !guidRe.MatchString(objectID) {
		return File{}, &mailbox.InputError{Field: "object ID", Value: objectID, Expected: "the enterprise application's Object ID, a GUID like 6f1b2c3d-1234-4abc-9def-0123456789ab"}
	}
	logins, err := a.sideLogins(p, side)
	if err != nil {
		return File{}, err
	}
	if len(logins) == 0 {
		return File{}, &mailbox.InputError{Field: "batch", Expected: "at least one enabled mailbox in the batch (cutover batch set)"}
	}
	script := ExchangeGrantScript(p.Name, v.ClientID, objectID, logins)
	return File{Name: fmt.Sprintf("grant-%s-%s.ps1", fileSafe(p.Name), side), MIME: "text/plain; charset=utf-8", Data: []byte(script)}, nil
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}

// psQuote is a PowerShell single-quoted string (” inside stands for ').
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ExchangeGrantScript is the PowerShell that registers the app's service principal in
// Exchange Online and gives it FullAccess to each mailbox. Lines end in CRLF (Windows).
func ExchangeGrantScript(projectName, appID, objectID string, mailboxes []string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	w("# Cutover, project %s: give the app %s FullAccess to %d mailboxes for IMAP app-only access.", projectName, appID, len(mailboxes))
	w("# Run in PowerShell as an Exchange administrator (module ExchangeOnlineManagement):")
	w("#   Connect-ExchangeOnline")
	if objectID == "" {
		w("#   .\\grant.ps1 -ObjectId <Object ID of the app in Entra admin center > Enterprise applications>")
		w("param([Parameter(Mandatory = $true)][string] $ObjectId)")
	} else {
		w("param([string] $ObjectId = %s)", psQuote(objectID))
	}
	w("$ErrorActionPreference = 'Stop'")
	w("$AppId = %s", psQuote(appID))
	w("if (-not (Get-ServicePrincipal -Identity $ObjectId -ErrorAction SilentlyContinue)) {")
	w("    New-ServicePrincipal -AppId $AppId -ObjectId $ObjectId -DisplayName 'Cutover migration'")
	w("}")
	for _, m := range mailboxes {
		w("Add-MailboxPermission -Identity %s -User $ObjectId -AccessRights FullAccess -InheritanceType All", psQuote(m))
	}
	w("# Then check access from Cutover: cutover signin check --project %s", psQuote(projectName))
	return b.String()
}

// SignInCheckResult is one mailbox's access with the side's credentials.
type SignInCheckResult struct {
	Mailbox string `json:"mailbox"`
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
	// Advice is what to do when the sign-in was refused ("grant FullAccess to the app on
	// bob@…", "sign in again as …").
	Advice string `json:"advice,omitempty"`
}

// SignInCheck logs in to each mailbox of the side's batch with its token (the app-wide
// one, or each owner's) and says per mailbox whether access works.
func (a *API) SignInCheck(projectName, side string) ([]SignInCheckResult, error) {
	p, err := a.project(projectName)
	if err != nil {
		return nil, err
	}
	if err := checkSide(side); err != nil {
		return nil, err
	}
	srv := p.Source
	if side == "dest" {
		srv = p.Dest
	}
	if srv.IsZero() {
		return nil, &mailbox.InputError{Field: side, Expected: fmt.Sprintf("the project's %s IMAP server (project edit --%s)", sideWord(side), side)}
	}
	v, err := a.store.SignInSetting(a.ctx, p.ID, side)
	if err != nil {
		return nil, err
	}
	if v.Method == SignInPassword {
		return nil, &mailbox.InputError{Field: "side", Value: side, Expected: fmt.Sprintf("a side that signs in with OAuth 2.0; the %s uses passwords (set its method in the project's settings)", sideWord(side))}
	}
	logins, err := a.sideLogins(p, side)
	if err != nil {
		return nil, err
	}
	out := []SignInCheckResult{}
	for _, l := range logins {
		r := SignInCheckResult{Mailbox: l}
		c, _, err := a.credsWith(p.ID, v, l)
		if err == nil {
			var conn *mailbox.Conn
			conn, err = mailbox.Dial(a.ctx, serverOf(srv), c)
			if err == nil {
				conn.Close()
			}
		}
		if a.ctx.Err() != nil {
			return out, a.ctx.Err()
		}
		if err != nil {
			r.Error = err.Error()
			var re *auth.RefusedError
			var ae *mailbox.AuthError
			if errors.As(err, &re) {
				r.Advice = re.Advice()
			} else if errors.As(err, &ae) {
				r.Advice = (&auth.RefusedError{User: l, Method: auth.MethodToken, AppWide: appWide(v.Method), Provider: providerName(v.Method)}).Advice()
			}
		} else {
			r.OK = true
		}
		a.bus.Publish("signin:checked", p.Name, r)
		out = append(out, r)
	}
	return out, nil
}

package directory

import (
	"fmt"
	"strings"

	"cutover/backend/people"
)

// ExchangeScript is the Exchange Online PowerShell that creates what Graph cannot: the
// shared mailboxes (New-Mailbox -Shared: no licence, nobody signs in) and the users'
// aliases (Set-Mailbox -EmailAddresses @{Add=…}), then the mail contacts
// (New-MailContact), then the distribution lists (New-DistributionGroup) and their
// members (Add-DistributionGroupMember). Every command first asks whether the object or
// address exists, so the script can be run again: it creates nothing twice and changes
// nothing that exists. Values are single-quoted PowerShell strings (a quote doubled), so
// no name can break out of its argument. Lines end in CRLF (Windows).
func ExchangeScript(project string, users []people.User, groups []people.Group, contacts []people.Contact, security bool) []byte {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	p("# Cutover: shared mailboxes, aliases, distribution lists and mail contacts of the project %s.", psComment(project))
	p("# Run in Exchange Online PowerShell, signed in as an Exchange administrator:")
	p("#   Install-Module ExchangeOnlineManagement; Connect-ExchangeOnline")
	p("# Safe to run again: what exists is left as it is. Then check with `cutover people create --project %s`.", psComment(project))
	p("$ErrorActionPreference = 'Stop'")
	p("")
	mailboxes(p, users)
	for _, c := range contacts {
		name := c.DisplayName
		if name == "" {
			name = c.Address
		}
		args := fmt.Sprintf("-Name %s -DisplayName %s -ExternalEmailAddress %s", PSQuote(name), PSQuote(name), PSQuote(c.Address))
		if c.FirstName != "" {
			args += " -FirstName " + PSQuote(c.FirstName)
		}
		if c.LastName != "" {
			args += " -LastName " + PSQuote(c.LastName)
		}
		p("if (-not (Get-MailContact -Identity %s -ErrorAction SilentlyContinue)) {", PSQuote(c.Address))
		p("  New-MailContact %s | Out-Null", args)
		p("  Write-Host 'created contact' %s", PSQuote(c.Address))
		p("}")
		if c.Company != "" || c.Phone != "" {
			set := ""
			if c.Company != "" {
				set += " -Company " + PSQuote(c.Company)
			}
			if c.Phone != "" {
				set += " -Phone " + PSQuote(c.Phone)
			}
			p("Set-Contact -Identity %s%s", PSQuote(c.Address), set)
		}
	}
	if len(contacts) > 0 {
		p("")
	}
	kind := "Distribution"
	if security {
		kind = "Security"
	}
	for _, g := range groups {
		name := g.Name
		if name == "" {
			name = people.LocalPart(g.Address)
		}
		id := PSQuote(g.Address)
		p("if (-not (Get-DistributionGroup -Identity %s -ErrorAction SilentlyContinue)) {", id)
		desc := ""
		if g.Description != "" {
			desc = " -Notes " + PSQuote(g.Description)
		}
		p("  New-DistributionGroup -Name %s -DisplayName %s -PrimarySmtpAddress %s -Type %s%s | Out-Null", PSQuote(name), PSQuote(name), id, kind, desc)
		p("  Write-Host 'created group' %s", id)
		p("}")
		if len(g.Members) == 0 {
			continue
		}
		p("$members = @(Get-DistributionGroupMember -Identity %s -ResultSize Unlimited | ForEach-Object { $_.PrimarySmtpAddress.ToString().ToLower() })", id)
		for _, m := range g.Members {
			mq := PSQuote(strings.ToLower(m))
			p("if ($members -notcontains %s) { Add-DistributionGroupMember -Identity %s -Member %s -BypassSecurityGroupManagerCheck }", mq, id, PSQuote(m))
		}
	}
	return []byte(b.String())
}

// PSQuote is s as a single-quoted PowerShell string: nothing inside is expanded, and a
// quote (any of the Unicode single quotes PowerShell accepts) is doubled.
func PSQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
			b.WriteRune(r)
		case '\r', '\n':
			r = ' '
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// psComment keeps a value on its comment line.
func psComment(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// mailboxes writes the shared mailboxes, then every user's aliases. A user's mailbox may
// not be there yet (Exchange provisions it some minutes after the licence): the script
// says so and goes on; run it again later.
func mailboxes(p func(string, ...any), users []people.User) {
	n := 0
	for _, u := range users {
		if !u.Shared {
			continue
		}
		name := u.DisplayName
		if name == "" {
			name = people.LocalPart(u.Address)
		}
		id := PSQuote(u.Address)
		p("if (-not (Get-Mailbox -Identity %s -ErrorAction SilentlyContinue)) {", id)
		p("  New-Mailbox -Shared -Name %s -DisplayName %s -PrimarySmtpAddress %s | Out-Null", PSQuote(name), PSQuote(name), id)
		p("  Write-Host 'created shared mailbox' %s", id)
		p("}")
		n++
	}
	for _, u := range users {
		if len(u.Aliases) == 0 {
			continue
		}
		id := PSQuote(u.Address)
		p("$mailbox = Get-Mailbox -Identity %s -ErrorAction SilentlyContinue", id)
		p("if (-not $mailbox) { Write-Warning ('no mailbox yet for ' + %s + ': run this script again later') } else {", id)
		p("  $addresses = @($mailbox.EmailAddresses | ForEach-Object { $_.ToString().ToLower() })")
		for _, a := range u.Aliases {
			smtp := PSQuote("smtp:" + strings.ToLower(a))
			p("  if ($addresses -notcontains %s) { Set-Mailbox -Identity %s -EmailAddresses @{Add=%s} }", smtp, id, PSQuote("smtp:"+a))
		}
		p("}")
		n++
	}
	if n > 0 {
		p("")
	}
}

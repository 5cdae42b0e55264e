package demo

import (
	"fmt"
	"os"
	"path/filepath"

	"cutover/backend/api"
	"cutover/backend/messages"
	"cutover/backend/messages/smtptest"
	"cutover/backend/secrets"
)

// The demo specialist's mailbox at the demo's submission server.
const (
	demoSpecialistEmail = "alex@northwind.example"
	demoSMTPPassword    = "demo-smtp"
)

// startSMTP starts the demo's submission server (go-smtp on loopback, STARTTLS with a
// certificate of its own CA, AUTH PLAIN with the demo password) and writes that CA to a
// file of its own directory, which the demo specialist's profile trusts. What it takes is
// kept (MailServers.SMTP.Messages) and never delivered further.
func startSMTP() (*smtptest.Server, string, error) {
	s, err := smtptest.New(smtptest.Options{Users: map[string]string{demoSpecialistEmail: demoSMTPPassword}})
	if err != nil {
		return nil, "", fmt.Errorf("demo SMTP server: %w", err)
	}
	dir, err := os.MkdirTemp("", "cutover-demo-smtp-")
	if err != nil {
		s.Close()
		return nil, "", fmt.Errorf("demo SMTP CA: %w", err)
	}
	ca := filepath.Join(dir, "demo-ca.pem")
	if err := os.WriteFile(ca, s.CAPEM, 0o600); err != nil {
		s.Close()
		os.RemoveAll(dir)
		return nil, "", fmt.Errorf("demo SMTP CA: %w", err)
	}
	return s, ca, nil
}

// seedSMTP points the demo specialist's profile at this start's submission server. A
// database whose specialist is not the demo's keeps its own SMTP settings.
func seedSMTP(a *api.API, m *MailServers) error {
	sp, err := a.Specialist()
	if err != nil {
		return err
	}
	if sp.Email != demoSpecialistEmail {
		return nil
	}
	p := sp.SpecialistProfile
	p.SMTPHost, p.SMTPPort, p.SMTPSecurity = m.SMTP.Host, m.SMTP.Port, messages.StartTLS
	p.SMTPUser, p.SMTPCAFile = demoSpecialistEmail, m.SMTPCAFile
	if _, err := a.SetSpecialist(api.SpecialistInput{SpecialistProfile: p, SMTPPassword: secrets.New(demoSMTPPassword)}); err != nil {
		return fmt.Errorf("demo SMTP server: %w", err)
	}
	return nil
}

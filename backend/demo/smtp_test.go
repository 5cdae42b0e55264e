package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"cutover/backend/api"
)

// The demo's specialist sends through the demo's own submission server (STARTTLS with the
// demo CA, AUTH PLAIN): the server has the message and the contact log shows it sent.
func TestDemoSendsTheContactMessageThroughItsOwnSMTPServer(t *testing.T) {
	a, mail := seededDemo(t)
	sp, err := a.Specialist()
	if err != nil || !sp.HasSMTPPassword || sp.SMTPHost != "127.0.0.1" || sp.SMTPCAFile == "" {
		t.Fatalf("demo specialist's SMTP: %+v %v", sp, err)
	}
	before, _ := a.ContactLog(ProjectName)
	res, err := a.MessageSend(ProjectName, "confirm_contact", api.SendInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accepted) != 1 || res.Accepted[0] != "dana@acme.example" {
		t.Fatalf("accepted %v, want Dana", res.Accepted)
	}
	got := mail.SMTP.Messages()
	if len(got) != 1 || got[0].From != demoSpecialistEmail || !strings.Contains(string(got[0].Data), "Dana") {
		t.Fatalf("the demo SMTP server took %+v", got)
	}
	log, _ := a.ContactLog(ProjectName)
	if len(log) != len(before)+1 || !strings.HasPrefix(log[len(log)-1].Summary, "Sent ") {
		t.Fatalf("contact log after sending: %+v", log)
	}

	// A kept demo database at the next start: the profile follows the new server.
	mail2, err := StartMail(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer mail2.Close()
	if err := PointAt(a, mail2); err != nil {
		t.Fatal(err)
	}
	if _, err := a.MessageSend(ProjectName, "confirm_contact", api.SendInput{}); err != nil {
		t.Fatal(err)
	}
	if len(mail2.SMTP.Messages()) != 1 {
		t.Fatalf("after a restart the message went elsewhere: %d at the new server", len(mail2.SMTP.Messages()))
	}
}

package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"cutover/backend/project"
	"cutover/backend/timeline"
)

// A note or contact summary Cutover wrote itself comes back as the English sentence the
// faces show and the evidence documents word; a typed one comes back as typed.
func TestCutoversOwnNotesKeepTheirEvidence(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	p, err := s.CreateProject(ctx, project.Project{Name: "acme", Provider: project.ProviderM365, Zone: "UTC", Cutover: time.Date(2099, 5, 14, 18, 0, 0, 0, time.UTC), Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2099, 5, 1, 9, 0, 0, 0, time.UTC)
	pre := &timeline.Evidence{Kind: timeline.PrePass, Mailboxes: 2, Done: 40, Total: 41, Refused: 1}
	for key, st := range map[string]timeline.State{
		"historical_copy": {Status: timeline.Done, At: at, Note: "Pre-migration pass finished: 40 of 41 messages in 2 mailboxes, 1 refused", Evidence: pre},
		"pre_contact":     {Status: timeline.Done, At: at, Note: "called: Thursday is fine"},
	} {
		if err := s.PutStepState(ctx, p.ID, key, st); err != nil {
			t.Fatal(err)
		}
	}
	states, err := s.StepStates(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := states["historical_copy"]; got.Note != "Pre-migration pass finished: 40 of 41 messages in 2 mailboxes, 1 refused" || got.Evidence == nil || !reflect.DeepEqual(got.Evidence, pre) {
		t.Errorf("Cutover's note: %q %+v", got.Note, got.Evidence)
	}
	if got := states["pre_contact"]; got.Note != "called: Thursday is fine" || got.Evidence != nil {
		t.Errorf("a typed note: %q %+v", got.Note, got.Evidence)
	}

	sent := &timeline.Evidence{Kind: timeline.MessageSent, Subject: "Grüße", To: []string{"ana@acme.example"}}
	if _, err := s.AddContact(ctx, p.ID, ContactEntry{StepKey: "pre_contact", At: at, Channel: "email", Summary: `Sent "Grüße" to ana@acme.example`, Evidence: sent}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddContact(ctx, p.ID, ContactEntry{At: at.Add(time.Hour), Channel: "phone", Summary: "cutover-evidence: not JSON"}); err != nil {
		t.Fatal(err)
	}
	log, err := s.ContactLog(ctx, p.ID)
	if err != nil || len(log) != 2 {
		t.Fatalf("contact log %+v %v", log, err)
	}
	if log[0].Summary != `Sent "Grüße" to ana@acme.example` || log[0].Evidence == nil || log[0].Evidence.Subject != "Grüße" {
		t.Errorf("Cutover's summary: %+v", log[0])
	}
	if log[1].Summary != "cutover-evidence: not JSON" || log[1].Evidence != nil {
		t.Errorf("a typed summary that looks like evidence: %+v", log[1])
	}
}

package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"cutover/backend/dnscheck"
	"cutover/backend/project"
)

func TestDNSChecksAndObservationsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.CreateProject(ctx, project.Project{Name: "acme", Domains: []string{"acme.example"}, Provider: project.ProviderM365,
		Cutover: time.Date(2099, 5, 14, 18, 0, 0, 0, time.UTC), Zone: "UTC", Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LatestDNSCheck(ctx, p.ID, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no check yet: %v", err)
	}
	at := time.Date(2027, 5, 10, 14, 2, 0, 0, time.UTC)
	rep := dnscheck.Report{Phase: dnscheck.Before, At: at, Failed: 1, Results: []dnscheck.Result{{
		Domain: "acme.example", Key: "mx", Kind: dnscheck.KindTTL, Name: "acme.example", Type: "MX", Verdict: dnscheck.TTLHigh,
		Answers: []dnscheck.Answer{{Server: "127.0.0.1:53", Label: "ns1", Role: dnscheck.Authoritative, Rcode: "NOERROR",
			Values: []string{"10 mail.acme.example."}, TTL: 86400, HasTTL: true, At: at}},
	}}}
	id, err := s.SaveDNSCheck(ctx, p.ID, rep)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.LatestDNSCheck(ctx, p.ID, dnscheck.Before)
	if err != nil || c.ID != id || c.Report.Results[0].Answers[0].TTL != 86400 {
		t.Fatalf("latest: %+v %v", c, err)
	}
	if _, err := s.LatestDNSCheck(ctx, p.ID, dnscheck.After); !errors.Is(err, ErrNotFound) {
		t.Errorf("no after check: %v", err)
	}
	obs, err := s.DNSObservations(ctx, p.ID, dnscheck.KindTTL)
	if err != nil || len(obs) != 1 {
		t.Fatalf("observations: %+v %v", obs, err)
	}
	o := obs[0]
	if !o.At.Equal(at) || o.Server != "127.0.0.1:53" || o.Label != "ns1" || o.Role != dnscheck.Authoritative || o.TTL != 86400 || !o.HasTTL || o.Values[0] != "10 mail.acme.example." {
		t.Errorf("observation %+v", o)
	}

	// Settings and edits; deleting the project takes them all.
	if err := s.PutDNSSettings(ctx, p.ID, dnscheck.Settings{Verification: map[string]string{"acme.example": "MS=ms1"}, Resolvers: []string{"127.0.0.1:53"}, TTLTarget: 600}); err != nil {
		t.Fatal(err)
	}
	st, _ := s.DNSSettings(ctx, p.ID)
	if st.Verification["acme.example"] != "MS=ms1" || st.Resolvers[0] != "127.0.0.1:53" || st.TTLTarget != 600 || len(st.Nameservers) != 0 {
		t.Errorf("settings %+v", st)
	}
	if err := s.PutDNSRecordEdit(ctx, p.ID, dnscheck.Record{Domain: "acme.example", Key: "mx", Name: "acme.example", Type: "MX", Value: "1 aspmx.l.google.com.", Match: dnscheck.MatchExact, TTL: 300}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteProject(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	for _, table := range []string{"dns_check", "dns_observation", "dns_settings", "dns_verification", "dns_record"} {
		if err := s.db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s after delete: %d rows %v", table, n, err)
		}
	}
}

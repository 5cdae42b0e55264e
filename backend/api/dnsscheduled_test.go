package api

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"cutover/backend/dnsupdate/dnsupdatetest"
	"cutover/backend/project"
	"cutover/backend/secrets"
)

// TestAConfirmedDNSChangeIsMadeAtTheTimelinesTimeOnlyIfTheRecordsAreStillAsShown: the
// specialist confirms the TTL lowering and the switch ahead of time; Cutover makes each
// at the timeline's time — the lowering is refused because someone changed the MX at the
// DNS host after it was confirmed (nothing is sent), the switch is made at 18:00 sharp.
func TestAConfirmedDNSChangeIsMadeAtTheTimelinesTimeOnlyIfTheRecordsAreStillAsShown(t *testing.T) {
	const zoneID, token = "023e105f4ecef8ad9ca31a8372d0c353", "cf-api-token"
	cf := dnsupdatetest.StartCloudflare(t, token, zoneID, 100,
		"MX acme.example 3600 mail.acme.example 10", "TXT acme.example 3600 v=spf1 a:mail ~all", "CNAME autodiscover.acme.example 3600 mail.acme.example")
	c := &clock{t: time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)}
	a := testAPI(t, c)
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"}, Provider: ptr("m365"),
		Source: ptr("imaps://mail.acme.example"), Cutover: ptr("2027-05-14 18:00"), Zone: ptr("UTC")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DnsHostSet("acme", DnsHostInput{Kind: "cloudflare", ZoneID: zoneID, Secret: secrets.New(token), APIURL: ptr(cf.URL)}); err != nil {
		t.Fatal(err)
	}
	lower, err := a.DnsChangePlan("acme", "lower")
	if err != nil || len(lower.Lines) == 0 {
		t.Fatalf("lower plan %+v %v", lower, err)
	}
	if _, err := a.DnsChangeSchedule("acme", DnsScheduleInput{Kind: "lower", Confirm: "0000"}); err == nil || !strings.Contains(err.Error(), "confirm") {
		t.Fatalf("a wrong fingerprint: %v; want it refused, naming confirm", err)
	}
	sl, err := a.DnsChangeSchedule("acme", DnsScheduleInput{Kind: "lower", Confirm: lower.Fingerprint})
	if err != nil {
		t.Fatal(err)
	}
	tl, _ := a.Timeline("acme")
	step, _ := tl.Step("lower_ttl")
	if !sl.At.Equal(step.Due) || sl.State != "pending" {
		t.Fatalf("scheduled %+v; want pending at the TTL step's due time %v", sl, step.Due)
	}
	sw, _ := a.DnsChangePlan("acme", "switch")
	ss, err := a.DnsChangeSchedule("acme", DnsScheduleInput{Kind: "switch", Confirm: sw.Fingerprint, At: "2027-05-14 18:00"})
	if err != nil {
		t.Fatal(err)
	}
	before := cf.State()

	a.runDueDNSChanges(context.Background()) // 09:00: nothing due
	if got := cf.State(); !slices.Equal(got, before) {
		t.Fatalf("a change was made before its time: %v", got)
	}
	// Someone edits the MX at the DNS host after the lowering was confirmed.
	cf.Set(0, "content", "mx2.acme.example")
	c.t = sl.At
	a.runDueDNSChanges(context.Background())
	list, _ := a.DnsScheduled("acme")
	byID := map[int64]string{}
	for _, d := range list {
		byID[d.ID] = d.State + ": " + d.Error
	}
	if !strings.HasPrefix(byID[sl.ID], "refused: not made: the records at the DNS host changed") {
		t.Errorf("the lowering: %q; want it refused, nothing made", byID[sl.ID])
	}
	if changes, _ := a.DnsChanges("acme"); len(changes) != 0 {
		t.Errorf("%d changes made; want none", len(changes))
	}
	// The switch was confirmed with the old MX too: cancelled, shown again and confirmed
	// again, it is made at 18:00 sharp.
	if err := a.DnsScheduleCancel("acme", ss.ID); err != nil {
		t.Fatal(err)
	}
	sw, _ = a.DnsChangePlan("acme", "switch")
	ss, err = a.DnsChangeSchedule("acme", DnsScheduleInput{Kind: "switch", Confirm: sw.Fingerprint})
	if err != nil || !ss.At.Equal(time.Date(2027, 5, 14, 18, 0, 0, 0, time.UTC)) {
		t.Fatalf("switch scheduled %+v %v; want the window's start", ss, err)
	}
	c.t = ss.At.Add(-time.Minute)
	a.runDueDNSChanges(context.Background())
	if changes, _ := a.DnsChanges("acme"); len(changes) != 0 {
		t.Fatalf("the switch was made a minute early")
	}
	c.t = ss.At
	a.runDueDNSChanges(context.Background())
	changes, _ := a.DnsChanges("acme")
	if len(changes) != 1 || changes[0].Kind != "switch" || changes[0].State != "applied" {
		t.Fatalf("changes %+v; want the switch applied", changes)
	}
	if got := cf.State(); !slices.Contains(got, "MX acme.example 300 acme-example.mail.protection.outlook.com 0") {
		t.Errorf("the DNS host holds %v; want the new MX", got)
	}
}

package api

import (
	"strings"
	"testing"
	"time"

	"cutover/backend/dnscheck/dnstest"
	"cutover/backend/docs"
	"cutover/backend/docs/docstest"
	"cutover/backend/project"
)

// A French project's documents word its DNS checks in French from their figures — the
// steps they marked, the ones that pass and the one that does not yet — and the
// confirmation message quotes the TTL proof in French; the faces keep the English.
func TestAFrenchProjectsDNSEvidenceIsWordedInFrench(t *testing.T) {
	loc, _ := time.LoadLocation("America/Toronto")
	c := &clock{t: time.Date(2027, 5, 3, 9, 0, 0, 0, loc)}
	a := testAPI(t, c)
	if _, err := a.CreateProject(project.Input{Name: ptr("acme"), Domains: &[]string{"acme.example"}, Provider: ptr("m365"),
		Source: ptr("imaps://mail.acme.example"), Cutover: ptr("2027-05-14 18:00"), Zone: ptr("America/Toronto")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetCustomerSettings("acme", CustomerSettingsInput{Language: ptr("fr")}); err != nil {
		t.Fatal(err)
	}
	auth := dnstest.Start(t, dnstest.Options{Zone: strings.Replace(zoneTmpl, "{ttl}", "86400", 1)})
	res := dnstest.Start(t, dnstest.Options{Zone: strings.Replace(zoneTmpl, "{ttl}", "86400", 1), Resolver: true})
	if _, err := a.DnsSetSettings("acme", DnsSettingsInput{Verification: map[string]string{"": "MS=ms12345678"},
		Nameservers: &[]string{auth.Addr}, Resolvers: &[]string{res.Addr}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DnsCheck("acme", DnsCheckOptions{Phase: "before"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DnsMarkStep("acme", "verify_domain"); err != nil {
		t.Fatal(err)
	}
	c.t = time.Date(2027, 5, 10, 14, 2, 0, 0, loc)
	if err := auth.SetZone(strings.Replace(zoneTmpl, "{ttl}", "300", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DnsCheck("acme", DnsCheckOptions{Phase: "before"}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	step, err := a.DnsMarkStep("acme", "lower_ttl")
	if err != nil || !strings.HasPrefix(step.Note, "DNS check #2 (before, 2027-05-10 14:02 EDT)") {
		t.Fatalf("the faces' note of lower_ttl: %q %v", step.Note, err)
	}
	msg, err := a.MessageDraft("acme", "confirm_contact")
	if err != nil {
		t.Fatal(err)
	}
	if want := "les TTL sont baissés (Vérification DNS n° 2 (avant la bascule, lun. 2027-05-10 14:02) : TTL des enregistrements qui changent — 4 sur 4 conformes. " +
		"TTL baissé de 86400 à 300 le lun. 2027-05-10 14:02 : bascule sans risque après le mar. 2027-05-11 14:02."; !strings.Contains(msg.Body, want) {
		t.Errorf("the confirmation lacks %q:\n%s", want, msg.Body)
	}

	// The switch: the authoritative server has the new records, the resolver not yet.
	c.t = time.Date(2027, 5, 14, 18, 30, 0, 0, loc)
	if err := auth.SetZone(m365Zone); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DnsCheck("acme", DnsCheckOptions{Phase: "after"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DnsMarkStep("acme", "dns_change"); err != nil {
		t.Fatal(err)
	}

	f, err := a.CustomerDocument("acme", "report-close", "pdf")
	if err != nil {
		t.Fatal(err)
	}
	text := docstest.PDFText(t, f.Data)
	for _, w := range []string{
		"Vérification DNS n° 1 (avant la bascule, lun. 2027-05-03 09:00) : enregistrements TXT de vérification — 1 sur 1 conforme",
		"Vérification DNS n° 2 (avant la bascule, lun. 2027-05-10 14:02) : TTL des enregistrements qui changent — 4 sur 4 conformes",
		"Vérification DNS n° 3 (après la bascule, ven. 2027-05-14 18:30) : nouveaux enregistrements sur les serveurs faisant autorité",
		"Vérification DNS n° 3 (après la bascule, ven. 2027-05-14 18:30) : Autodiscover sur chaque résolveur — 1 sur 1 pas encore conforme : " +
			"autodiscover.acme.example CNAME : 0 résolveur sur 1 voit le nouvel enregistrement Autodiscover",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("the closing report lacks %q:\n%s", w, text)
		}
	}
	for _, en := range []string{"DNS check #", "all 1 pass", "do not pass yet", "resolvers see", "authoritative servers", "TTL lowered", "safe to switch", "before,", "after,"} {
		if strings.Contains(text, en) {
			t.Errorf("the closing report says %q in English:\n%s", en, text)
		}
	}
	for _, k := range docs.Kinds {
		if _, err := a.CustomerDocument("acme", string(k), "html"); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
}

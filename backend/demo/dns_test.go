package demo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"cutover/backend/api"
	"cutover/backend/dnscheck"
)

// The demo's DNS page works with no network: its loopback servers answer, the
// verification TXT passes and the Autodiscover record left at a long TTL is named.
func TestDemoDNSCheckRunsOnItsOwnServers(t *testing.T) {
	a, err := api.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close(a)
	if _, err := Seed(a, Options{}); err != nil {
		t.Fatal(err)
	}
	d, err := StartDNS()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := SeedDNS(a, d, true); err != nil {
		t.Fatal(err)
	}
	latest, err := a.DnsLatest(ProjectName, "before")
	if err != nil || latest == nil {
		t.Fatalf("no stored check: %v", err)
	}
	var verify, autodiscover *dnscheck.Result
	for i, r := range latest.Report.Results {
		switch {
		case r.Step == "verify_domain":
			verify = &latest.Report.Results[i]
		case strings.HasPrefix(r.Name, "autodiscover."):
			autodiscover = &latest.Report.Results[i]
		}
	}
	if verify == nil || verify.Verdict != dnscheck.OK {
		t.Fatalf("verification TXT: %+v", verify)
	}
	if autodiscover == nil || autodiscover.Verdict == dnscheck.OK || !strings.Contains(autodiscover.Fix, "86400") {
		t.Fatalf("autodiscover with its long TTL: %+v", autodiscover)
	}
	if latest.Report.OK {
		t.Fatal("the demo's first check passed although a TTL is still long")
	}
}

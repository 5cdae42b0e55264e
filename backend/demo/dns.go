package demo

import (
	"fmt"

	"cutover/backend/api"
	"cutover/backend/dnscheck/dnstest"
)

// demoZone is acme.example as the customer's DNS host serves it a week before the
// cutover: the verification TXT is published and most TTLs are lowered to 300 s, but
// the Autodiscover record still has its long TTL — the check says what to change.
const demoZone = `$ORIGIN acme.example.
$TTL 300
@            IN SOA ns1 hostmaster 2026112501 7200 3600 1209600 300
@            NS    ns1
ns1          A     127.0.0.1
@            MX    10 mail
@            TXT   "v=spf1 a:mail ~all"
@            TXT   "MS=ms48213377"
mail         A     192.0.2.10
autodiscover 86400 CNAME mail
`

// DNSServers are the demo's DNS: the domain's authoritative server and three resolvers,
// all on loopback, so the DNS page works with no network.
type DNSServers struct {
	Auth      *dnstest.Server
	Resolvers []*dnstest.Server
}

// Close stops them.
func (d *DNSServers) Close() {
	d.Auth.Close()
	for _, r := range d.Resolvers {
		r.Close()
	}
}

// StartDNS starts the demo's DNS servers.
func StartDNS() (*DNSServers, error) {
	auth, err := dnstest.New(dnstest.Options{Zone: demoZone})
	if err != nil {
		return nil, fmt.Errorf("demo DNS server: %w", err)
	}
	d := &DNSServers{Auth: auth}
	for range 3 {
		r, err := dnstest.New(dnstest.Options{Zone: demoZone, Resolver: true})
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("demo resolver: %w", err)
		}
		d.Resolvers = append(d.Resolvers, r)
	}
	return d, nil
}

// SeedDNS points the demo project's DNS checks at d (the verification value too, the
// first time) and runs a first check before the cutover.
func SeedDNS(a *api.API, d *DNSServers, first bool) error {
	resolvers := make([]string, 0, len(d.Resolvers))
	for _, r := range d.Resolvers {
		resolvers = append(resolvers, r.Addr)
	}
	nameservers := []string{d.Auth.Addr}
	in := api.DnsSettingsInput{Resolvers: &resolvers, Nameservers: &nameservers}
	if first {
		in.Verification = map[string]string{"acme.example": "MS=ms48213377"}
	}
	if _, err := a.DnsSetSettings(ProjectName, in); err != nil {
		return fmt.Errorf("demo DNS settings: %w", err)
	}
	if !first {
		return nil
	}
	if _, err := a.DnsCheck(ProjectName, api.DnsCheckOptions{Phase: "before"}); err != nil {
		return fmt.Errorf("demo DNS check: %w", err)
	}
	return nil
}

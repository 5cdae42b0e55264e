package dnscheck

import (
	"context"
	"testing"
	"time"

	"cutover/backend/dnscheck/dnstest"
)

// BenchmarkCheckFiveResolvers is a full after-cutover check of a Microsoft 365 domain:
// three records on one authoritative server and five resolvers, all on loopback.
func BenchmarkCheckFiveResolvers(b *testing.B) {
	auth := dnstest.Start(b, dnstest.Options{Zone: newZone})
	var res []Server
	for range 5 {
		s := dnstest.Start(b, dnstest.Options{Zone: newZone, Resolver: true})
		res = append(res, Server{Addr: s.Addr, Label: s.Addr})
	}
	c := New(Options{Nameservers: []Server{{Addr: auth.Addr, Label: "ns1"}}, Resolvers: res, Timeout: 2 * time.Second})
	req := Request{Phase: After, Records: m365("MS=ms12345678")}
	b.ResetTimer()
	for b.Loop() {
		rep, err := c.Check(context.Background(), req)
		if err != nil || !rep.OK {
			b.Fatalf("check failed: %v %+v", err, rep.Problems)
		}
	}
}

package dnscheck

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/miekg/dns"
)

func TestSystemResolversFromResolvConf(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(path, []byte("# test\nnameserver 127.0.0.53\nnameserver ::1\noptions edns0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sys, err := SystemResolvers(path)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, s := range sys {
		addrs = append(addrs, s.Addr)
	}
	if !slices.Equal(addrs, []string{"127.0.0.53:53", "[::1]:53"}) || sys[0].Label != "system resolver 127.0.0.53" {
		t.Errorf("system resolvers %+v", sys)
	}
	def := DefaultResolvers(path)
	if len(def) != 2+len(PublicResolvers) || def[0].Addr != "127.0.0.53:53" {
		t.Errorf("defaults %+v", def)
	}
	if def := DefaultResolvers(filepath.Join(t.TempDir(), "missing")); len(def) != len(PublicResolvers) {
		t.Errorf("defaults without resolv.conf %+v", def)
	}
}

// FuzzAnswerOf feeds answers off the wire (outside input) to the reader: it must never
// panic, never call an answer OK by itself, and carry values only with NOERROR.
func FuzzAnswerOf(f *testing.F) {
	seed := func(build func(m *dns.Msg)) {
		m := new(dns.Msg)
		m.SetQuestion("acme.example.", dns.TypeMX)
		build(m)
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed(func(m *dns.Msg) {
		rr, _ := dns.NewRR("acme.example. 300 IN MX 10 mail.acme.example.")
		m.Answer = append(m.Answer, rr)
	})
	seed(func(m *dns.Msg) {
		rr, _ := dns.NewRR("acme.example. 300 IN CNAME other.example.")
		rr2, _ := dns.NewRR("other.example. 300 IN CNAME acme.example.")
		m.Answer = append(m.Answer, rr, rr2)
	})
	seed(func(m *dns.Msg) {
		m.Rcode = dns.RcodeNameError
		rr, _ := dns.NewRR("acme.example. 3600 IN SOA ns1.acme.example. h.acme.example. 1 2 3 4 300")
		m.Ns = append(m.Ns, rr)
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(dns.Msg)
		if err := m.Unpack(b); err != nil || len(m.Question) == 0 {
			return
		}
		q := m.Question[0]
		a := answerOf(m, q.Name, q.Qtype)
		if a.Verdict == OK {
			t.Fatalf("answerOf called an answer OK by itself: %+v", a)
		}
		if m.Rcode != dns.RcodeSuccess && len(a.Values) > 0 {
			t.Fatalf("values with %s: %v", dns.RcodeToString[m.Rcode], a.Values)
		}
	})
}

package dnscheck

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"cutover/backend/project"
)

func TestDefaultsPerProvider(t *testing.T) {
	get := func(rs []Record, key string) Record {
		for _, r := range rs {
			if r.Key == key {
				return r
			}
		}
		return Record{}
	}
	ms := Defaults(project.ProviderM365, "Acme.Example", "", "MS=ms1")
	if r := get(ms, "mx"); r.Name != "acme.example" || r.Value != "0 acme-example.mail.protection.outlook.com." {
		t.Errorf("M365 MX %+v", r)
	}
	if r := get(ms, "autodiscover"); r.Name != "autodiscover.acme.example" || r.Type != "CNAME" || r.Value != "autodiscover.outlook.com." || r.Step != "outlook" {
		t.Errorf("M365 autodiscover %+v", r)
	}
	if r := get(ms, "spf"); r.Match != MatchSPF || r.Value != "include:spf.protection.outlook.com" {
		t.Errorf("M365 SPF %+v", r)
	}
	if r := get(ms, "verify"); r.Value != "MS=ms1" || r.Step != "verify_domain" {
		t.Errorf("M365 verify %+v", r)
	}
	g := Defaults(project.ProviderGoogle, "acme.example", "", "")
	if r := get(g, "mx"); r.Value != "1 smtp.google.com." {
		t.Errorf("Google MX %+v", r)
	}
	if r := get(g, "spf"); r.Value != "include:_spf.google.com" {
		t.Errorf("Google SPF %+v", r)
	}
	im := Defaults(project.ProviderIMAP, "acme.example", "imap.host.example", "")
	if r := get(im, "srv-imaps"); r.Name != "_imaps._tcp.acme.example" || r.Value != "0 1 993 imap.host.example." {
		t.Errorf("IMAP SRV %+v", r)
	}
	if r := get(im, "srv-submission"); r.Name != "_submission._tcp.acme.example" || r.Value != "0 1 587 imap.host.example." {
		t.Errorf("submission SRV %+v", r)
	}
	if r := get(im, "autoconfig"); r.Name != "autoconfig.acme.example" || r.Type != "CNAME" || r.Value != "autoconfig.host.example." || !r.IfOffered {
		t.Errorf("IMAP autoconfig %+v", r)
	}
	if r := get(im, "autodiscover"); r.Value != "autodiscover.host.example." || !r.IfOffered || r.Step != "outlook" {
		t.Errorf("IMAP autodiscover %+v", r)
	}
	// A server of the customer's own: its autoconfig is the customer's to publish, not a host's to point to.
	if r := get(Defaults(project.ProviderIMAP, "acme.example", "mail.acme.example", ""), "autoconfig"); r.Key != "" {
		t.Errorf("own server autoconfig %+v", r)
	}
	if r := get(im, "verify"); r.Key != "" {
		t.Errorf("IMAP host without a verification value still checks one: %+v", r)
	}
}

func TestMergeReplacesDisablesAndAdds(t *testing.T) {
	def := Defaults(project.ProviderM365, "acme.example", "", "")
	edits := []Record{
		{Domain: "acme.example", Key: "autodiscover", Disabled: true, Name: "autodiscover.acme.example", Type: "CNAME"},
		{Domain: "acme.example", Key: "dkim1", Name: "selector1._domainkey.acme.example", Type: "CNAME", Value: "selector1-acme-example._domainkey.acme.onmicrosoft.com."},
	}
	got := Merge(def, edits)
	if len(got) != len(def)+1 {
		t.Fatalf("%d records", len(got))
	}
	for _, r := range got {
		if r.Key == "autodiscover" && (!r.Disabled || !r.Custom || r.Step != "outlook") {
			t.Errorf("autodiscover edit %+v", r)
		}
	}
	if last := got[len(got)-1]; last.Key != "dkim1" || !last.Custom {
		t.Errorf("added %+v", last)
	}
}

func TestParseRecordNamesEveryBadField(t *testing.T) {
	domains := []string{"acme.example", "acme.test"}
	for _, tc := range []struct {
		in     RecordInput
		want   Record
		errors []string
	}{
		{in: RecordInput{Domain: "acme.example", Key: "mx", Name: "@", Type: "mx", Value: "0 Acme-Example.mail.protection.outlook.com"},
			want: Record{Domain: "acme.example", Key: "mx", Name: "acme.example", Type: "MX", Value: "0 acme-example.mail.protection.outlook.com.", Match: MatchExact, TTL: 300, Changes: true}},
		{in: RecordInput{Domain: "acme.test", Key: "srv-imaps", Name: "_imaps._tcp", Type: "SRV", Value: "0 1 993 imap.host.example", TTL: "3600"},
			want: Record{Domain: "acme.test", Key: "srv-imaps", Name: "_imaps._tcp.acme.test", Type: "SRV", Value: "0 1 993 imap.host.example.", Match: MatchExact, TTL: 3600, Changes: true}},
		{in: RecordInput{Domain: "acme.example", Key: "verify", Name: "acme.example.", Type: "TXT", Value: `"MS=ms123"`},
			want: Record{Domain: "acme.example", Key: "verify", Name: "acme.example", Type: "TXT", Value: "MS=ms123", Match: MatchExact, TTL: 300}},
		{in: RecordInput{Domain: "other.example", Key: "Mx!", Name: "@", Type: "HINFO", Value: "x", TTL: "-5", Match: "regex"},
			errors: []string{`record 1 domain: "other.example": expected one of the project's domains: acme.example, acme.test`,
				`record 1 key: "Mx!"`, `record 1 type: "HINFO": expected MX, TXT, CNAME, SRV, A or AAAA`, `record 1 match: "regex"`, `record 1 ttl: "-5"`}},
		{in: RecordInput{Domain: "acme.example", Key: "mx", Name: "@", Type: "MX", Value: "mail.acme.example extra words"},
			errors: []string{`record 1 value: "mail.acme.example extra words": expected a preference and a host`}},
		{in: RecordInput{Domain: "acme.example", Key: "spf", Name: "@", Type: "MX", Value: "include:x", Match: "spf"},
			errors: []string{`record 1 match: "spf": expected spf only for a TXT record`}},
		{in: RecordInput{Domain: "acme.example", Key: "a", Name: "host", Type: "A", Value: "2001:db8::1"},
			errors: []string{`record 1 value: "2001:db8::1": expected an IPv4 address`}},
	} {
		got, err := ParseRecord("record 1", tc.in, domains)
		if len(tc.errors) == 0 {
			if err != nil {
				t.Errorf("%+v: %v", tc.in, err)
			} else if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%+v:\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
			continue
		}
		if err == nil || !project.IsInputError(err) {
			t.Errorf("%+v: error %v, want input errors", tc.in, err)
			continue
		}
		for _, want := range tc.errors {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%+v: error %q lacks %q", tc.in, err, want)
			}
		}
	}
}

func TestParseServer(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1": "127.0.0.1:53", " 127.0.0.1:5353 ": "127.0.0.1:5353", "::1": "[::1]:53", "[::1]:5300": "[::1]:5300", "[2001:db8::53]": "[2001:db8::53]:53",
	} {
		s, err := ParseServer("resolver", in)
		if err != nil || s.Addr != want {
			t.Errorf("%q: %q %v, want %q", in, s.Addr, err, want)
		}
	}
	for in, want := range map[string]string{
		"":                  "an IP address with an optional port",
		"dns.google":        "an IP address with an optional port",
		"dns.google:53":     "not a host name (dns.google)",
		"127.0.0.1:0":       "an IP address",
		"127.0.0.1:99999":   "an IP address",
		"fe80::1%eth0":      "an IP address",
		"1.2.3.4:53:53":     "an IP address",
		"http://127.0.0.1/": "an IP address",
	} {
		_, err := ParseServer("resolver", in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "resolver") {
			t.Errorf("%q: error %v, want one with %q", in, err, want)
		}
	}
	ss, err := ParseServers("nameserver", []string{"127.0.0.1:53, 127.0.0.2", "127.0.0.1"})
	if err != nil || len(ss) != 2 {
		t.Errorf("list: %+v %v", ss, err)
	}
}

func FuzzParseServer(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "[::1]:53", "dns.google:53", "1.1.1.1:0", "::ffff:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sv, err := ParseServer("resolver", s)
		if err != nil {
			if !project.IsInputError(err) {
				t.Fatalf("%q: not an input error: %v", s, err)
			}
			return
		}
		// What is accepted is an address a dialer takes as is, and reads back the same.
		again, err := ParseServer("resolver", sv.Addr)
		if err != nil || again.Addr != sv.Addr {
			t.Fatalf("%q → %q → %q %v", s, sv.Addr, again.Addr, err)
		}
	})
}

func FuzzParseRecord(f *testing.F) {
	f.Add("mx", "@", "MX", "0 acme-example.mail.protection.outlook.com", "", "300")
	f.Add("spf", "@", "TXT", "include:_spf.google.com", "spf", "")
	f.Add("srv", "_imaps._tcp", "SRV", "0 1 993 imap.example.net", "", "")
	f.Add("a", "mail", "AAAA", "2001:db8::1", "exact", "60")
	f.Fuzz(func(t *testing.T, key, name, typ, value, match, ttl string) {
		in := RecordInput{Domain: "acme.example", Key: key, Name: name, Type: typ, Value: value, Match: match, TTL: ttl}
		r, err := ParseRecord("record", in, []string{"acme.example"})
		if err != nil {
			if !project.IsInputError(err) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		if r.Name != "acme.example" && !strings.HasSuffix(r.Name, ".acme.example") {
			t.Fatalf("name %q outside the domain", r.Name)
		}
		// A normalised record parses to itself: editing it again changes nothing.
		back := RecordInput{Domain: r.Domain, Key: r.Key, Name: r.Name, Type: r.Type, Value: r.Value, Match: string(r.Match), TTL: strconv.FormatUint(uint64(r.TTL), 10)}
		r2, err := ParseRecord("record", back, []string{"acme.example"})
		if err != nil || !reflect.DeepEqual(r2, r) {
			t.Fatalf("%+v → %+v → %+v %v", in, r, r2, err)
		}
	})
}

func TestMergeKeepsWhatTheDefaultAcceptsWhenOnlyDisabledChanges(t *testing.T) {
	def := Defaults(project.ProviderGoogle, "acme.example", "", "")
	off := Merge(def, []Record{{Domain: "acme.example", Key: "mx", Name: "acme.example", Type: "MX", Value: "1 smtp.google.com.", Disabled: true}})
	on := Merge(def, []Record{{Domain: "acme.example", Key: "mx", Name: "acme.example", Type: "MX", Value: "1 smtp.google.com."}})
	other := Merge(def, []Record{{Domain: "acme.example", Key: "mx", Name: "acme.example", Type: "MX", Value: "10 mx.other.example."}})
	for _, tc := range []struct {
		rs   []Record
		want int
	}{{off, len(GoogleASPMX)}, {on, len(GoogleASPMX)}, {other, 0}} {
		for _, r := range tc.rs {
			if r.Key == "mx" && len(r.Accept) != tc.want {
				t.Errorf("%s: accepts %v", r.Value, r.Accept)
			}
		}
	}
}

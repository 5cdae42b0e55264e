package testsrv

// Knot DNS: Debian's authoritative name server (package knot), serving one zone on a
// random loopback port and accepting dynamic updates (RFC 2136) signed with one TSIG
// key (RFC 8945), for the tests of changes Cutover makes at a self-hosted DNS host.

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// AcmeZone is acme.example at its DNS host before a cutover: the old mail host as MX,
// in the SPF record and behind Autodiscover, and Microsoft 365's verification TXT.
const AcmeZone = `$ORIGIN acme.example.
$TTL 3600
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 127.0.0.1
@ MX 10 mail
@ TXT "v=spf1 a:mail ~all"
@ TXT "MS=ms12345678"
mail A 192.0.2.10
autodiscover CNAME mail
`

// KnotServer is a running knotd serving one zone that a TSIG key may update.
type KnotServer struct {
	Addr      string // 127.0.0.1:port, UDP and TCP
	Origin    string // the zone's name, with its final dot
	KeyName   string // the TSIG key allowed to update, with its final dot
	Algorithm string // hmac-sha256
	Secret    string // the key's secret, base64
	dir       string
	d         *daemon
}

// KnotStart starts knotd in the foreground on a free loopback port, serving zone
// (zone-file text whose SOA names origin) and accepting updates signed with a new
// random hmac-sha256 key, and stops it when the test ends. Without knotd the test is
// skipped, or fails where the servers are required (RequireBinary).
func KnotStart(t testing.TB, origin, zone string) *KnotServer {
	t.Helper()
	bin := RequireBinary(t, "knotd", "knot")
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	k := &KnotServer{
		Origin: dns.Fqdn(strings.ToLower(origin)), KeyName: "cutover-test.", Algorithm: "hmac-sha256",
		Secret: base64.StdEncoding.EncodeToString(secret), dir: t.TempDir(),
	}
	if err := os.WriteFile(filepath.Join(k.dir, "zone"), []byte(zone), 0o644); err != nil {
		t.Fatal(err)
	}
	// The journal, where knotd keeps the updates, goes here: it must exist.
	if err := os.Mkdir(filepath.Join(k.dir, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := onFreePort(func(port int) error { return k.start(bin, port) }); err != nil {
		t.Fatalf("start knotd: %v", err)
	}
	t.Cleanup(k.stop)
	return k
}

func (k *KnotServer) start(bin string, port int) error {
	// zonefile-sync -1: the zone file is never rewritten, changes live in the journal.
	conf := fmt.Sprintf(`server:
    rundir: "%[1]s"
    pidfile: "%[1]s/knot.pid"
    listen: 127.0.0.1@%[2]d
database:
    storage: "%[1]s/db"
control:
    listen: "%[1]s/knot.sock"
log:
  - target: stderr
    any: info
key:
  - id: %[3]s
    algorithm: %[4]s
    secret: %[5]s
acl:
  - id: cutover-update
    key: %[3]s
    action: update
template:
  - id: default
    storage: "%[1]s"
    zonefile-sync: -1
zone:
  - domain: %[6]s
    file: zone
    acl: cutover-update
`, k.dir, port, k.KeyName, k.Algorithm, k.Secret, k.Origin)
	confPath := filepath.Join(k.dir, "knot.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return err
	}
	d, err := startDaemon(bin, []string{"-c", confPath}, filepath.Join(k.dir, "knotd.log"))
	if err != nil {
		return err
	}
	k.d = d
	k.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := d.await(300, 50*time.Millisecond, func() error { _, err := k.Serial(); return err }); err != nil {
		d.stop()
		return fmt.Errorf("knotd did not serve %s on %s: %v: %s", k.Origin, k.Addr, err, k.Logs())
	}
	return nil
}

// Logs is what knotd logged.
func (k *KnotServer) Logs() string {
	b, _ := os.ReadFile(filepath.Join(k.dir, "knotd.log"))
	return strings.TrimSpace(string(b))
}

func (k *KnotServer) stop() { k.d.stop() }

// Serial asks knotd for the zone's SOA serial.
func (k *KnotServer) Serial() (uint32, error) { return soaSerial(k.Addr, k.Origin) }

// Query asks knotd directly (TCP) for name's records of type qtype: the test's own
// look at what the server serves, independent of the code under test.
func (k *KnotServer) Query(name string, qtype uint16) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	c := &dns.Client{Net: "tcp", Timeout: time.Second}
	r, _, err := c.Exchange(m, k.Addr)
	if err != nil {
		return nil, err
	}
	if r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError {
		return nil, fmt.Errorf("%s %s: %s", name, dns.TypeToString[qtype], dns.RcodeToString[r.Rcode])
	}
	return r.Answer, nil
}

// Records is what knotd serves for name and type, asked directly: each record as
// "TTL rdata" ("300 10 mail.acme.example."), sorted. The test fails when it cannot ask.
func (k *KnotServer) Records(t testing.TB, name string, qtype uint16) []string {
	t.Helper()
	rrs, err := k.Query(name, qtype)
	if err != nil {
		t.Fatalf("ask knotd for %s %s: %v", name, dns.TypeToString[qtype], err)
	}
	out := []string{}
	for _, rr := range rrs {
		if h := rr.Header(); h.Rrtype == qtype {
			out = append(out, fmt.Sprintf("%d %s", h.Ttl, strings.TrimSpace(strings.TrimPrefix(rr.String(), h.String()))))
		}
	}
	slices.Sort(out)
	return out
}

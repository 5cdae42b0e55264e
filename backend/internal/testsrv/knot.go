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
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// KnotServer is a running knotd serving one zone that a TSIG key may update.
type KnotServer struct {
	Addr      string // 127.0.0.1:port, UDP and TCP
	Origin    string // the zone's name, with its final dot
	KeyName   string // the TSIG key allowed to update, with its final dot
	Algorithm string // hmac-sha256
	Secret    string // the key's secret, base64
	dir       string
	cmd       *exec.Cmd
	exited    chan error
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
	var lastErr error
	for range 5 {
		port, err := nsdFreePort()
		if err != nil {
			t.Fatal(err)
		}
		if lastErr = k.start(bin, port); lastErr == nil {
			t.Cleanup(k.stop)
			return k
		}
	}
	t.Fatalf("start knotd: %v", lastErr)
	return nil
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
	logf, err := os.Create(filepath.Join(k.dir, "knotd.log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "-c", confPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", bin, err)
	}
	k.cmd, k.exited = cmd, make(chan error, 1)
	go func() { k.exited <- cmd.Wait(); logf.Close() }()
	k.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// Readiness: a bounded number of SOA queries, each waiting up to a second for an
	// answer; knotd loads a small zone well within them.
	for range 150 {
		select {
		case err := <-k.exited:
			k.cmd = nil
			return fmt.Errorf("knotd exited: %v: %s", err, k.Logs())
		default:
		}
		if _, err := k.Serial(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	k.stop()
	return fmt.Errorf("knotd did not serve %s on %s: %s", k.Origin, k.Addr, k.Logs())
}

// Logs is what knotd logged.
func (k *KnotServer) Logs() string {
	b, _ := os.ReadFile(filepath.Join(k.dir, "knotd.log"))
	return strings.TrimSpace(string(b))
}

func (k *KnotServer) stop() {
	if k.cmd == nil || k.cmd.Process == nil {
		return
	}
	_ = k.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-k.exited:
	case <-time.After(10 * time.Second):
		_ = k.cmd.Process.Kill()
		<-k.exited
	}
	k.cmd = nil
}

// Serial asks knotd for the zone's SOA serial.
func (k *KnotServer) Serial() (uint32, error) {
	rrs, err := k.Query(k.Origin, dns.TypeSOA)
	if err != nil {
		return 0, err
	}
	for _, rr := range rrs {
		if soa, ok := rr.(*dns.SOA); ok {
			return soa.Serial, nil
		}
	}
	return 0, fmt.Errorf("no SOA for %s", k.Origin)
}

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

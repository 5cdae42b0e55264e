package testsrv

// NSD: Debian's authoritative name server (package nsd), serving one zone on a random
// loopback port for integration tests.

import (
	"errors"
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

// NSDServer is a running nsd serving one zone.
type NSDServer struct {
	Addr   string // 127.0.0.1:port, UDP and TCP
	Origin string // the zone's name, with its final dot
	dir    string
	d      *daemon
	t      testing.TB
}

// NSDBinary finds nsd. When it is missing the test fails under CI=true (the Debian
// package is part of the test setup: scripts/test.sh installs it) and is skipped
// otherwise, with the command that installs it.
func NSDBinary(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("NSD"), "/usr/sbin/nsd"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("nsd"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("nsd is not installed: apt-get install -y nsd (scripts/test.sh does)")
	}
	t.Skip("nsd is not installed: apt-get install -y nsd")
	return ""
}

// NSDStart starts nsd in the foreground on a free loopback port, serving zone (zone-file
// text whose SOA names origin), and stops it when the test ends.
func NSDStart(t testing.TB, origin, zone string) *NSDServer {
	t.Helper()
	bin := NSDBinary(t)
	n := &NSDServer{Origin: dns.Fqdn(strings.ToLower(origin)), dir: t.TempDir(), t: t}
	if err := os.WriteFile(n.zonePath(), []byte(zone), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := onFreePort(func(port int) error { return n.start(bin, port) }); err != nil {
		t.Fatalf("start nsd: %v", err)
	}
	t.Cleanup(n.stop)
	return n
}

func (n *NSDServer) zonePath() string { return filepath.Join(n.dir, "zone") }

func (n *NSDServer) start(bin string, port int) error {
	conf := fmt.Sprintf(`server:
	ip-address: 127.0.0.1@%[1]d
	port: %[1]d
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "%[2]s"
	database: ""
	zonelistfile: "%[2]s/zone.list"
	pidfile: "%[2]s/nsd.pid"
	xfrdfile: "%[2]s/xfrd.state"
	xfrdir: "%[2]s"
	logfile: "%[2]s/nsd.log"
	verbosity: 2
remote-control:
	control-enable: no
zone:
	name: "%[3]s"
	zonefile: "%[2]s/zone"
`, port, n.dir, n.Origin)
	confPath := filepath.Join(n.dir, "nsd.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return err
	}
	if out, err := exec.Command(filepath.Join(filepath.Dir(bin), "nsd-checkconf"), confPath).CombinedOutput(); err != nil {
		if !errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("nsd-checkconf: %v: %s", err, out)
		}
	}
	d, err := startDaemon(bin, []string{"-d", "-c", confPath}, filepath.Join(n.dir, "stderr.log"))
	if err != nil {
		return err
	}
	n.d = d
	n.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := d.await(300, 50*time.Millisecond, func() error { _, err := n.Serial(); return err }); err != nil {
		d.stop()
		return fmt.Errorf("nsd did not answer on %s: %v: %s", n.Addr, err, n.logs())
	}
	return nil
}

func (n *NSDServer) logs() string {
	a, _ := os.ReadFile(filepath.Join(n.dir, "stderr.log"))
	b, _ := os.ReadFile(filepath.Join(n.dir, "nsd.log"))
	return strings.TrimSpace(string(a) + "\n" + string(b))
}

func (n *NSDServer) stop() { n.d.stop() }

// Serial asks nsd for the zone's SOA serial.
func (n *NSDServer) Serial() (uint32, error) { return soaSerial(n.Addr, n.Origin) }

// NSDSetZone replaces the zone (whose SOA serial must be higher), has nsd reload it
// (SIGHUP) and waits until nsd serves the new serial.
func (n *NSDServer) NSDSetZone(zone string, serial uint32) {
	n.t.Helper()
	path := n.zonePath()
	if err := os.WriteFile(path, []byte(zone), 0o644); err != nil {
		n.t.Fatal(err)
	}
	// nsd reloads a zone file whose modification time changed: make sure it did.
	later := time.Now().Add(2 * time.Second)
	_ = os.Chtimes(path, later, later)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		n.d.signal(syscall.SIGHUP)
		time.Sleep(100 * time.Millisecond)
		if s, err := n.Serial(); err == nil && s == serial {
			return
		}
	}
	n.t.Fatalf("nsd did not load serial %d in 15 s: %s", serial, n.logs())
}

// nsdFreePort is a port free on 127.0.0.1 for both UDP and TCP (at the moment of asking).
func nsdFreePort() (int, error) {
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		pc.Close()
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, errors.New("no free loopback port for nsd")
}

package notices

import (
	"bufio"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"

	"cutover/backend/api"
	"cutover/backend/events"
	"cutover/backend/internal/testsrv"
	"cutover/backend/store"
)

// notifications is a freedesktop notification server on a private session bus: it
// records what it is asked to show.
type notifications struct{ got chan [2]string }

func (n *notifications) Notify(app string, id uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.got <- [2]string{summary, body}
	return 1, nil
}

// sessionBus starts a dbus-daemon of its own and points DBUS_SESSION_BUS_ADDRESS at it.
func sessionBus(t *testing.T) *notifications {
	t.Helper()
	bin := testsrv.RequireBinary(t, "dbus-daemon", "dbus-daemon")
	addr := "unix:path=" + filepath.Join(t.TempDir(), "bus")
	cmd := exec.Command(bin, "--session", "--nofork", "--print-address=1", "--address="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n') // the daemon listens once it prints its address
	if err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(line))
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	n := &notifications{got: make(chan [2]string, 8)}
	if err := conn.Export(n, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own the notification service: %v %v", reply, err)
	}
	return n
}

func TestTheWindowNotifiesTheDesktopWhenAPassEndsOrASweepFindsMail(t *testing.T) {
	n := sessionBus(t)
	bus := events.NewBus()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, unsubscribe := bus.Subscribe() // subscribed before anything is published
	defer unsubscribe()
	go Forward(ctx, ch, System(), testLogger(t))
	bus.Publish("pass:done", "acme", api.PassDone{Pass: "final", Mailboxes: 2, Copied: 26})
	first := <-n.got
	if first != [2]string{"acme: final pass done", "26 copied"} {
		t.Errorf("first notification %q", first)
	}
	bus.Publish("sweep:done", "acme", store.SweepRun{Copied: 0})            // found nothing: no notification
	bus.Publish("sweep:done", "acme", store.SweepRun{Copied: 3, Failed: 1}) // found mail
	bus.Publish("dns:scheduled-done", "acme", store.DNSScheduled{Kind: "switch", State: "applied"})
	for _, want := range [][2]string{{"acme: sweep found mail", "3 new messages copied, 1 refused"}, {"acme: scheduled DNS switch", "applied"}} {
		if got := <-n.got; got != want {
			t.Errorf("notification %q, want %q", got, want)
		}
	}
}

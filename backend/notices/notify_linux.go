package notices

import (
	"fmt"
	"sync"

	"github.com/godbus/dbus/v5"
)

// System is the desktop's notification service: org.freedesktop.Notifications on the
// session bus (DBUS_SESSION_BUS_ADDRESS), connected on first use.
func System() Notifier { return &freedesktop{} }

type freedesktop struct {
	mu   sync.Mutex
	conn *dbus.Conn
}

func (f *freedesktop) Notify(title, body string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn == nil {
		conn, err := dbus.ConnectSessionBus()
		if err != nil {
			return fmt.Errorf("connect to the session bus: %w", err)
		}
		f.conn = conn
	}
	obj := f.conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	call := obj.Call("org.freedesktop.Notifications.Notify", 0, "Cutover", uint32(0), "", title, body,
		[]string{}, map[string]dbus.Variant{}, int32(-1))
	if call.Err != nil {
		return fmt.Errorf("notify: %w", call.Err)
	}
	return nil
}

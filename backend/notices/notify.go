// Package notices tells the user, from the desktop window, what ended while they looked
// elsewhere: a pass over the batch, a sweep that found mail or failed, a DNS change made
// (or refused) at its scheduled time — as the operating system's notifications (the
// freedesktop D-Bus service on Linux, toasts on Windows), the same texts the app shows in
// its own line. It is a face: it reads the API's events.
package notices

import (
	"context"
	"fmt"
	"log/slog"

	"cutover/backend/api"
	"cutover/backend/events"
	"cutover/backend/store"
)

// Notifier shows one notification.
type Notifier interface {
	Notify(title, body string) error
}

// Text is the notification an event calls for: ok false when it calls for none (a sweep
// that found nothing, any other event).
func Text(ev events.Event) (title, body string, ok bool) {
	switch d := ev.Data.(type) {
	case api.PassDone:
		how := "done"
		switch {
		case d.Stopped:
			how = "stopped"
		case d.Errors > 0:
			how = "ended with errors"
		}
		body = fmt.Sprintf("%d copied", d.Copied)
		if d.Failed > 0 {
			body += fmt.Sprintf(", %d refused", d.Failed)
		}
		if d.Errors > 0 {
			body += fmt.Sprintf(", %d mailboxes failed", d.Errors)
		}
		return fmt.Sprintf("%s: %s pass %s", ev.Project, d.Pass, how), body, true
	case store.SweepRun:
		switch {
		case d.Error != "":
			return ev.Project + ": sweep failed", d.Error, true
		case d.Copied > 0 || d.Failed > 0:
			body = fmt.Sprintf("%d new message%s copied", d.Copied, map[bool]string{true: "", false: "s"}[d.Copied == 1])
			if d.Failed > 0 {
				body += fmt.Sprintf(", %d refused", d.Failed)
			}
			return ev.Project + ": sweep found mail", body, true
		}
	case store.DNSScheduled:
		if ev.Name == "dns:scheduled-done" {
			body = d.State
			if d.Error != "" {
				body += ": " + d.Error
			}
			return fmt.Sprintf("%s: scheduled DNS %s", ev.Project, d.Kind), body, true
		}
	}
	return "", "", false
}

// Forward shows a notification for each event of ch (a subscription to the API's bus)
// that calls for one, until ctx ends or ch closes.
func Forward(ctx context.Context, ch <-chan events.Event, n Notifier, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, open := <-ch:
			if !open {
				return
			}
			if title, body, ok := Text(ev); ok {
				if err := n.Notify(title, body); err != nil {
					log.Warn("desktop notification", "err", err)
				}
			}
		}
	}
}

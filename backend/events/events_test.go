package events_test

import (
	"fmt"
	"testing"

	"cutover/backend/events"
)

// progress is a snapshot event: a newer one for the same mailbox supersedes it.
type progress struct {
	Login string
	Done  int
}

func (p progress) SnapshotKey() string { return p.Login }

// A subscriber that falls behind a burst of progress still receives every one-shot event
// (the end of the pass) and the latest progress of each mailbox, in the order published.
func TestSlowSubscriberGetsOneShotEventsAndLatestProgress(t *testing.T) {
	bus := events.NewBus()
	ch, stop := bus.Subscribe()
	defer stop()

	logins := []string{"alice", "bob", "carol"}
	const burst = 5000
	// The subscriber reads nothing while the pass publishes a burst of progress and ends.
	for i := 1; i <= burst; i++ {
		for _, l := range logins {
			bus.Publish("copy:progress", "acme", progress{Login: l, Done: i})
		}
	}
	bus.Publish("copy:done", "acme", "alice")
	bus.Publish("copy:finished", "acme", "result")

	// The subscriber takes one event, then the test marks the end of the stream: with
	// room made by that read, even a bus that drops on a full queue delivers the marker.
	got := []events.Event{<-ch}
	bus.Publish("test:end", "", nil)
	for ev := range ch {
		got = append(got, ev)
		if ev.Name == "test:end" {
			break
		}
	}

	last := map[string]int{}
	var oneShots []string
	progressEvents := 0
	for _, ev := range got {
		switch p := ev.Data.(type) {
		case progress:
			progressEvents++
			if p.Done < last[p.Login] {
				t.Errorf("progress of %s went back from %d to %d: events out of order", p.Login, last[p.Login], p.Done)
			}
			last[p.Login] = p.Done
		default:
			oneShots = append(oneShots, ev.Name)
		}
	}
	if want := "[copy:done copy:finished test:end]"; fmt.Sprint(oneShots) != want {
		t.Errorf("one-shot events received: %v; want %s (none may be dropped)", oneShots, want)
	}
	for _, l := range logins {
		if last[l] != burst {
			t.Errorf("latest progress of %s received: %d of %d; want the last one", l, last[l], burst)
		}
	}
	// Superseded progress is dropped: what waits for a slow subscriber stays bounded.
	if progressEvents > 2*len(logins) {
		t.Errorf("%d progress events queued for a slow subscriber; want at most %d (one per mailbox and the one in flight)", progressEvents, 2*len(logins))
	}
}

// A subscriber that stops reading does not make the bus hold events without end: past
// MaxPending one-shot events its stream ends, so it knows it missed some.
func TestStuckSubscriberStreamEnds(t *testing.T) {
	bus := events.NewBus()
	ch, stop := bus.Subscribe()
	defer stop()
	// One more than MaxPending waiting, beside the one the subscriber's pump holds.
	for i := 0; i < events.MaxPending+2; i++ {
		bus.Publish("project:changed", "acme", i)
	}
	n := 0
	for range ch {
		n++
	}
	if n > events.MaxPending {
		t.Fatalf("the stuck subscriber received %d events after its stream should have ended", n)
	}
	// Publishing goes on for the others.
	ch2, stop2 := bus.Subscribe()
	defer stop2()
	bus.Publish("copy:finished", "acme", nil)
	if ev := <-ch2; ev.Name != "copy:finished" {
		t.Fatalf("a new subscriber got %q", ev.Name)
	}
}

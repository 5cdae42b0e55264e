// Package events is the one stream through which long operations report progress.
// The desktop window (Wails events), the browser (Server-Sent Events) and the
// terminal (progress bar or JSON lines) all subscribe to the same Bus.
//
// Two kinds of event travel on it. A snapshot (its Data implements Snapshot, like a
// mailbox's "copy:progress") says where something stands now: a newer snapshot with the
// same name, project and key replaces one a subscriber has not received yet, so a slow
// subscriber gets the latest state, not a backlog. Every other event is one-shot
// ("copy:finished", "copy:error", "project:changed"): it is delivered to every subscriber,
// in the order published, never dropped. The publisher never waits for a subscriber.
package events

import (
	"container/list"
	"sync"
	"time"
)

// Event is one report. Name is "domain:what", e.g. "copy:progress".
type Event struct {
	Name    string    `json:"name"`
	Project string    `json:"project,omitempty"`
	At      time.Time `json:"at"`
	Data    any       `json:"data"`
}

// Snapshot is implemented by event data that a newer event supersedes: the latest
// snapshot of a key (a mailbox, say) is all a subscriber needs.
type Snapshot interface {
	SnapshotKey() string
}

// MaxPending is how many one-shot events may wait for one subscriber. A subscriber that
// falls this far behind has stopped reading: its stream is ended (its channel closed),
// so that it knows it missed events (the browser reconnects and reloads) and memory
// stays bounded. Snapshots waiting are at most one per key.
const MaxPending = 10000

// Bus fans events out to subscribers.
type Bus struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[*subscriber]struct{}{}} }

// Publish sends an event to every subscriber without blocking.
func (b *Bus) Publish(name, project string, data any) {
	ev := Event{Name: name, Project: project, At: time.Now(), Data: data}
	key := ""
	if s, ok := data.(Snapshot); ok {
		key = name + "\x00" + project + "\x00" + s.SnapshotKey()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if !s.push(ev, key) {
			delete(b.subs, s)
			s.end()
		}
	}
}

// Subscribe returns a channel of events and a function that ends the subscription
// (and closes the channel).
func (b *Bus) Subscribe() (<-chan Event, func()) {
	s := &subscriber{
		out:    make(chan Event),
		wake:   make(chan struct{}, 1),
		quit:   make(chan struct{}),
		exited: make(chan struct{}),
		latest: map[string]*list.Element{},
	}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go s.pump()
	var once sync.Once
	return s.out, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, s)
			b.mu.Unlock()
			s.end()
		})
		<-s.exited
	}
}

// subscriber is one subscription: a queue the publisher appends to and a pump that
// hands it out on the channel at the pace the subscriber reads.
type subscriber struct {
	out    chan Event
	wake   chan struct{} // something was queued
	quit   chan struct{} // the subscription ended
	exited chan struct{} // the pump has closed out
	ended  sync.Once

	mu       sync.Mutex
	queue    list.List                // of queued, oldest first
	latest   map[string]*list.Element // snapshot key → its queued snapshot
	oneShots int                      // one-shot events in queue
}

type queued struct {
	ev  Event
	key string // "" for a one-shot event
}

// push queues ev; false when the subscriber is too far behind to keep.
func (s *subscriber) push(ev Event, key string) bool {
	s.mu.Lock()
	if key != "" {
		// The superseded snapshot goes; the new one takes its turn after what was
		// published in between, so that order is kept.
		if old, ok := s.latest[key]; ok {
			s.queue.Remove(old)
		}
		s.latest[key] = s.queue.PushBack(queued{ev, key})
	} else {
		if s.oneShots >= MaxPending {
			s.mu.Unlock()
			return false
		}
		s.oneShots++
		s.queue.PushBack(queued{ev, ""})
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// pop takes the oldest queued event.
func (s *subscriber) pop() (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	front := s.queue.Front()
	if front == nil {
		return Event{}, false
	}
	q := s.queue.Remove(front).(queued)
	if q.key == "" {
		s.oneShots--
	} else if s.latest[q.key] == front {
		delete(s.latest, q.key)
	}
	return q.ev, true
}

func (s *subscriber) end() { s.ended.Do(func() { close(s.quit) }) }

func (s *subscriber) pump() {
	defer close(s.exited)
	defer close(s.out)
	for {
		ev, ok := s.pop()
		if !ok {
			select {
			case <-s.wake:
				continue
			case <-s.quit:
				return
			}
		}
		select {
		case s.out <- ev:
		case <-s.quit:
			return
		}
	}
}

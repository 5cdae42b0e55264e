// Package events is the one stream through which long operations report progress.
// The desktop window (Wails events), the browser (Server-Sent Events) and the
// terminal (progress bar or JSON lines) all subscribe to the same Bus.
package events

import (
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

// Bus fans events out to subscribers. A slow subscriber loses events rather than
// slowing the publisher: progress is a stream of snapshots, the latest one wins.
type Bus struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[chan Event]struct{}{}} }

// Publish sends an event to every subscriber without blocking.
func (b *Bus) Publish(name, project string, data any) {
	ev := Event{Name: name, Project: project, At: time.Now(), Data: data}
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}

// Subscribe returns a channel of events and a function that ends the subscription.
func (b *Bus) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 256)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, ch)
			b.mu.Unlock()
			close(ch)
		})
	}
}

package mailbox

import (
	"sync"
	"time"
)

// Progress is a mailbox's progress in a pass.
type Progress struct {
	Job           string  `json:"job"`
	Folder        string  `json:"folder"`
	State         State   `json:"state"`
	MessagesDone  int     `json:"messagesDone"`
	MessagesTotal int     `json:"messagesTotal"`
	BytesDone     int64   `json:"bytesDone"`
	BytesTotal    int64   `json:"bytesTotal"`
	Failed        int     `json:"failed"`
	Rate          float64 `json:"rate"`       // messages per second
	ByteRate      float64 `json:"byteRate"`   // bytes per second
	ETASeconds    float64 `json:"etaSeconds"` // -1 when unknown
	Error         string  `json:"error,omitempty"`
}

// tracker accumulates progress and reports it.
type tracker struct {
	c        *Copier
	mu       sync.Mutex
	p        Progress
	started  time.Time
	lastSent time.Time
	listing  bool // the totals are still growing: no ETA yet
}

func (t *tracker) add(msgs int, bytes int64, failed int) {
	t.mu.Lock()
	t.p.MessagesDone += msgs
	t.p.BytesDone += bytes
	t.p.Failed += failed
	t.mu.Unlock()
	t.report(false)
}

func (t *tracker) set(f func(p *Progress)) {
	t.mu.Lock()
	f(&t.p)
	t.mu.Unlock()
	t.report(true)
}

func (t *tracker) report(force bool) {
	if t.c.Progress == nil {
		return
	}
	t.mu.Lock()
	now := t.c.Now()
	if !force && now.Sub(t.lastSent) < 250*time.Millisecond {
		t.mu.Unlock()
		return
	}
	t.lastSent = now
	p := t.p
	if el := now.Sub(t.started).Seconds(); el > 0 {
		p.Rate = float64(p.MessagesDone) / el
		p.ByteRate = float64(p.BytesDone) / el
	}
	p.ETASeconds = -1
	if p.ByteRate > 0 && p.BytesTotal >= p.BytesDone && !t.listing && p.State == StateCopying {
		p.ETASeconds = float64(p.BytesTotal-p.BytesDone) / p.ByteRate
	}
	t.mu.Unlock()
	t.c.Progress(p)
}

package dnscheck

import "time"

// Proof is what one check says about a timeline step: how many of its results count for
// the step, and those that do not pass yet. It is kept as figures, so that every reader
// (the English faces, a French document) words it in its own language.
type Proof struct {
	Step    string    `json:"step"`
	Check   int64     `json:"check"`
	Phase   Phase     `json:"phase"`
	At      time.Time `json:"at"`
	Passed  bool      `json:"passed"`
	Count   int       `json:"count"`             // results that count for the step
	Failing []Result  `json:"failing,omitempty"` // those that do not pass yet
	// Safe is when switching is safe, for the step of lowering the TTLs.
	Safe *SafeSwitch `json:"safe,omitempty"`
}

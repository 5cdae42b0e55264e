package mailbox

// State is where a mailbox stands in a pass. It is one vocabulary for what the copy
// reports live (Progress.State), what is recorded of each pass (store.MailPass.State,
// the mail_pass table) and what the faces show, so that no face compares strings.
type State string

// A pass over a mailbox plans (lists, maps and sizes up its folders), copies (and
// retries after a dropped connection), then ends done, failed or stopped. The values
// are the JSON and database values.
const (
	StatePlanning State = "planning"
	StateCopying  State = "copying"
	StateRetrying State = "retrying" // waiting to reconnect; Progress.Error says why
	StateDone     State = "done"
	StateFailed   State = "failed"
	StateStopped  State = "stopped" // cancelled or interrupted: the next pass resumes

	// Recorded only: a pass under way (its live state is in its Progress), and one that
	// ended with messages the destination refused.
	StateRunning State = "running"
	StatePartial State = "partial"

	// Recorded for a verification: nothing missing at the destination, or something.
	StateComplete   State = "complete"
	StateIncomplete State = "incomplete"
)

// Over reports whether the pass has ended, whatever the outcome.
func (s State) Over() bool {
	switch s {
	case StateDone, StateFailed, StateStopped, StatePartial, StateComplete, StateIncomplete:
		return true
	}
	return false
}

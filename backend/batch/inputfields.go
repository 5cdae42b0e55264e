package batch

import "cutover/backend/fault"

// InputFields makes an InputError a fault.Input error, so every face shows its field.
// (In a file of its own while batch.go, where InputError is declared, is reworked.)
func (e *InputError) InputFields() []fault.Field {
	return []fault.Field{{Field: e.Field, Value: e.Value, Expected: e.Expected, Problem: e.Reason, Message: e.Error()}}
}

package mailbox

import (
	"reflect"
	"testing"
)

func TestFolderUnitsKeepOneDestinationOnOnePipelineLargestFirst(t *testing.T) {
	plan := []folderPlan{
		{m: Mapping{Source: "Archive", Dest: "Archive"}, size: 20},
		{m: Mapping{Source: "INBOX", Dest: "INBOX"}, size: 100},
		{m: Mapping{Source: "Sent", Dest: "Sent"}, size: 30},
		{m: Mapping{Source: "Sent Items", Dest: "Sent"}, size: 40},
		{m: Mapping{Source: "Trash", Dest: "Trash"}, size: 0},
	}
	// Sent and Sent Items share a unit (70 bytes), after INBOX and before Archive; plan
	// order within the unit.
	want := [][]int{{1}, {2, 3}, {0}, {4}}
	if got := folderUnits(plan); !reflect.DeepEqual(got, want) {
		t.Fatalf("units %v, want %v", got, want)
	}
}

func TestLastPerUIDReportsEachRefusedMessageOnce(t *testing.T) {
	got := lastPerUID([]Failure{{UID: 7, Reason: "first try"}, {UID: 9, Reason: "too big"}, {UID: 7, Reason: "second try"}})
	want := []Failure{{UID: 7, Reason: "second try"}, {UID: 9, Reason: "too big"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

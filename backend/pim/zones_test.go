package pim

import (
	"testing"
	"time"
)

func TestWindowsZonesAreKnownToTheTimeZoneDatabase(t *testing.T) {
	for win, iana := range windowsZones {
		if _, err := time.LoadLocation(iana); err != nil {
			t.Errorf("%s maps to %s: %v", win, iana, err)
		}
	}
	for _, tc := range []struct{ tzid, want string }{
		{"W. Europe Standard Time", "Europe/Berlin"}, {"Cen. Australia Standard Time", "Australia/Adelaide"},
		{"UTC-02", "Etc/GMT+2"}, {"UTC+12", "Etc/GMT-12"}, {"Nepal Standard Time", "Asia/Kathmandu"},
		{"Europe/Lisbon", "Europe/Lisbon"}, {"", "UTC"},
	} {
		if got, ok := IANAZone(tc.tzid); !ok || got != tc.want {
			t.Errorf("IANAZone(%q) = %q, %v; want %q", tc.tzid, got, ok, tc.want)
		}
	}
	if z, ok := IANAZone("tzone://Microsoft/Custom"); ok {
		t.Errorf("Outlook's custom zone mapped to %q", z)
	}
}

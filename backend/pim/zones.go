package pim

import "time"

// windowsZones maps the Windows time zone names Outlook and Exchange write in TZID to
// IANA names (CLDR windowsZones.xml, territory 001), for destinations that take IANA
// names only (Google Calendar). The common ones; an unknown name is reported per item.
var windowsZones = map[string]string{
	"Dateline Standard Time": "Etc/GMT+12", "Hawaiian Standard Time": "Pacific/Honolulu", "Alaskan Standard Time": "America/Anchorage",
	"Pacific Standard Time": "America/Los_Angeles", "Mountain Standard Time": "America/Denver", "US Mountain Standard Time": "America/Phoenix",
	"Central Standard Time": "America/Chicago", "Eastern Standard Time": "America/New_York", "Atlantic Standard Time": "America/Halifax",
	"Newfoundland Standard Time": "America/St_Johns", "SA Eastern Standard Time": "America/Cayenne", "E. South America Standard Time": "America/Sao_Paulo",
	"Argentina Standard Time": "America/Buenos_Aires", "Central America Standard Time": "America/Guatemala", "Canada Central Standard Time": "America/Regina",
	"Mexico Standard Time": "America/Mexico_City", "Central Standard Time (Mexico)": "America/Mexico_City", "UTC": "Etc/UTC", "GMT Standard Time": "Europe/London",
	"Greenwich Standard Time": "Atlantic/Reykjavik", "W. Europe Standard Time": "Europe/Berlin", "Central Europe Standard Time": "Europe/Budapest",
	"Central European Standard Time": "Europe/Warsaw", "Romance Standard Time": "Europe/Paris", "E. Europe Standard Time": "Europe/Chisinau",
	"FLE Standard Time": "Europe/Kiev", "GTB Standard Time": "Europe/Bucharest", "Turkey Standard Time": "Europe/Istanbul", "Israel Standard Time": "Asia/Jerusalem",
	"South Africa Standard Time": "Africa/Johannesburg", "Russian Standard Time": "Europe/Moscow", "Arab Standard Time": "Asia/Riyadh",
	"Arabian Standard Time": "Asia/Dubai", "Pakistan Standard Time": "Asia/Karachi", "India Standard Time": "Asia/Calcutta", "China Standard Time": "Asia/Shanghai",
	"Singapore Standard Time": "Asia/Singapore", "Tokyo Standard Time": "Asia/Tokyo", "Korea Standard Time": "Asia/Seoul", "AUS Eastern Standard Time": "Australia/Sydney",
	"E. Australia Standard Time": "Australia/Brisbane", "W. Australia Standard Time": "Australia/Perth", "New Zealand Standard Time": "Pacific/Auckland",
	"Morocco Standard Time": "Africa/Casablanca", "W. Central Africa Standard Time": "Africa/Lagos", "E. Africa Standard Time": "Africa/Nairobi",
	"Egypt Standard Time": "Africa/Cairo", "SE Asia Standard Time": "Asia/Bangkok", "Taipei Standard Time": "Asia/Taipei", "North Asia Standard Time": "Asia/Krasnoyarsk",
}

// IANAZone returns the IANA name of a TZID (itself when the time zone database knows it).
func IANAZone(tzid string) (string, bool) {
	if tzid == "" {
		return "UTC", true
	}
	if z, ok := windowsZones[tzid]; ok {
		return z, true
	}
	if _, err := time.LoadLocation(tzid); err == nil {
		return tzid, true
	}
	return "", false
}

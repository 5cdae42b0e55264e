package pim

import "time"

// windowsZones maps the Windows time zone names Outlook and Exchange write in TZID to
// IANA names (CLDR windowsZones.xml, territory 001), for destinations that take IANA
// names only (Google Calendar) and for Microsoft 365 as a source, whose events name
// their zone in Windows terms. An unknown name is reported per item.
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
	"UTC-11": "Etc/GMT+11", "Aleutian Standard Time": "America/Adak", "Marquesas Standard Time": "Pacific/Marquesas", "UTC-09": "Etc/GMT+9",
	"Pacific Standard Time (Mexico)": "America/Tijuana", "UTC-08": "Etc/GMT+8", "Mountain Standard Time (Mexico)": "America/Mazatlan",
	"Yukon Standard Time": "America/Whitehorse", "Easter Island Standard Time": "Pacific/Easter", "SA Pacific Standard Time": "America/Bogota",
	"Eastern Standard Time (Mexico)": "America/Cancun", "Haiti Standard Time": "America/Port-au-Prince", "Cuba Standard Time": "America/Havana",
	"US Eastern Standard Time": "America/Indiana/Indianapolis", "Turks And Caicos Standard Time": "America/Grand_Turk", "Paraguay Standard Time": "America/Asuncion",
	"Venezuela Standard Time": "America/Caracas", "Central Brazilian Standard Time": "America/Cuiaba", "SA Western Standard Time": "America/La_Paz",
	"Pacific SA Standard Time": "America/Santiago", "Tocantins Standard Time": "America/Araguaina", "Greenland Standard Time": "America/Nuuk",
	"Montevideo Standard Time": "America/Montevideo", "Magallanes Standard Time": "America/Punta_Arenas", "Saint Pierre Standard Time": "America/Miquelon",
	"Bahia Standard Time": "America/Bahia", "UTC-02": "Etc/GMT+2", "Azores Standard Time": "Atlantic/Azores", "Cape Verde Standard Time": "Atlantic/Cape_Verde",
	"Sao Tome Standard Time": "Africa/Sao_Tome", "Middle East Standard Time": "Asia/Beirut", "Syria Standard Time": "Asia/Damascus",
	"West Bank Standard Time": "Asia/Hebron", "Kaliningrad Standard Time": "Europe/Kaliningrad", "Sudan Standard Time": "Africa/Khartoum",
	"South Sudan Standard Time": "Africa/Juba", "Libya Standard Time": "Africa/Tripoli", "Namibia Standard Time": "Africa/Windhoek",
	"Jordan Standard Time": "Asia/Amman", "Arabic Standard Time": "Asia/Baghdad", "Belarus Standard Time": "Europe/Minsk",
	"Volgograd Standard Time": "Europe/Volgograd", "Iran Standard Time": "Asia/Tehran", "Astrakhan Standard Time": "Europe/Astrakhan",
	"Azerbaijan Standard Time": "Asia/Baku", "Russia Time Zone 3": "Europe/Samara", "Mauritius Standard Time": "Indian/Mauritius",
	"Saratov Standard Time": "Europe/Saratov", "Georgian Standard Time": "Asia/Tbilisi", "Caucasus Standard Time": "Asia/Yerevan",
	"Afghanistan Standard Time": "Asia/Kabul", "West Asia Standard Time": "Asia/Tashkent", "Ekaterinburg Standard Time": "Asia/Yekaterinburg",
	"Qyzylorda Standard Time": "Asia/Qyzylorda", "Sri Lanka Standard Time": "Asia/Colombo", "Nepal Standard Time": "Asia/Kathmandu",
	"Central Asia Standard Time": "Asia/Bishkek", "Bangladesh Standard Time": "Asia/Dhaka", "Omsk Standard Time": "Asia/Omsk",
	"Myanmar Standard Time": "Asia/Yangon", "Altai Standard Time": "Asia/Barnaul", "W. Mongolia Standard Time": "Asia/Hovd",
	"N. Central Asia Standard Time": "Asia/Novosibirsk", "Tomsk Standard Time": "Asia/Tomsk", "North Asia East Standard Time": "Asia/Irkutsk",
	"Ulaanbaatar Standard Time": "Asia/Ulaanbaatar", "Aus Central W. Standard Time": "Australia/Eucla", "Transbaikal Standard Time": "Asia/Chita",
	"North Korea Standard Time": "Asia/Pyongyang", "Yakutsk Standard Time": "Asia/Yakutsk", "Cen. Australia Standard Time": "Australia/Adelaide",
	"AUS Central Standard Time": "Australia/Darwin", "West Pacific Standard Time": "Pacific/Port_Moresby", "Tasmania Standard Time": "Australia/Hobart",
	"Vladivostok Standard Time": "Asia/Vladivostok", "Lord Howe Standard Time": "Australia/Lord_Howe", "Bougainville Standard Time": "Pacific/Bougainville",
	"Russia Time Zone 10": "Asia/Srednekolymsk", "Magadan Standard Time": "Asia/Magadan", "Norfolk Standard Time": "Pacific/Norfolk",
	"Sakhalin Standard Time": "Asia/Sakhalin", "Central Pacific Standard Time": "Pacific/Guadalcanal", "Russia Time Zone 11": "Asia/Kamchatka",
	"Kamchatka Standard Time": "Asia/Kamchatka", "UTC+12": "Etc/GMT-12", "Fiji Standard Time": "Pacific/Fiji", "Chatham Islands Standard Time": "Pacific/Chatham",
	"UTC+13": "Etc/GMT-13", "Tonga Standard Time": "Pacific/Tongatapu", "Samoa Standard Time": "Pacific/Apia", "Line Islands Standard Time": "Pacific/Kiritimati",
	"Mid-Atlantic Standard Time": "Etc/GMT+2",
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

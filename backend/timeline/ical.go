package timeline

import (
	"bytes"
	"fmt"
	"time"

	"github.com/emersion/go-ical"
)

// ICS renders the timeline as an iCalendar file (RFC 5545), one event per step, for
// the specialist's calendar. Times are written in UTC so no VTIMEZONE is needed;
// calendar programs show them in the viewer's zone. UIDs are stable per project and
// step, so importing again updates events instead of duplicating them.
func (t Timeline) ICS(stamp time.Time) ([]byte, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//Cutover//Migration timeline//EN")
	cal.Props.SetText("X-WR-CALNAME", "Cutover: "+t.Project)
	for _, s := range t.Steps {
		ev := ical.NewEvent()
		ev.Props.SetText(ical.PropUID, fmt.Sprintf("%s.%s@cutover", s.Key, t.Project))
		ev.Props.SetDateTime(ical.PropDateTimeStamp, stamp.UTC())
		start, end := s.Due, s.Due.Add(30*time.Minute)
		if !s.WindowStart.IsZero() && !s.WindowEnd.IsZero() && s.WindowEnd.Sub(s.WindowStart) <= 48*time.Hour {
			start, end = s.WindowStart, s.WindowEnd
		}
		ev.Props.SetDateTime(ical.PropDateTimeStart, start.UTC())
		ev.Props.SetDateTime(ical.PropDateTimeEnd, end.UTC())
		ev.Props.SetText(ical.PropSummary, fmt.Sprintf("%s (%s)", s.Title, s.Owner))
		ev.Props.SetText(ical.PropDescription, fmt.Sprintf("%s\nWhen: %s\nStatus: %s", s.Detail, s.When, s.Status))
		ev.Props.SetText(ical.PropCategories, string(s.Phase))
		if s.Status == Done {
			ev.SetStatus(ical.EventConfirmed)
		} else if s.Status == Skipped {
			ev.SetStatus(ical.EventCancelled)
		}
		cal.Children = append(cal.Children, ev.Component)
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode calendar: %w", err)
	}
	return buf.Bytes(), nil
}

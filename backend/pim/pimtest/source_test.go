package pimtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// recorder keeps the failures a fake reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestSourceFakesFailOnAnyWrite(t *testing.T) {
	rec := &recorder{TB: t}
	graph, google := NewGraphSource(rec), NewGoogleSource(rec)
	for _, u := range []string{graph.URL + "/users/alice/contacts", google.CalendarBase + "/calendars/c1/events", google.PeopleBase + "/people:createContact"} {
		for _, method := range []string{http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
			req, _ := http.NewRequest(method, u, strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer t")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s %s: %d", method, u, resp.StatusCode)
			}
		}
	}
	if len(rec.errs) != 12 || !strings.Contains(rec.errs[0], "the source is only read") {
		t.Errorf("the fakes reported %d failures: %v", len(rec.errs), rec.errs)
	}
}

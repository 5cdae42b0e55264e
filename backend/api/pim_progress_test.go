package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"cutover/backend/api"
	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
)

// putGate stands in front of a DAV server and holds every PUT until the test lets it
// through: the test releases one write at a time, so it sees the progress of each.
type putGate struct {
	arrived chan chan struct{}
}

func newPutGate(t *testing.T, target string) (*putGate, string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	g := &putGate{arrived: make(chan chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			pass := make(chan struct{})
			select {
			case g.arrived <- pass:
				<-pass
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return g, srv.URL + "/"
}

func vcard(uid string) []byte {
	return []byte(fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:Person %s\r\nEND:VCARD\r\n", uid, uid))
}

func vcalendar(comp, uid string) []byte {
	extra := "DTSTART:20260105T100000Z\r\n"
	if comp == "VTODO" {
		extra = "STATUS:NEEDS-ACTION\r\n"
	}
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:" + comp + "\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\n" + extra +
		"SUMMARY:" + uid + "\r\nEND:" + comp + "\r\nEND:VCALENDAR\r\n")
}

func TestAPassReportsEachMailboxsContactsCalendarsAndTasksUntilAllAreDone(t *testing.T) {
	a, _, _ := mailProjectWithoutServers(t)
	if _, err := a.BatchSet("acme", api.BatchInput{SourceLogin: "ana@acme.example", DestLogin: "ana@acme.example", SourcePassword: "x", DestPassword: "y"}); err != nil {
		t.Fatal(err)
	}
	src, err := pimtest.Start(map[string]string{"jose@acme.example": "x", "ana@acme.example": "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := pimtest.Start(map[string]string{"jose@acme.example": "y", "ana@acme.example": "y"})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	for i := range 3 {
		src.Put("jose@acme.example", "contacts", fmt.Sprintf("c%d.vcf", i), false, "Contacts", vcard(fmt.Sprintf("jose-c%d", i)))
	}
	src.Put("jose@acme.example", "work", "e1.ics", true, "Work", vcalendar("VEVENT", "jose-e1"))
	src.Put("jose@acme.example", "work", "e2.ics", true, "Work", vcalendar("VEVENT", "jose-e2"))
	src.Put("jose@acme.example", "work", "t1.ics", true, "Work", vcalendar("VTODO", "jose-t1"))
	src.Put("ana@acme.example", "contacts", "c.vcf", false, "Contacts", vcard("ana-c"))
	gate, gated := newPutGate(t, dst.URL)
	if err := a.PIMSettingSet("acme", api.PIMSettingInput{SourceURL: src.URL, DestURL: gated}); err != nil {
		t.Fatal(err)
	}
	events, stop := api.Events(a).Subscribe()
	defer stop()
	passErr := make(chan error, 1)
	go func() {
		_, err := a.PIMMigrate("acme", api.PIMPassInput{Pass: "final"})
		passErr <- err
	}()

	// One write at a time: a held PUT goes on once the progress of the one before it
	// has arrived, so every item's report reaches the test.
	var held []chan struct{}
	inFlight := false
	release := func() {
		if !inFlight && len(held) > 0 {
			close(held[0])
			held, inFlight = held[1:], true
		}
	}
	seen := map[string][]api.PIMProgress{}
	finished := 0
	for finished < 2 {
		select {
		case g := <-gate.arrived:
			held = append(held, g)
			release()
		case ev := <-events:
			switch ev.Name {
			case "pim:progress":
				p := ev.Data.(api.PIMProgress)
				if prev := seen[p.SourceLogin]; len(prev) > 0 && pimDone(p) > pimDone(prev[len(prev)-1]) {
					inFlight = false
					release()
				}
				seen[p.SourceLogin] = append(seen[p.SourceLogin], p)
			case "pim:done":
				finished++
				inFlight = false // a mailbox that failed leaves no write under way
				release()
			}
		}
	}
	if err := <-passErr; err != nil {
		t.Fatal(err)
	}

	want := map[string][]pim.ClassProgress{
		"jose@acme.example": {{Class: pim.ClassContacts, Done: 3, Total: 3}, {Class: pim.ClassCalendars, Done: 2, Total: 2}, {Class: pim.ClassTasks, Done: 1, Total: 1}},
		"ana@acme.example":  {{Class: pim.ClassContacts, Done: 1, Total: 1}},
	}
	for login, classes := range want {
		ps := seen[login]
		if len(ps) == 0 {
			t.Fatalf("%s: no progress", login)
		}
		var dones []int
		for i, p := range ps {
			if p.Pass != "final" {
				t.Errorf("%s: progress of pass %q", login, p.Pass)
			}
			if i > 0 && (pimDone(p) < pimDone(ps[i-1]) || pimTotal(p) < pimTotal(ps[i-1]) || p.Reached < ps[i-1].Reached) {
				t.Errorf("%s: progress went back: %+v after %+v", login, p, ps[i-1])
			}
			if pimDone(p) > pimTotal(p) || p.Done > p.Total {
				t.Errorf("%s: more done than there is: %+v", login, p)
			}
			if len(dones) == 0 || dones[len(dones)-1] != pimDone(p) {
				dones = append(dones, pimDone(p))
			}
		}
		n := 0
		for _, c := range classes {
			n += c.Total
		}
		for i, d := range dones {
			if d != i {
				t.Errorf("%s: items done as reported %v, want each of 0..%d", login, dones, n)
				break
			}
		}
		last := ps[len(ps)-1]
		if !last.Counted || last.Reached != last.Collections || fmt.Sprint(last.Classes) != fmt.Sprint(classes) {
			t.Errorf("%s: the last progress %+v, want every collection counted and %v", login, last, classes)
		}
	}
	if dst.Count("jose@acme.example") != 6 || dst.Count("ana@acme.example") != 1 {
		t.Errorf("destination holds %d and %d items", dst.Count("jose@acme.example"), dst.Count("ana@acme.example"))
	}
}

// done and total sum a mailbox's progress over its classes.
func pimDone(p api.PIMProgress) (n int) {
	for _, c := range p.Classes {
		n += c.Done
	}
	return n
}

func pimTotal(p api.PIMProgress) (n int) {
	for _, c := range p.Classes {
		n += c.Total
	}
	return n
}

package pim_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"cutover/backend/internal/testsrv"
	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
	"cutover/backend/secrets"
)

// benchSize is how many contacts and how many events the benchmark's mailbox holds
// (PIM_BENCH_N, default 10,000 of each).
func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("PIM_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 10000
}

func benchCard(i int) string {
	return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-contact-%d\r\nFN:Kontakt Nummer %d Ñandú\r\nN:Nummer %d;Kontakt;;;\r\nEMAIL;TYPE=INTERNET:k%d@example.com\r\nTEL;TYPE=CELL:+49 170 %07d\r\nORG:Firma %d GmbH\r\nNOTE:Notiz\\, Zeile eins\\nZeile zwei\r\nEND:VCARD\r\n", i, i, i, i, i, i%97)
}

func benchEvent(i int, now time.Time) string {
	start := now.AddDate(0, 0, -400+i%500).Truncate(time.Hour)
	rrule := ""
	if i%10 == 0 {
		rrule = "RRULE:FREQ=WEEKLY;COUNT=10\r\n"
	}
	return fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:bench-event-%d\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Termin %d\\, Raum %d\r\nLOCATION:Besprechungsraum Zürich\r\n%sBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		i, start.Format("20060102T150405Z"), start.Add(time.Hour).Format("20060102T150405Z"), i, i%40, rrule)
}

// fillRadicaleStore writes a mailbox straight into Radicale's file storage: filling it
// through HTTP would take as long as the copy being measured.
func fillRadicaleStore(b *testing.B, r *testsrv.Radicale, n int) {
	now := time.Now()
	for _, c := range []struct {
		name, tag, ext string
		item           func(int) string
	}{{"contacts", "VADDRESSBOOK", ".vcf", benchCard}, {"calendar", "VCALENDAR", ".ics", func(i int) string { return benchEvent(i, now) }}} {
		dir := filepath.Join(r.Dir, "collections", "collection-root", "alice", c.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		props, _ := json.Marshal(map[string]string{"tag": c.tag, "D:displayname": c.name})
		os.WriteFile(filepath.Join(dir, ".Radicale.props"), props, 0o644)
		for i := range n {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("item-%d%s", i, c.ext)), []byte(c.item(i)), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCopyMailboxOfContactsAndEvents copies a mailbox of PIM_BENCH_N contacts and
// as many events (a tenth of them weekly series) into an empty destination and reports
// items per second. "radicale": Radicale to Radicale on loopback (both real servers);
// "memory": package pimtest's in-memory servers, which measures the engine alone.
func BenchmarkCopyMailboxOfContactsAndEvents(b *testing.B) {
	n := benchSize()
	b.Run("radicale", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			src, dst := testsrv.NewRadicale(b), testsrv.NewRadicale(b)
			fillRadicaleStore(b, src, n)
			benchCopy(b, dial(b, src, "alice"), dial(b, dst, "alice"), 2*n)
		}
	})
	b.Run("memory", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			src, _ := pimtest.Start(map[string]string{"alice": "pw"})
			dst, _ := pimtest.Start(map[string]string{"alice": "pw"})
			now := time.Now()
			for i := range n {
				src.Put("alice", "contacts", fmt.Sprintf("c%d.vcf", i), false, "Contacts", []byte(benchCard(i)))
				src.Put("alice", "calendar", fmt.Sprintf("e%d.ics", i), true, "Calendar", []byte(benchEvent(i, now)))
			}
			o := pim.DAVOptions{User: "alice", Password: secrets.New("pw")}
			s, err := pim.DialDAV(b.Context(), src.URL, o)
			if err != nil {
				b.Fatal(err)
			}
			d, err := pim.DialDAV(b.Context(), dst.URL, o)
			if err != nil {
				b.Fatal(err)
			}
			benchCopy(b, s, d, 2*n)
			src.Close()
			dst.Close()
		}
	})
}

func benchCopy(b *testing.B, src, dst *pim.DAV, want int) {
	workers, _ := strconv.Atoi(os.Getenv("PIM_BENCH_WORKERS")) // 0: the default
	c := &pim.Copier{Job: "bench", Source: src, Dest: dst, Ledger: openLedger(b, filepath.Join(b.TempDir(), "bench.db")), Workers: workers}
	b.StartTimer()
	start := time.Now()
	res, err := c.Run(b.Context(), pim.Options{})
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil || res.Copied != want {
		b.Fatalf("copied %d of %d: %v %+v", res.Copied, want, err, res.Failures)
	}
	b.ReportMetric(float64(want)/elapsed.Seconds(), "items/s")
	b.Logf("%d items in %s: %.0f items/s", want, elapsed.Round(time.Millisecond), float64(want)/elapsed.Seconds())
}

package pim_test

import (
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"cutover/backend/internal/testsrv"
	"cutover/backend/pim"
	"cutover/backend/secrets"
)

// methodLog records the HTTP methods a client sends.
type methodLog struct {
	mu      sync.Mutex
	methods map[string]int
}

func (l *methodLog) RoundTrip(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.methods[r.Method]++
	l.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func TestTheSourceIsOnlyRead(t *testing.T) {
	srcSrv, dstSrv := testsrv.NewRadicale(t), testsrv.NewRadicale(t)
	loadSource(t, srcSrv, fixtureFiles(t))
	log := &methodLog{methods: map[string]int{}}
	src, err := pim.DialDAV(t.Context(), srcSrv.URL, pim.DAVOptions{User: "alice", Password: secrets.New(srcSrv.Password("alice")), HTTP: &http.Client{Transport: log}})
	if err != nil {
		t.Fatal(err)
	}
	c := &pim.Copier{Job: "alice", Source: src, Dest: dial(t, dstSrv, "alice"), Ledger: openLedger(t, filepath.Join(t.TempDir(), "c.db"))}
	for range 2 {
		if res, err := c.Run(t.Context(), pim.Options{}); err != nil || res.Failed > 0 {
			t.Fatalf("copy: %v %+v", err, res.Failures)
		}
	}
	if _, err := c.Analyze(t.Context(), pim.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Verify(t.Context(), pim.Options{}); err != nil {
		t.Fatal(err)
	}
	for m := range log.methods {
		if m != "PROPFIND" && m != "REPORT" && m != http.MethodGet && m != http.MethodOptions {
			t.Errorf("the source got %d %s requests: it must only be read", log.methods[m], m)
		}
	}
	if log.methods["REPORT"] == 0 {
		t.Errorf("methods %v: the source was not read", log.methods)
	}
}

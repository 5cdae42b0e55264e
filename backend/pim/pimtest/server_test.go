package pimtest_test

import (
	"context"
	"path/filepath"
	"testing"

	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
	"cutover/backend/secrets"
)

type memLedger map[string]pim.Entry

func (m memLedger) Copied(_ context.Context, job, coll string) (map[string]pim.Entry, error) {
	out := map[string]pim.Entry{}
	for _, e := range m {
		if e.Job == job && e.Collection == coll {
			out[e.Href] = e
		}
	}
	return out, nil
}

func (m memLedger) Record(_ context.Context, es []pim.Entry) error {
	for _, e := range es {
		m[e.Job+"\x00"+e.Collection+"\x00"+e.Href] = e
	}
	return nil
}

func TestFilesToMemoryServerAndOnToAnother(t *testing.T) {
	a, _ := pimtest.Start(map[string]string{"alice": "pw"})
	b, _ := pimtest.Start(map[string]string{"alice": "pw"})
	defer a.Close()
	defer b.Close()
	var paths []string
	for _, n := range []string{"outlook-contacts.vcf", "contacts-v4.vcf", "outlook-calendar.ics", "apple-tasks.ics"} {
		paths = append(paths, filepath.Join("..", "testdata", n))
	}
	files, err := pim.ReadFiles(paths...)
	if err != nil {
		t.Fatal(err)
	}
	da, err := pim.DialDAV(t.Context(), a.URL, pim.DAVOptions{User: "alice", Password: secrets.New("pw")})
	if err != nil {
		t.Fatal(err)
	}
	db, err := pim.DialDAV(t.Context(), b.URL, pim.DAVOptions{User: "alice", Password: secrets.New("pw")})
	if err != nil {
		t.Fatal(err)
	}
	l := memLedger{}
	if res, err := (&pim.Copier{Job: "f", Source: files, Dest: da, Ledger: l}).Run(t.Context(), pim.Options{}); err != nil || res.Copied != 11 {
		t.Fatalf("files: %+v %v", res, err)
	}
	c := &pim.Copier{Job: "j", Source: da, Dest: db, Ledger: l}
	if res, err := c.Run(t.Context(), pim.Options{}); err != nil || res.Copied != 11 {
		t.Fatalf("copy: %+v %v", res, err)
	}
	if res, err := c.Run(t.Context(), pim.Options{}); err != nil || res.Copied+res.Updated != 0 {
		t.Fatalf("rerun: %+v %v", res, err)
	}
	if b.Count("alice") != 11 {
		t.Errorf("destination holds %d", b.Count("alice"))
	}
	if _, err := pim.DialDAV(t.Context(), a.URL, pim.DAVOptions{User: "alice", Password: secrets.New("wrong")}); err == nil {
		t.Error("a wrong password was let in")
	}
}

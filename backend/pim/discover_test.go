package pim_test

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"cutover/backend/internal/testsrv"
	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
	"cutover/backend/secrets"
)

type srvResolver map[string]*net.SRV

func (r srvResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	if s, ok := r["_"+service+"._"+proto+"."+name]; ok {
		return "", []*net.SRV{s}, nil
	}
	return "", nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func TestDiscoveryByWellKnownURLAndBySRV(t *testing.T) {
	r := testsrv.NewRadicale(t)
	pw := secrets.New(r.Password("alice"))
	// A URL whose path is wrong: the well-known URL (RFC 6764 section 5) finds the principal.
	if _, err := pim.DialDAV(t.Context(), r.URL+"not/the/dav/root/", pim.DAVOptions{User: "alice", Password: pw}); err != nil {
		t.Errorf("well-known discovery: %v", err)
	}
	// A bare domain: SRV _caldav._tcp (section 3) names the host and port.
	mem, err := pimtest.Start(map[string]string{"alice": "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	u, _ := url.Parse(mem.URL)
	port, _ := strconv.Atoi(u.Port())
	res := srvResolver{"_caldav._tcp.acme.example": {Target: "127.0.0.1.", Port: uint16(port)}}
	d, err := pim.DialDAV(t.Context(), "acme.example", pim.DAVOptions{User: "alice", Password: secrets.New("pw"), Resolver: res})
	if err != nil {
		t.Fatalf("SRV discovery: %v", err)
	}
	if _, err := d.Collections(t.Context()); err != nil {
		t.Error(err)
	}
	// A wrong password is an error naming the server, never the password.
	_, err = pim.DialDAV(t.Context(), r.URL, pim.DAVOptions{User: "alice", Password: secrets.New("not-the-password")})
	if err == nil {
		t.Fatal("wrong password accepted")
	}
	if s := err.Error(); strings.Contains(s, "not-the-password") {
		t.Errorf("the error shows the password: %s", s)
	}
}

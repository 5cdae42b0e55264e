package project

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"cutover/backend/people"
)

func ptr[T any](v T) *T { return &v }

func withDomains(domains ...string) Input {
	return Input{Name: ptr("acme"), Domains: &domains, Provider: ptr("m365"), Source: ptr("imaps://mail.acme.example"),
		Cutover: ptr("2027-05-14 18:00"), Zone: ptr("UTC")}
}

var now = time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)

// A project's mail domain follows the domain rule of every address (package people):
// a domain the project takes is one its users' addresses may be at, and the reverse,
// internationalised domains included.
func TestProjectDomainsFollowTheAddressDomainRule(t *testing.T) {
	for _, d := range []string{
		"acme.example", "mail.acme.example", "exämple.fr", "xn--exmple-cua.fr", "例え.jp", "a1-b.example",
		"acme", "10.0.0.1", "acme.123", "-acme.example", "acme-.example", "acme..example", "acme_x.example",
		"acme\u200b.example", "acme\u00a0x.example", strings.Repeat("a", 64) + ".example",
	} {
		_, err := Apply(Project{}, withDomains(d), true, now)
		byProject := err == nil
		if !byProject {
			onlyDomainProblems(t, d, err)
		}
		byDomain, byAddress := people.ValidDomain(d), people.ValidAddress("zoe@"+d)
		if byProject != byDomain || byProject != byAddress {
			t.Errorf("%q: project takes it %v, people.ValidDomain %v, an address at it %v", d, byProject, byDomain, byAddress)
		}
	}
}

func TestProjectDomainsAreListedOnceInLowerCase(t *testing.T) {
	p, err := Apply(Project{}, withDomains("Exämple.FR, acme.example.", "ACME.example; exämple.fr"), true, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"exämple.fr", "acme.example"}; !slices.Equal(p.Domains, want) {
		t.Errorf("domains %q, want %q", p.Domains, want)
	}
	_, err = Apply(Project{}, withDomains("acme.example", "10.0.0.1"), true, now)
	if !IsInputError(err) || !strings.Contains(err.Error(), `"10.0.0.1"`) || !strings.Contains(err.Error(), "a domain name like acme.example") {
		t.Errorf("an IP address as a domain: %v", err)
	}
}

func onlyDomainProblems(t *testing.T, d string, err error) {
	t.Helper()
	var errs InputErrors
	if !errors.As(err, &errs) {
		t.Fatalf("%q: %v; want input errors", d, err)
	}
	for _, e := range errs {
		if e.Field != "domain" || e.Value != d {
			t.Errorf("%q: %v; want only the domain refused", d, e)
		}
	}
}

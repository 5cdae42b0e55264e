package directory_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"cutover/backend/directory"
	"cutover/backend/people"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestExchangeScriptQuotesEveryValueAndCanRunTwice(t *testing.T) {
	groups := []people.Group{
		{Address: "sales@example.test", Name: "Sales & Marketing", Description: "O'Brien's team", Members: []string{"alice@example.test", "Jane@Partner.example"}},
		{Address: "evil@example.test", Name: "x'; Remove-Mailbox -Identity * -Confirm:$false; '", Members: nil},
	}
	contacts := []people.Contact{
		{Address: "jane@partner.example", DisplayName: "Jane ‘Partner’", FirstName: "Jane", LastName: "Partner", Company: "Partner Ltd", Phone: "+44 20 7946 0000"},
		{Address: "max@supplier.example", DisplayName: "$(Stop-Computer)\nMax"},
	}
	users := []people.User{
		{Address: "alice@example.test", DisplayName: "Alice", Aliases: []string{"A.Martin@example.test", "contact@example.test"}},
		{Address: "bob@example.test", DisplayName: "Bob"}, // nothing for the script
		{Address: "info@example.test", DisplayName: "Info'; Remove-Mailbox -Identity * -Confirm:$false; '", Shared: true, Aliases: []string{"hello@example.test"}},
		{Address: "o'neil@example.test", DisplayName: "$(Stop-Computer) ‘O’Neil’\r\nWrite-Host pwned", Shared: true, Aliases: []string{"ab'c@example.test"}},
	}
	got := directory.ExchangeScript("acme\nWrite-Host pwned", users, groups, contacts, false)
	golden := filepath.Join("testdata", "exchange.ps1.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("script differs from %s:\n%s", golden, got)
	}
}

func TestPSQuoteDoublesEveryKindOfSingleQuote(t *testing.T) {
	for in, want := range map[string]string{
		"O'Brien":      "'O''Brien'",
		"‘a’":          "'‘‘a’’'",
		"$(x) `n\"y\"": "'$(x) `n\"y\"'",
		"a\r\nb":       "'a  b'",
	} {
		if got := directory.PSQuote(in); got != want {
			t.Errorf("PSQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

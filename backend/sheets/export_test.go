package sheets

import (
	"strings"
	"testing"

	"cutover/backend/batch"
	"cutover/backend/people"
	"cutover/backend/secrets"
)

func TestProvisioningPasswordsAreWrittenExactlyAndOtherCellsNeutralised(t *testing.T) {
	pw := func(string) (secrets.Secret, secrets.Secret) {
		return secrets.New("-Spring2027"), secrets.New("=Welcome+1")
	}
	google := GoogleSheet([]people.User{{Address: "alice@acme.example", FirstName: "=HYPERLINK(\"x\")", LastName: "Martin"}}, pw)
	csv := string(google.CSV(CSVOptions{}))
	if !strings.Contains(csv, ",=Welcome+1,") {
		t.Errorf("Google CSV changed the password; want =Welcome+1 as it is:\n%s", csv)
	}
	if !strings.Contains(csv, `'=HYPERLINK(""x"")`) {
		t.Errorf("Google CSV left a formula in the first name:\n%s", csv)
	}
	exchange := string(ExchangeBatchSheet([]batch.Entry{{SourceLogin: "alice", DestLogin: "alice@acme.example", Enabled: true}}, pw).CSV(CSVOptions{}))
	if !strings.Contains(exchange, "alice@acme.example,alice,-Spring2027\n") {
		t.Errorf("Exchange batch CSV changed the password; want -Spring2027 as it is:\n%s", exchange)
	}
}

func TestGoogleContactsSheetIsTheGoogleCSVLayout(t *testing.T) {
	s := GoogleContactsSheet([]people.Contact{{Address: "jane@partner.example", DisplayName: "Jane Partner", FirstName: "Jane", LastName: "Partner", Company: "Partner Ltd", Phone: "+44 20 7946 0000"},
		{Address: "max@supplier.example", DisplayName: "=cmd|' /C calc'!A0"}})
	got := string(s.CSV(CSVOptions{CRLF: true}))
	want := "Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Organization 1 - Type,Organization 1 - Name,Group Membership\r\n" +
		"Jane Partner,Jane,Partner,* Work,jane@partner.example,Work,+44 20 7946 0000,Work,Partner Ltd,* myContacts\r\n"
	if !strings.HasPrefix(got, want) {
		t.Fatalf("got\n%s", got)
	}
	if strings.Contains(got, "\r\n=cmd") || !strings.Contains(got, "'=cmd") {
		t.Errorf("a formula is not neutralised:\n%s", got)
	}
}

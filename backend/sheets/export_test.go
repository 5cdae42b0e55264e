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

package api_test

import (
	"fmt"
	"strings"
	"testing"

	"cutover/backend/api"
	"cutover/backend/docs"
	"cutover/backend/docs/docstest"
	"cutover/backend/messages/smtptest"
)

// englishFromGo are sentences the faces show in English, written by Cutover's Go code:
// none may reach a French document.
var englishFromGo = []string{
	"Pre-migration pass finished", "Final pass finished", "verification found nothing missing", "Closed:", "Closed with open items",
	"no verification has been run", "the last verification found", "Sent \"", "Sent “", "from the specialist's mail client",
	"contact logged", "refused:", "DNS check #", "do not pass yet", "authoritative servers", "resolvers see", "TTL lowered",
	"safe to switch", "before the cutover", "after the cutover", "Passed", "Not yet",
}

// A French project's documents word what Cutover recorded along the way in French:
// the passes and the verification it ran, the messages it sent or logged and the case
// it closed with open items, with the real figures. The faces keep the English note.
func TestAFrenchProjectsDocumentsWordCutoversEvidenceInFrench(t *testing.T) {
	a, src, _ := mailProject(t, "alice")
	if err := src.Fill("alice", 20); err != nil {
		t.Fatal(err)
	}
	specialist(t, a, smtptest.Options{Refuse: []string{"gone@acme.example"}})
	if _, err := a.SetCustomerSettings("acme", api.CustomerSettingsInput{Language: ptr("fr"), ContactName: ptr("Jürgen Díaz"), ContactEmail: ptr("jurgen@acme.example")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.MailMigrate("acme", api.MailPassInput{Pass: "pre", OlderThan: "30d"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.MailMigrate("acme", api.MailPassInput{Pass: "final"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.MailVerify("acme", nil); err != nil {
		t.Fatal(err)
	}
	sent, err := a.MessageSend("acme", "pre_contact", api.SendInput{To: []string{"jurgen@acme.example", "gone@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	logged, err := a.MessageLogged("acme", "confirm_contact", "depuis Outlook")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CloseCase("acme", true, "le client part en congé"); err != nil {
		t.Fatal(err)
	}

	tl, err := a.Timeline("acme")
	if err != nil {
		t.Fatal(err)
	}
	pre, _ := tl.Step("historical_copy")
	final, _ := tl.Step("final_migration")
	if pre.Evidence == nil || final.Evidence == nil || !strings.HasPrefix(pre.Note, "Pre-migration pass finished") {
		t.Fatalf("the passes' evidence: %+v %+v, note %q", pre.Evidence, final.Evidence, pre.Note)
	}
	want := []string{
		fmt.Sprintf("Migration préliminaire terminée : %d messages sur %d dans 1 boîte, 0 refusé", pre.Evidence.Done, pre.Evidence.Total),
		fmt.Sprintf("Migration finale terminée : %d messages sur %d dans 1 boîte, 0 refusé ; la vérification n'a trouvé aucun message manquant", final.Evidence.Done, final.Evidence.Total),
		fmt.Sprintf("« %s » envoyé à jurgen@acme.example ; refusé : gone@acme.example: 550", sent.Step.Evidence.Subject),
		fmt.Sprintf("« %s » envoyé à Jürgen Díaz <jurgen@acme.example> depuis la messagerie du spécialiste : depuis Outlook", logged.Step.Evidence.Subject),
		"Clôturé avec des points ouverts (Contact de suivi (À faire)) : le client part en congé",
	}
	for _, k := range docs.Kinds {
		f, err := a.CustomerDocument("acme", string(k), "pdf")
		if err != nil {
			t.Fatal(err)
		}
		text := docstest.PDFText(t, f.Data)
		for _, en := range englishFromGo {
			if strings.Contains(text, en) {
				t.Errorf("%s says %q in English:\n%s", k, en, text)
			}
		}
		if k != docs.ReportClose {
			continue
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("the closing report lacks %q:\n%s", w, text)
			}
		}
	}
}

package docs

import (
	stdhtml "html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cutover/backend/dnscheck"
	"cutover/backend/docs/docstest"
	"cutover/backend/project"
	"cutover/backend/timeline"
)

// evidenceFacts is the project of facts() at its end, with everything Cutover records
// itself: finished pre and final passes, a verification, messages sent through SMTP (one
// recipient refused) and from the specialist's mail client, a logged call, DNS checks
// that pass and fail in several ways, and a case closed with open items and a reason.
// Each note and summary keeps the English sentence the faces show, as the store returns
// it: a document that printed it instead of the evidence would show English.
func evidenceFacts(t *testing.T, lang string) Facts {
	t.Helper()
	f := facts(t, lang)
	now := f.Now
	before, after := now.Add(-170*time.Hour), now.Add(-12*time.Hour)
	ns := func(label string, v dnscheck.Verdict, ttl uint32, values ...string) dnscheck.Answer {
		return dnscheck.Answer{Server: label + ":53", Label: label, Role: dnscheck.Authoritative, Verdict: v, TTL: ttl, HasTTL: true, Values: values, Rcode: "NOERROR"}
	}
	resolver := func(label string, v dnscheck.Verdict) dnscheck.Answer {
		return dnscheck.Answer{Server: label + ":53", Label: label, Role: dnscheck.Resolver, Verdict: v}
	}
	safe := &dnscheck.SafeSwitch{Known: true, Safe: true, SafeAfter: now.Add(-150 * time.Hour), Records: []dnscheck.TTLDrop{
		{Name: "acme.example", Type: "MX", Server: "ns1.oldhost.example", OldTTL: 3600, NewTTL: 300, LoweredAt: now.Add(-151 * time.Hour), SafeAfter: now.Add(-150 * time.Hour), State: "lowered"}}}
	lowerTTL := dnscheck.Proof{Step: "lower_ttl", Check: 4, Phase: dnscheck.Before, At: before, Passed: true, Count: 2, Safe: safe}
	f.Evidence = []Evidence{
		{Step: "verify_domain", Check: 4, Phase: dnscheck.Before, At: before, Passed: true, Count: 1},
		lowerTTL,
		{Step: "dns_change", Check: 7, Phase: dnscheck.After, At: after, Count: 3, Failing: []dnscheck.Result{
			{Key: "mx", Kind: dnscheck.KindValue, Name: "acme.example", Type: "MX", Verdict: dnscheck.Wrong, Answers: []dnscheck.Answer{
				ns("ns1.oldhost.example", dnscheck.OK, 300, "0 acme-example.mail.protection.outlook.com."),
				ns("ns2.oldhost.example", dnscheck.Wrong, 300, "10 mx.oldhost.example.")}},
			{Key: "autodiscover", Kind: dnscheck.KindValue, Name: "autodiscover.acme.example", Type: "CNAME", Verdict: dnscheck.Timeout, Answers: []dnscheck.Answer{
				ns("ns1.oldhost.example", dnscheck.OK, 300, "autodiscover.outlook.com."),
				{Server: "ns2.oldhost.example:53", Label: "ns2.oldhost.example", Role: dnscheck.Authoritative, Verdict: dnscheck.Timeout, Rcode: "TIMEOUT"}}},
		}},
		{Step: "outlook", Check: 7, Phase: dnscheck.After, At: after, Count: 1, Failing: []dnscheck.Result{
			{Key: "autodiscover", Kind: dnscheck.KindValue, Name: "autodiscover.acme.example", Type: "CNAME", Verdict: dnscheck.Propagating, Seen: 3, Asked: 5, Answers: []dnscheck.Answer{
				ns("ns1.oldhost.example", dnscheck.OK, 300, "autodiscover.outlook.com."),
				resolver("9.9.9.9", dnscheck.OK), resolver("1.1.1.1", dnscheck.OK), resolver("8.8.8.8", dnscheck.OK),
				resolver("system resolver", dnscheck.Wrong), resolver("208.67.222.222", dnscheck.Wrong)}},
		}},
	}
	evidence := map[string]timeline.State{
		"verify_domain": {Note: "TXT vu chez l'hébergeur DNS"}, // typed by the specialist: stays as typed
		"historical_copy": {Note: "Pre-migration pass finished: 1204 of 1205 messages in 1 mailboxes, 1 refused",
			Evidence: &timeline.Evidence{Kind: timeline.PrePass, Mailboxes: 1, Done: 1204, Total: 1205, Refused: 1}},
		"final_migration": {Note: "Final pass finished: 1214 of 1214 messages in 1 mailboxes, 0 refused; verification found nothing missing",
			Evidence: &timeline.Evidence{Kind: timeline.FinalPass, Mailboxes: 1, Done: 1214, Total: 1214}},
		"pre_contact": {Note: "Sent \"Your email migration\" to lukasz@acme.example; refused: gone@acme.example: 550 5.1.1 unknown user",
			Evidence: &timeline.Evidence{Kind: timeline.MessageSent, Channel: "email", Subject: "Votre migration de messagerie", To: []string{"lukasz@acme.example"},
				Rejected: []string{"gone@acme.example: 550 5.1.1 unknown user"}}},
		"confirm_contact": {Note: "Sent \"Confirmed\" to lukasz@acme.example from the specialist's mail client: from Outlook",
			Evidence: &timeline.Evidence{Kind: timeline.MessageLogged, Channel: "email", Subject: "Bascule confirmée", To: []string{"lukasz@acme.example"}, Note: "depuis Outlook"}},
		"followup_contact": {Note: "phone contact logged: Łukasz dit que tout marche",
			Evidence: &timeline.Evidence{Kind: timeline.ContactLogged, Channel: "phone", Note: "Łukasz dit que tout marche"}},
		"lower_ttl": {Note: "DNS check #4 (before, 2027-05-08 08:00 EDT): TTLs of the records that change — all 2 pass",
			Evidence: &timeline.Evidence{Kind: timeline.DNSProof, DNS: &lowerTTL}},
		"close_case": {Note: "Closed with open items (Mobile devices (todo); no verification has been run (cutover mail verify); the last verification found 2 messages missing): the customer is away",
			Evidence: &timeline.Evidence{Kind: timeline.ClosedOpen, Reason: "le client part en congé", Open: []timeline.OpenItem{
				{Kind: timeline.OpenStep, Step: "mobile", Title: "Mobile devices", Status: timeline.Todo},
				{Kind: timeline.OpenNoVerification}, {Kind: timeline.OpenMissing, Missing: 2}}}},
	}
	states := map[string]timeline.State{}
	for key, st := range evidence {
		st.Status, st.By, st.At = timeline.Done, "zoé", now.Add(-24*time.Hour)
		states[key] = st
	}
	f.Timeline = timeline.Build(f.Project, states, now)
	f.Folders = append(f.Folders,
		Folder{Mailbox: "jose@acme.example", Folder: "Archives/2009", Excluded: true, Reason: "excluded by rule Archives/2009*", Why: "rule", Rule: "Archives/2009*"},
		Folder{Mailbox: "jose@acme.example", Folder: "[Gmail]/Important", Excluded: true, Reason: "a Gmail view of All Mail: its messages are copied once, into the folder of their label", Why: "gmail_view"},
		Folder{Mailbox: "jose@acme.example", Folder: "Projets", Excluded: true, Why: "container"})
	f.Refused = append(f.Refused,
		Refused{Mailbox: "jose@acme.example", Pass: "final", Folder: "INBOX", Subject: "Vidéo du chantier", Size: 200 << 20,
			Reason: "too large for the destination: 209715200 bytes, over its limit of 157286400 bytes", Why: "too_large", Limit: 150 << 20},
		Refused{Mailbox: "jose@acme.example", Pass: "final", Folder: "Brouillons", Subject: "(vide)", Reason: "empty message (0 bytes): IMAP cannot append it", Why: "empty"})
	f.Contacts = append(f.Contacts,
		Contact{At: now.Add(-100 * time.Hour), Channel: "email", Step: "pre_contact", Summary: evidence["pre_contact"].Note, Evidence: evidence["pre_contact"].Evidence},
		Contact{At: now.Add(-50 * time.Hour), Channel: "email", Step: "confirm_contact", Summary: evidence["confirm_contact"].Note, Evidence: evidence["confirm_contact"].Evidence})
	return f
}

// englishFromGo are the sentences Cutover's Go code writes in English for the faces:
// none may reach a French document.
var englishFromGo = []string{
	"Pre-migration pass finished", "Final pass finished", "messages in", "verification found nothing missing",
	"Closed:", "Closed with open items", "no verification has been run", "the last verification found",
	"Sent \"", "Sent “", "from the specialist's mail client", "contact logged", "refused:",
	"DNS check #", "do not pass yet", "pass.", "authoritative servers", "resolvers see", "the new MX", "the MX",
	"answers 10", "no answer in time", "TTL lowered", "safe to switch", "that time has passed", "before the cutover",
	"after the cutover", "TTLs of the records", "verification TXT records", "Autodiscover on every resolver",
	"new records on the", "Passed", "Not yet", "(todo)", "Mobile devices",
	"excluded by rule", "a Gmail view", "too large for", "empty message", "bytes", " MB", " kB", "Other IMAP host",
}

// A French document says everything Cutover recorded itself in French, with the real
// figures; only what people typed and what servers answered stays as it was written.
func TestFrenchDocumentsWordCutoversOwnEvidenceInFrench(t *testing.T) {
	want := map[Kind][]string{
		Guide: {"Attendez notre signal"},
		Limitations: {"Archives/2009 laissé de côté par la règle Archives/2009*", "[Gmail]/Important une vue Gmail de « Tous les messages »",
			"Projets ne contient que d'autres dossiers", "Vidéo du chantier 200,0 Mo trop volumineux pour Microsoft 365 : 200,0 Mo, au-delà de sa limite de 150,0 Mo",
			"message vide (0 octet) : IMAP ne peut pas l'ajouter", "message too large"},
		ReportProgress: {"Vidéo du chantier 200,0 Mo trop volumineux pour Microsoft 365", "1204 / 1205", "Finale"},
		ReportClose: {
			"Migration préliminaire terminée : 1204 messages sur 1205 dans 1 boîte, 1 refusé",
			"Migration finale terminée : 1214 messages sur 1214 dans 1 boîte, 0 refusé ; la vérification n'a trouvé aucun message manquant",
			"« Votre migration de messagerie » envoyé à lukasz@acme.example ; refusé : gone@acme.example: 550 5.1.1 unknown user",
			"« Bascule confirmée » envoyé à lukasz@acme.example depuis la messagerie du spécialiste : depuis Outlook",
			"Échange consigné (Téléphone) : Łukasz dit que tout marche",
			"Clôturé avec des points ouverts (Appareils mobiles (À faire) ; aucune vérification n'a été faite ; la dernière vérification a trouvé 2 messages manquants) : le client part en congé",
			"Vérification DNS n° 4 (avant la bascule, sam. 2027-05-08 08:00) : enregistrements TXT de vérification — 1 sur 1 conforme",
			"TTL baissé de 3600 à 300 le dim. 2027-05-09 03:00 : bascule sans risque après le dim. 2027-05-09 04:00 (ce moment est passé).",
			"Vérification DNS n° 7 (après la bascule, ven. 2027-05-14 22:00) : nouveaux enregistrements sur les serveurs faisant autorité — 2 sur 3 pas encore conformes : " +
				"acme.example MX : 1 serveur faisant autorité sur 2 publie le nouvel enregistrement MX ; ns2.oldhost.example : répond 10 mx.oldhost.example. ; " +
				"autodiscover.acme.example CNAME : 1 serveur faisant autorité sur 2 publie le nouvel enregistrement Autodiscover ; ns2.oldhost.example : pas de réponse à temps",
			"3 résolveurs sur 5 voient le nouvel enregistrement Autodiscover",
			"TXT vu chez l'hébergeur DNS", // typed: as typed
		},
	}
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			d, err := Build(k, evidenceFacts(t, "fr"))
			if err != nil {
				t.Fatal(err)
			}
			pdf, err := Render(d, PDF)
			if err != nil {
				t.Fatal(err)
			}
			html, err := Render(d, HTML)
			if err != nil {
				t.Fatal(err)
			}
			texts := map[string]string{"PDF": docstest.PDFText(t, pdf), "HTML": htmlText(html)}
			for format, text := range texts {
				for _, w := range want[k] {
					if !strings.Contains(text, w) {
						t.Errorf("the %s lacks %q:\n%s", format, w, text)
					}
				}
				for _, en := range englishFromGo {
					if strings.Contains(text, en) {
						t.Errorf("the %s says %q in English:\n%s", format, en, text)
					}
				}
			}
		})
	}
}

// The texts that quote a DNS check's proof (the guide once Autodiscover has reached
// every resolver, the confirmation message) word it in French too.
func TestFrenchTextsQuoteADNSProofInFrench(t *testing.T) {
	f := evidenceFacts(t, "fr")
	f.Evidence[3].Passed, f.Evidence[3].Failing = true, nil
	d, err := Build(Guide, f)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := Render(d, PDF)
	if err != nil {
		t.Fatal(err)
	}
	if text, want := docstest.PDFText(t, pdf), "Vérification DNS n° 7 (après la bascule, ven. 2027-05-14 22:00) : Autodiscover sur chaque résolveur — 1 sur 1 conforme. Autodiscover a atteint"; !strings.Contains(text, want) {
		t.Errorf("the guide lacks %q:\n%s", want, text)
	}
	c, err := LoadCatalog("fr", f.Project.Location())
	if err != nil {
		t.Fatal(err)
	}
	body := c.T("msg.confirm_contact.body", f)
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	want := "les TTL sont baissés (Vérification DNS n° 4 (avant la bascule, sam. 2027-05-08 08:00) : TTL des enregistrements qui changent — 2 sur 2 conformes. TTL baissé de 3600 à 300"
	if !strings.Contains(body, want) {
		t.Errorf("the confirmation lacks %q:\n%s", want, body)
	}
}

// htmlText is an HTML document's text as a reader sees it, white space made one space.
func htmlText(b []byte) string {
	text := regexp.MustCompile(`(?s)<style.*?</style>|<[^>]*>`).ReplaceAllString(string(b), " ")
	return strings.Join(strings.Fields(stdhtml.UnescapeString(text)), " ")
}

// Whatever one language words, the other words too: the same evidence, no sentence of
// the English document is found in the French one unless people or servers wrote it.
func TestNoSentenceOfAnEnglishDocumentIsInTheFrenchOne(t *testing.T) {
	typed := []string{"TXT vu chez l'hébergeur DNS", "Called Łukasz: date confirmed", "message too large", "Łukasz dit que tout marche",
		"unknown user", "Zoé Specialist, Migrations Grüße Inc.", "Café Díaz & Grüße Ltée", "Grüße aus München", "Tschüss, Grüße", "spam folder", "Vidéo du chantier"}
	word := regexp.MustCompile(`^\p{L}[\p{L}'’]+$`)
	for _, k := range Kinds {
		en, err := Build(k, evidenceFacts(t, "en"))
		if err != nil {
			t.Fatal(err)
		}
		fr, err := Build(k, evidenceFacts(t, "fr"))
		if err != nil {
			t.Fatal(err)
		}
		french := map[string]bool{}
		for _, s := range fr.strings() {
			french[s] = true
		}
		for _, s := range en.strings() {
			rest := s
			for _, v := range typed {
				rest = strings.ReplaceAll(rest, v, "")
			}
			words := 0
			for _, w := range strings.Fields(rest) {
				if word.MatchString(strings.Trim(w, ".,:;()«»“”\"")) {
					words++
				}
			}
			if words >= 3 && french[s] {
				t.Errorf("%s: %q is the same in English and French", k, s)
			}
		}
	}
}

// strings are every text of d: header, headings, paragraphs, list items and cells.
func (d Doc) strings() []string {
	out := []string{d.Title, d.Subtitle}
	for _, m := range d.Meta {
		out = append(out, m.Label, m.Value)
	}
	for _, s := range d.Sections {
		out = append(out, s.Heading)
		for _, b := range s.Blocks {
			out = append(out, b.Text)
			out = append(out, b.Items...)
			if b.Table != nil {
				out = append(out, b.Table.Columns...)
				for _, r := range b.Table.Rows {
					out = append(out, r...)
				}
			}
		}
	}
	return out
}

// A DNS result is worded from its figures in each language; the English is the
// sentence the check itself writes (dnscheck's Summary).
func TestDNSResultsAreWordedFromTheirFigures(t *testing.T) {
	auth := func(v dnscheck.Verdict, ttl uint32, values ...string) dnscheck.Answer {
		return dnscheck.Answer{Label: "ns2.oldhost.example", Role: dnscheck.Authoritative, Verdict: v, TTL: ttl, HasTTL: true, Values: values, Rcode: "NOERROR"}
	}
	good := dnscheck.Answer{Label: "ns1.oldhost.example", Role: dnscheck.Authoritative, Verdict: dnscheck.OK}
	mx := func(v dnscheck.Verdict, answers ...dnscheck.Answer) dnscheck.Result {
		return dnscheck.Result{Key: "mx", Kind: dnscheck.KindValue, Name: "acme.example", Type: "MX", Verdict: v, Answers: append([]dnscheck.Answer{good}, answers...)}
	}
	ttl := func(v dnscheck.Verdict, answers ...dnscheck.Answer) dnscheck.Result {
		return dnscheck.Result{Key: "mx", Kind: dnscheck.KindTTL, Name: "acme.example", Type: "MX", Verdict: v, TTLTarget: 300, Answers: append([]dnscheck.Answer{good}, answers...)}
	}
	propagating := mx(dnscheck.Propagating, dnscheck.Answer{Role: dnscheck.Resolver, Verdict: dnscheck.OK}, dnscheck.Answer{Role: dnscheck.Resolver, Verdict: dnscheck.Wrong})
	propagating.Seen, propagating.Asked = 1, 2
	for _, c := range []struct {
		name   string
		r      dnscheck.Result
		phase  dnscheck.Phase
		en, fr string
	}{
		{"unset", dnscheck.Result{Verdict: dnscheck.Unset}, dnscheck.After, "the expected value is not set", "la valeur attendue n'est pas renseignée"},
		{"no server", dnscheck.Result{Kind: dnscheck.KindValue, Verdict: dnscheck.Failed}, dnscheck.After, "no authoritative server to ask", "aucun serveur faisant autorité à interroger"},
		{"published before", mx(dnscheck.OK), dnscheck.Before, "1 of 1 authoritative servers publish the MX", "1 serveur faisant autorité sur 1 publie l'enregistrement MX"},
		{"propagating", propagating, dnscheck.After, "1 of 2 resolvers see the new MX", "1 résolveur sur 2 voit le nouvel enregistrement MX"},
		{"wrong", mx(dnscheck.Wrong, auth(dnscheck.Wrong, 300, "10 mx.oldhost.example.")), dnscheck.After,
			"1 of 2 authoritative servers publish the new MX; ns2.oldhost.example: answers 10 mx.oldhost.example.",
			"1 serveur faisant autorité sur 2 publie le nouvel enregistrement MX ; ns2.oldhost.example : répond 10 mx.oldhost.example."},
		{"missing", mx(dnscheck.Missing, auth(dnscheck.Missing, 300)), dnscheck.After,
			"1 of 2 authoritative servers publish the new MX; ns2.oldhost.example: no MX record",
			"1 serveur faisant autorité sur 2 publie le nouvel enregistrement MX ; ns2.oldhost.example : aucun enregistrement MX"},
		{"nxdomain", mx(dnscheck.NXDomain, auth(dnscheck.NXDomain, 300)), dnscheck.After,
			"ns2.oldhost.example: the name does not exist (NXDOMAIN)", "ns2.oldhost.example : le nom n'existe pas (NXDOMAIN)"},
		{"servfail", mx(dnscheck.ServFail, auth(dnscheck.ServFail, 0)), dnscheck.After,
			"ns2.oldhost.example: the server failed to answer (SERVFAIL)", "ns2.oldhost.example : le serveur n'a pas pu répondre (SERVFAIL)"},
		{"refused", mx(dnscheck.Refused, auth(dnscheck.Refused, 0)), dnscheck.After,
			"ns2.oldhost.example: the server refused the question (REFUSED)", "ns2.oldhost.example : le serveur a refusé la question (REFUSED)"},
		{"lame", mx(dnscheck.Failed, dnscheck.Answer{Label: "ns2.oldhost.example", Role: dnscheck.Authoritative, Verdict: dnscheck.Failed, Rcode: "ERROR"}), dnscheck.After,
			"ns2.oldhost.example: no usable answer (ERROR)", "ns2.oldhost.example : aucune réponse exploitable (ERROR)"},
		{"ttl ok", ttl(dnscheck.OK), dnscheck.Before, "1 of 1 authoritative servers give a TTL ≤ 300 s", "1 serveur faisant autorité sur 1 donne un TTL ≤ 300 s"},
		{"ttl high", ttl(dnscheck.TTLHigh, auth(dnscheck.TTLHigh, 3600, "0 mx.oldhost.example.")), dnscheck.Before,
			"1 of 2 authoritative servers give a TTL ≤ 300 s; ns2.oldhost.example: TTL 3600 s, above 300 s",
			"1 serveur faisant autorité sur 2 donne un TTL ≤ 300 s ; ns2.oldhost.example : TTL de 3600 s, au-dessus de 300 s"},
		{"negative ttl high", ttl(dnscheck.TTLHigh, auth(dnscheck.TTLHigh, 86400)), dnscheck.Before,
			"negative answers are cached 86400 s (SOA minimum)", "les réponses négatives sont gardées 86400 s (minimum du SOA)"},
	} {
		for lang, want := range map[string]string{"en": c.en, "fr": c.fr} {
			cat, err := LoadCatalog(lang, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			got := cat.T("dns.summary", Item{It: DNSResult{c.r, c.phase}})
			if err := cat.Err(); err != nil || !strings.Contains(got, want) {
				t.Errorf("%s in %s: %q (%v), want %q", c.name, lang, got, err, want)
			}
		}
	}
}

// When switching is safe is worded from the TTL history in each language.
func TestTheSafeSwitchIsWordedFromTheTTLHistory(t *testing.T) {
	at := time.Date(2027, 5, 10, 14, 2, 0, 0, time.UTC)
	high := dnscheck.SafeSwitch{Records: []dnscheck.TTLDrop{{Name: "acme.example", Type: "MX", Server: "ns1.oldhost.example", NewTTL: 9000, State: "still_high"}}}
	low := dnscheck.SafeSwitch{FirstLow: at, Records: []dnscheck.TTLDrop{{Name: "acme.example", Type: "MX", NewTTL: 300, State: "always_low"}}}
	for _, c := range []struct {
		s      dnscheck.SafeSwitch
		en, fr string
	}{
		{dnscheck.SafeSwitch{}, "No TTL observed yet", "Aucun TTL observé"},
		{high, "The TTL of acme.example MX is still 9000 s on ns1.oldhost.example: lower it to 300 s, then wait 2 h 30 min before switching.",
			"Le TTL de acme.example MX est encore de 9000 s sur ns1.oldhost.example : baissez-le à 300 s, puis attendez 2 h 30 min avant de basculer."},
		{low, "already at or below 300 s at the first check (Mon 2027-05-10 14:02)", "inférieurs ou égaux à 300 s à la première vérification (lun. 2027-05-10 14:02)"},
	} {
		for lang, want := range map[string]string{"en": c.en, "fr": c.fr} {
			cat, err := LoadCatalog(lang, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			got := cat.T("dns.safe", Item{Facts{TTLTarget: 300}, &c.s})
			if err := cat.Err(); err != nil || !strings.Contains(got, want) {
				t.Errorf("%s: %q (%v), want %q", lang, got, err, want)
			}
		}
	}
}

// An IMAP destination is named by its host in every language, never "Other IMAP host".
func TestAnIMAPDestinationIsNamedByItsHost(t *testing.T) {
	for _, lang := range Languages {
		f := evidenceFacts(t, lang)
		f.Project.Provider, f.Project.Dest.Host = project.ProviderIMAP, "mail.nouveau.example"
		for _, k := range Kinds {
			d, err := Build(k, f)
			if err != nil {
				t.Fatal(err)
			}
			html, err := Render(d, HTML)
			if err != nil {
				t.Fatal(err)
			}
			if text := htmlText(html); strings.Contains(text, project.ProviderIMAP.Label()) || !strings.Contains(text, "mail.nouveau.example") {
				t.Errorf("%s %s: %s", lang, k, text)
			}
		}
	}
}

// Every language defines the same texts: a text missing from one would print as its
// name in that language's documents.
func TestEveryLanguageDefinesTheSameTexts(t *testing.T) {
	names := map[string][]string{}
	for _, lang := range Languages {
		c, err := LoadCatalog(lang, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		for _, tm := range c.t.Templates() {
			if tm.Name() != lang && tm.Name() != lang+".tmpl" {
				names[lang] = append(names[lang], tm.Name())
			}
		}
		slices.Sort(names[lang])
	}
	for _, lang := range Languages[1:] {
		if !slices.Equal(names[lang], names["en"]) {
			t.Errorf("%s defines %d texts, en %d: %v", lang, len(names[lang]), len(names["en"]), diff(names["en"], names[lang]))
		}
	}
}

// diff lists the names in one list only.
func diff(a, b []string) []string {
	var out []string
	for _, n := range a {
		if !slices.Contains(b, n) {
			out = append(out, "-"+n)
		}
	}
	for _, n := range b {
		if !slices.Contains(a, n) {
			out = append(out, "+"+n)
		}
	}
	return out
}

package pim_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"cutover/backend/pim"
	"cutover/backend/pim/pimtest"
)

// resourceNames are the destination resource names of the contacts with these source
// UIDs, sorted as Labels lists them (in creation order is not assumed).
func resourceNames(t *testing.T, fake *pimtest.Google, uids ...string) []string {
	t.Helper()
	var out []string
	for _, uid := range uids {
		p := fake.PersonByUID(uid)
		if p == nil {
			t.Fatalf("no contact copied with UID %s", uid)
		}
		out = append(out, p["resourceName"].(string))
	}
	slices.Sort(out)
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestGoogleContactGroupBecomesALabelHoldingItsMembers(t *testing.T) {
	for _, tc := range []struct {
		file, group, groupUID string
		members               func(t *testing.T, fake *pimtest.Google) []string
		missing               string // the member the note names
	}{
		{
			// Apple's vCard 3.0 form, the group first in the book: the copier writes it
			// after the contacts.
			file: "testdata/apple-group.vcf", group: "Stammtisch Göteborg", groupUID: "9C8B7A6F-5E4D-4C3B-A2A1-F0E9D8C7B6A5",
			members: func(t *testing.T, fake *pimtest.Google) []string {
				return resourceNames(t, fake, "5F1E2D3C-4B5A-4968-8776-A1B2C3D4E5F6", "0B9A8C7D-6E5F-4A3B-9C2D-1E0F9A8B7C6D")
			},
			missing: "member urn:uuid:DEADBEEF-0000-4000-8000-00000000ABCD not added: not copied",
		},
		{
			// vCard 4.0: a member by UID, one by address (a card without UID, the
			// address in another case), one address no contact has.
			file: "testdata/contacts-v4-group.vcf", group: "Équipe vente", groupUID: "urn:uuid:8d1f3c2a-77b4-4f0e-9a61-5c2e8b9d0f13",
			members: func(t *testing.T, fake *pimtest.Google) []string {
				return sorted([]string{resourceNames(t, fake, "urn:uuid:2a6f0c4e-91d3-4b8a-b5e7-3c9d1f2a8e40")[0], personNamed(t, fake, "Dubois")["resourceName"].(string)})
			},
			missing: "member mailto:ancien.collegue@example.fr not added: no contact in Google Contacts has this address",
		},
	} {
		t.Run(tc.group, func(t *testing.T) {
			fake := pimtest.NewGoogle(t)
			f, err := pim.ReadFiles(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			c := &pim.Copier{Job: "alice", Source: f, Dest: googleDest(fake), Ledger: openLedger(t, t.TempDir()+"/g.db")}
			res, err := c.Run(t.Context(), pim.Options{})
			if err != nil || res.Copied != 3 || res.Failed != 0 {
				t.Fatalf("run: %+v %v; want the two contacts and the group copied", res, err)
			}
			if got, want := sorted(fake.Labels()[tc.group]), tc.members(t, fake); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("label %q holds %v, want %v", tc.group, got, want)
			}
			if fake.GroupCreates != 2 {
				t.Errorf("%d labels created, want 2 (the address book's and the group's): %v", fake.GroupCreates, fake.Labels())
			}
			if len(res.Notes) != 1 || res.Notes[0].UID != tc.groupUID || !strings.Contains(res.Notes[0].Reason, tc.missing) {
				t.Errorf("notes %+v: want the group's missing member named (%q)", res.Notes, tc.missing)
			}

			// verify: the group is at the destination as its label.
			checks, err := c.Verify(t.Context(), pim.Options{})
			if err != nil || len(checks) != 1 || checks[0].DestN.Contacts != 3 || len(checks[0].Missing) != 0 {
				t.Errorf("verify: %+v %v; want 3 at the destination, none missing", checks, err)
			}

			writes := fake.PeopleWrites
			again, err := c.Run(t.Context(), pim.Options{})
			if err != nil || again.Copied+again.Updated+again.Matched != 0 || fake.PeopleWrites != writes {
				t.Errorf("rerun: %+v %v, %d People API writes; want none", again, err, fake.PeopleWrites-writes)
			}
		})
	}
}

func TestGoogleContactGroupChangedAtTheSourceAddsOnlyItsNewMember(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	l := openLedger(t, t.TempDir()+"/g.db")
	text := readFile(t, "testdata/contacts-v4-group.vcf")
	book := func(text string) *pim.Files {
		f, err := pim.ReadFiles(writeFile(t, "contacts-v4-group.vcf", text))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	before := strings.Replace(text, "MEMBER:mailto:marc.dubois@example.fr\r\n", "", 1)
	if res, err := (&pim.Copier{Job: "alice", Source: book(before), Dest: googleDest(fake), Ledger: l}).Run(t.Context(), pim.Options{}); err != nil || res.Copied != 3 {
		t.Fatalf("first run: %+v %v", res, err)
	}
	claire := fake.PersonByUID("urn:uuid:2a6f0c4e-91d3-4b8a-b5e7-3c9d1f2a8e40")["resourceName"].(string)
	if got := fake.Labels()["Équipe vente"]; fmt.Sprint(got) != fmt.Sprint([]string{claire}) {
		t.Fatalf("label before: %v, want Claire only", got)
	}
	adds, creates, groups := fake.MemberAdds, fake.Creates+fake.Updates, fake.GroupCreates
	res, err := (&pim.Copier{Job: "alice", Source: book(text), Dest: googleDest(fake), Ledger: l}).Run(t.Context(), pim.Options{})
	if err != nil || res.Updated != 1 || res.Copied != 0 || res.Failed != 0 {
		t.Fatalf("second run: %+v %v; want the group updated", res, err)
	}
	marc := personNamed(t, fake, "Dubois")["resourceName"].(string)
	if got := sorted(fake.Labels()["Équipe vente"]); fmt.Sprint(got) != fmt.Sprint(sorted([]string{claire, marc})) {
		t.Errorf("label after: %v, want Claire and Marc", got)
	}
	if fake.MemberAdds-adds != 1 || fake.Creates+fake.Updates != creates || fake.GroupCreates != groups {
		t.Errorf("%d members added (want Marc only), %d contacts written, %d labels created (want none)",
			fake.MemberAdds-adds, fake.Creates+fake.Updates-creates, fake.GroupCreates-groups)
	}
}

// A member's etag moves when the group's label takes it: its next change at the source
// must still reach Google, and an edit in Google Contacts still be left alone.
func TestGoogleGroupMemberChangedAtTheSourceIsUpdatedThoughItsLabelMovedItsEtag(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	l := openLedger(t, t.TempDir()+"/g.db")
	book := func(bjornPhone, astridPhone string) *pim.Files {
		text := strings.Replace(readFile(t, "testdata/apple-group.vcf"), "+46 31 711 22 33", bjornPhone, 1)
		f, err := pim.ReadFiles(writeFile(t, "apple-group.vcf", strings.Replace(text, "+46 70 123 45 67", astridPhone, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if res, err := (&pim.Copier{Job: "alice", Source: book("+46 31 711 22 33", "+46 70 123 45 67"), Dest: googleDest(fake), Ledger: l}).Run(t.Context(), pim.Options{}); err != nil || res.Copied != 3 {
		t.Fatalf("first run: %+v %v", res, err)
	}
	fake.Edit("5F1E2D3C-4B5A-4968-8776-A1B2C3D4E5F6", "nicknames", []any{map[string]any{"value": "Asta"}}) // in Google Contacts
	res, err := (&pim.Copier{Job: "alice", Source: book("+46 31 999 00 00", "+46 70 999 00 00"), Dest: googleDest(fake), Ledger: l}).Run(t.Context(), pim.Options{})
	if err != nil || res.Updated != 1 || res.Failed != 1 || res.Failures[0].Summary != "Astrid Lindqvist" {
		t.Fatalf("second run: %+v %v; want Björn updated, Astrid (edited in Google) reported", res, err)
	}
	if got := field(personNamed(t, fake, "Ödegaard"), "phoneNumbers"); !strings.Contains(got, "+46 31 999 00 00") {
		t.Errorf("Björn not updated: %s", got)
	}
	if got := field(personNamed(t, fake, "Lindqvist"), "nicknames"); !strings.Contains(got, "Asta") {
		t.Errorf("Astrid's edit in Google overwritten: %s", got)
	}
}

func TestGoogleUnmappedVCardPropertiesLandInTheirPersonFieldsOrAsCustomFields(t *testing.T) {
	fake := pimtest.NewGoogle(t)
	logo := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Logo GmbH\r\nN:Logo GmbH;;;;\r\nUID:logo-gmbh\r\nX-SKYPE:logo.gmbh\r\n" +
		"LOGO;ENCODING=b;TYPE=PNG:iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\nEND:VCARD\r\n"
	f, err := pim.ReadFiles("testdata/apple-group.vcf", "testdata/contacts-v4-group.vcf", writeFile(t, "logos.vcf", logo))
	if err != nil {
		t.Fatal(err)
	}
	c := &pim.Copier{Job: "alice", Source: f, Dest: googleDest(fake), Ledger: openLedger(t, t.TempDir()+"/g.db")}
	res, err := c.Run(t.Context(), pim.Options{})
	if err != nil || res.Copied != 7 {
		t.Fatalf("run: %+v %v", res, err)
	}
	for _, tc := range []struct {
		name   string
		fields map[string]string
	}{
		{"Lindqvist", map[string]string{
			// IMPP with Apple's X-SERVICE-TYPE; an xmpp: address with a non-ASCII host.
			"imClients": `[{"protocol":"skype","type":"home","username":"astrid.lindqvist"},{"protocol":"jabber","type":"work","username":"astrid@chat.göteborg.example"}]`,
			// item1.X-ABRELATEDNAMES + item1.X-ABLabel:_$!<Spouse>!$_; a label of the user's own.
			"relations": `[{"person":"Ingrid Lindqvist","type":"spouse"},{"person":"Sven Åberg","type":"Gudfar"}]`,
			"events":    `[{"date":{"day":20,"month":6,"year":2015},"type":"anniversary"},{"date":{"day":1,"month":9,"year":2021},"type":"Firmenjubiläum"}]`,
			// A labelled item under its label, the rest under the property's name.
			"userDefined": `[{"key":"Büro","value":"Tür 3, links"},{"key":"X-MAIDENNAME","value":"Åström"}]`,
		}},
		{"Ödegaard", map[string]string{"imClients": `[{"protocol":"aim","username":"bjorn.odegaard"}]`, "userDefined": `null`}},
		{"Lefèvre", map[string]string{
			"names":        `[{"familyName":"Lefèvre","givenName":"Claire","phoneticFamilyName":"Lefèvre"}]`,
			"genders":      `[{"value":"female"}]`,
			"imClients":    `[{"protocol":"jabber","username":"claire@jabber.example.fr"}]`,
			"sipAddresses": `[{"type":"work","value":"sip:claire@voip.example.fr"}]`,
			"relations":    `[{"person":"Hélène Lefèvre","type":"spouse"}]`,
			"events":       `[{"date":{"day":12,"month":6,"year":2010},"type":"anniversary"}]`,
		}},
		{"Logo GmbH", map[string]string{"imClients": `[{"protocol":"skype","username":"logo.gmbh"}]`, "userDefined": `null`}},
	} {
		p := personNamed(t, fake, tc.name)
		for f, want := range tc.fields {
			if got := field(p, f); got != want {
				t.Errorf("%s %s = %s, want %s", tc.name, f, got, want)
			}
		}
	}
	// Only what has nowhere to go is noted: the logo, an image.
	var notes []string
	for _, n := range res.Notes {
		if n.Kind == pim.KindContact && !strings.Contains(n.Reason, "member") {
			notes = append(notes, n.Summary+": "+n.Reason)
		}
	}
	if fmt.Sprint(notes) != "[Logo GmbH: Google Contacts has no field for LOGO]" {
		t.Errorf("notes %q, want the logo only", notes)
	}
}

package docs

import (
	"fmt"
	"strings"

	"cutover/backend/project"
	"cutover/backend/timeline"
)

// Item is what a text about one thing of a list gets: the project's Facts and the thing.
type Item struct {
	Facts
	It any
}

// builder assembles one document from the texts of its language.
type builder struct {
	c *Catalog
	f Facts
	d Doc
}

func (b *builder) t(name string) string { return b.c.T(name, b.f) }

func (b *builder) item(name string, it any) string { return b.c.T(name, Item{b.f, it}) }

// section adds a section whose heading is the text key+".heading".
func (b *builder) section(key string, blocks ...Block) {
	b.d.Sections = append(b.d.Sections, Section{Heading: b.t(key + ".heading"), Blocks: blocks})
}

func text(s string) Block             { return Block{Text: s} }
func list(items []string) Block       { return Block{Items: items} }
func code(s string) Block             { return Block{Code: s} }
func (b *builder) p(key string) Block { return text(b.t(key)) }

// table builds a table whose sheet name and column headings are the texts key+".sheet"
// and key+".columns" (one heading a line).
func (b *builder) table(key string, rows [][]string) Block {
	if rows == nil {
		rows = [][]string{}
	}
	return Block{Table: &Table{Sheet: b.t(key + ".sheet"), Columns: b.c.Lines(key+".columns", b.f), Rows: rows}}
}

// Build writes the document k from f in f.Settings.Language.
func Build(k Kind, f Facts) (Doc, error) {
	c, err := LoadCatalog(f.Settings.Language, f.Project.Location())
	if err != nil {
		return Doc{}, err
	}
	b := &builder{c: c, f: f, d: Doc{Kind: k, Lang: c.Lang}}
	b.d.Title = b.t(string(k) + ".title")
	b.d.Subtitle = b.t(string(k) + ".subtitle")
	b.d.Meta = []Pair{
		{b.t("meta.customer"), orDash(f.Project.Customer)},
		{b.t("meta.project"), f.Project.Name},
		{b.t("meta.migration"), b.t("meta.migration.value")},
		{b.t("meta.cutover"), b.t("meta.cutover.value")},
		{b.t("meta.specialist"), orDash(b.t("meta.specialist.value"))},
		{b.t("meta.generated"), b.t("meta.generated.value")},
	}
	switch k {
	case Tasks:
		b.tasks()
	case Limitations:
		b.limitations()
	case Guide:
		b.guide()
	case ReportProgress:
		b.progress()
	case ReportVerify:
		b.verify()
	case ReportClose:
		b.closing()
	default:
		return Doc{}, fmt.Errorf("document %q: unknown", k)
	}
	return b.d, c.Err()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// customerSteps are the dated steps the customer carries out or takes part in.
var customerSteps = []string{"verify_domain", "pre_contact", "lower_ttl", "confirm_contact", "dns_change", "outlook", "mobile", "followup_contact"}

func (b *builder) tasks() {
	var dates [][]string
	for _, key := range customerSteps {
		if s, ok := b.f.Timeline.Step(key); ok {
			dates = append(dates, []string{b.item("step.title", s), b.item("step.when", s), b.item("owner", s)})
		}
	}
	b.section("tasks.dates", b.p("tasks.dates.intro"), b.table("tasks.dates", dates))

	var access []Block
	access = append(access, b.p("tasks.access.intro"))
	for _, s := range b.f.SignIn {
		access = append(access, text(b.item("tasks.access.side", s)))
		access = append(access, list(b.c.Lines("tasks.access."+s.Method, Item{b.f, s})))
	}
	b.section("tasks.access", access...)

	verify := []Block{b.p("tasks.verify.intro")}
	for _, r := range b.f.Verification() {
		verify = append(verify, text(b.item("tasks.verify.record", r)), code(r.Value))
	}
	if len(b.f.Verification()) == 0 {
		verify = append(verify, b.p("tasks.verify.none"))
	}
	b.section("tasks.verify", verify...)

	var ttl [][]string
	for _, r := range b.f.Changing() {
		ttl = append(ttl, []string{r.Name, r.Type, b.item("record.purpose", r), fmt.Sprint(b.f.TTLTarget)})
	}
	b.section("tasks.ttl", b.p("tasks.ttl.intro"), b.table("tasks.ttl", ttl), b.p("tasks.ttl.nothingelse"))

	var sheets []string
	for _, a := range b.f.Templates {
		sheets = append(sheets, b.item("tasks.sheets.file", a.Name))
	}
	b.section("tasks.sheets", b.p("tasks.sheets.intro"), list(sheets), b.p("tasks.sheets.outro"))
	b.d.Attachments = b.f.Templates

	var records [][]string
	for _, r := range b.f.Records {
		if r.Key != "verify" && !r.Disabled {
			records = append(records, []string{r.Name, r.Type, b.item("record.value", r), fmt.Sprint(r.TTL)})
		}
	}
	b.section("tasks.cutover", b.p("tasks.cutover.intro"), list(b.c.Lines("tasks.cutover.window", b.f)), b.table("tasks.records", records))
}

func (b *builder) limitations() {
	b.section("limits.pair", b.p("limits.pair.intro"))
	b.section("limits.moves", list(b.c.Lines("limits.moves.list", b.f)))
	from := b.f.PIM.Source
	if from == "" {
		from = "none"
	}
	b.section("limits.pim", b.p("limits.pim.from."+from), list(b.c.Lines("limits.pim.to."+b.f.PIMDest(), b.f)))
	b.section("limits.stays", b.p("limits.stays.intro"), list(b.c.Lines("limits.stays.list", b.f)))
	b.section("limits.size", b.p("limits.size.text"))

	var excluded [][]string
	for _, e := range b.f.Excludes {
		excluded = append(excluded, []string{orAll(b, e.Mailbox), e.Pattern, b.t("limits.excluded.byrule")})
	}
	for _, fo := range b.f.Folders {
		if fo.Excluded {
			excluded = append(excluded, []string{fo.Mailbox, fo.Folder, orDash(b.item("folder.leftout", fo))})
		}
	}
	intro := "limits.excluded.intro"
	if len(excluded) == 0 {
		intro = "limits.excluded.none"
	}
	b.section("limits.excluded", b.p(intro), b.table("limits.excluded", excluded))

	var refused [][]string
	for _, r := range b.f.Refused {
		refused = append(refused, []string{r.Mailbox, r.Folder, r.Subject, b.c.size(r.Size), b.item("refused.reason", r)})
	}
	intro = "limits.refused.intro"
	if len(refused) == 0 {
		intro = "limits.refused.none"
	}
	b.section("limits.refused", b.p(intro), b.table("limits.refused", refused))
	b.pimRefused()
}

// pimRefused lists the contacts, events and tasks the destination refused, and those it
// took without something.
func (b *builder) pimRefused() {
	rows := func(items []PIMItem) [][]string {
		var out [][]string
		for _, it := range items {
			out = append(out, []string{it.Mailbox, b.item("pim.kind", it.Kind), it.Collection, it.Summary, it.Reason})
		}
		return out
	}
	intro := "limits.pim.refused.intro"
	if len(b.f.PIM.Refused) == 0 {
		intro = "limits.pim.refused.none"
	}
	blocks := []Block{b.p(intro), b.table("limits.pim.refused", rows(b.f.PIM.Refused))}
	if len(b.f.PIM.Noted) > 0 {
		blocks = append(blocks, b.p("limits.pim.noted.intro"), b.table("limits.pim.noted", rows(b.f.PIM.Noted)))
	}
	b.section("limits.pim.refused", blocks...)
}

// PIMSide is how a side's contacts and calendars are reached (dav, graph, google; ""
// for a source that offers none): what that side's sign-in must allow.
func (f Facts) PIMSide(side string) string {
	if side == "source" {
		return f.PIM.Source
	}
	return f.PIMDest()
}

// PIMDest is where contacts and calendars go: as set, else the provider's own way.
func (f Facts) PIMDest() string {
	switch {
	case f.PIM.Dest != "":
		return f.PIM.Dest
	case f.Project.Provider == project.ProviderM365:
		return "graph"
	case f.Project.Provider == project.ProviderGoogle:
		return "google"
	}
	return "dav"
}

func orAll(b *builder, mailbox string) string {
	if mailbox == "" {
		return b.t("all.mailboxes")
	}
	return mailbox
}

func (b *builder) guide() {
	b.section("guide.day", b.p("guide.day.intro"), code(b.f.Settings.Webmail), b.p("guide.day.after"))
	if b.f.Project.Provider == project.ProviderM365 {
		b.section("guide.outlook.version", list(b.c.Lines("guide.outlook.version.steps", b.f)))
	}
	when := "guide.profile.wait"
	if b.f.Proof("outlook") != nil {
		when = "guide.profile.ready"
	}
	b.section("guide.profile", b.p(when), list(b.c.Lines("guide.profile.steps", b.f)))
	b.section("guide.phones", b.p("guide.phones.intro"), list(b.c.Lines("guide.phones."+string(b.f.Project.Provider), b.f)))
	b.section("guide.hand", b.p("guide.hand.intro"), list(b.c.Lines("guide.hand.list", b.f)))
	b.section("guide.help", b.p("guide.help.text"))
}

func (b *builder) progress() {
	var rows [][]string
	for _, p := range b.f.Passes {
		rows = append(rows, []string{p.Mailbox, p.Dest, b.item("pass.kind", p.Kind), b.item("pass.state", p.State),
			fmt.Sprintf("%d / %d", p.Done, p.Total), b.c.size(p.BytesDone), fmt.Sprint(p.Refused), b.item("pass.finished", p)})
	}
	b.section("progress.summary", b.p("progress.summary.text"), b.table("progress.mailboxes", rows))
	b.refusedSection()
	if len(b.f.PIM.Mailboxes) == 0 {
		return
	}
	var pims [][]string
	for _, m := range b.f.PIM.Mailboxes {
		pims = append(pims, []string{m.Mailbox, fmt.Sprint(m.Contacts), fmt.Sprint(m.Events), fmt.Sprint(m.Tasks), fmt.Sprint(m.Journals),
			fmt.Sprint(m.Refused), b.item("pass.kind", m.Pass), b.item("pass.finished", m)})
	}
	b.section("progress.pim", b.p("progress.pim.text"), b.table("progress.pim", pims))
}

func (b *builder) refusedSection() {
	var rows [][]string
	for _, r := range b.f.Refused {
		rows = append(rows, []string{r.Mailbox, b.item("pass.kind", r.Pass), r.Folder, r.Subject, b.c.size(r.Size), b.item("refused.reason", r)})
	}
	intro := "refused.intro"
	if len(rows) == 0 {
		intro = "refused.none"
	}
	b.section("refused", b.p(intro), b.table("refused", rows))
}

// note is a step's note or a contact's summary: as typed, or, when Cutover wrote it
// itself, its evidence worded in the document's language.
func (b *builder) note(typed string, ev *timeline.Evidence) string {
	if ev == nil {
		return typed
	}
	return b.item("evidence", ev)
}

func (b *builder) verify() {
	var rows [][]string
	missing := 0
	for _, c := range b.f.Checks {
		rows = append(rows, []string{c.Mailbox, c.Source, c.Dest, fmt.Sprint(c.SourceMessages), fmt.Sprint(c.DestMessages), fmt.Sprint(c.Missing)})
		missing += c.Missing
	}
	summary := "verify.summary.complete"
	switch {
	case len(rows) == 0:
		summary = "verify.summary.none"
	case missing > 0:
		summary = "verify.summary.missing"
	}
	b.section("verify", text(b.c.T(summary, Item{b.f, missing})), b.table("verify", rows))
	if len(b.f.Missing) > 0 {
		var list [][]string
		for _, m := range b.f.Missing {
			list = append(list, []string{m.Mailbox, m.Folder, m.Subject, b.item("missing.date", m), b.c.size(m.Size)})
		}
		b.section("verify.missing", b.p("verify.missing.intro"), b.table("verify.missing", list))
	}
	b.verifyPIM()
}

// verifyPIM is the last verification of contacts, calendars and tasks, when one was run.
func (b *builder) verifyPIM() {
	if len(b.f.PIM.Checks) == 0 {
		return
	}
	var rows, list [][]string
	for _, c := range b.f.PIM.Checks {
		rows = append(rows, []string{c.Mailbox, c.Collection, fmt.Sprint(c.SourceItems), fmt.Sprint(c.DestItems), fmt.Sprint(len(c.Missing))})
		for _, m := range c.Missing {
			list = append(list, []string{m.Mailbox, b.item("pim.kind", m.Kind), m.Collection, m.Summary, m.UID})
		}
	}
	summary := text(b.c.T("verify.pim.complete", b.f))
	if len(list) > 0 {
		summary = text(b.c.T("verify.pim.missing", Item{b.f, len(list)}))
	}
	b.section("verify.pim", summary, b.table("verify.pim", rows), b.table("verify.pim.list", list))
}

// Missing counts the contacts, events and tasks the last verification did not find.
func (p PIM) Missing() int {
	n := 0
	for _, c := range p.Checks {
		n += len(c.Missing)
	}
	return n
}

func (b *builder) closing() {
	var steps [][]string
	var open []string
	for _, s := range b.f.Timeline.Steps {
		steps = append(steps, []string{b.item("step.title", s), b.item("step.when", s), b.item("status", s.Status), b.item("step.closed", s), b.note(s.Note, s.Evidence)})
		if !s.Status.Closed() && s.Key != "close_case" {
			open = append(open, b.item("closing.open.step", [2]string{b.item("step.title", s), b.item("status", s.Status)}))
		}
	}
	b.section("closing.steps", b.table("closing.steps", steps))

	var contacts [][]string
	for _, c := range b.f.Contacts {
		step := ""
		if s, ok := b.f.Timeline.Step(c.Step); ok {
			step = b.item("step.title", s)
		}
		contacts = append(contacts, []string{b.item("contact.at", c), b.item("channel", c.Channel), step, b.note(c.Summary, c.Evidence)})
	}
	b.section("closing.contacts", b.table("closing.contacts", contacts))

	var dns [][]string
	for _, e := range b.f.Evidence {
		title := e.Step
		if s, ok := b.f.Timeline.Step(e.Step); ok {
			title = b.item("step.title", s)
		}
		dns = append(dns, []string{title, b.item("passed", e.Passed), b.item("dns.proof", e)})
	}
	b.section("closing.dns", b.table("closing.dns", dns))

	b.verify()
	missing := 0
	for _, c := range b.f.Checks {
		missing += c.Missing
	}
	if missing > 0 {
		open = append(open, b.item("closing.open.missing", missing))
	}
	if n := b.f.PIM.Missing(); n > 0 {
		open = append(open, b.item("closing.open.pimmissing", n))
	}
	if n := len(b.f.Refused); n > 0 {
		open = append(open, b.item("closing.open.refused", n))
	}
	if len(open) == 0 {
		b.section("closing.open", b.p("closing.open.none"))
	} else {
		b.section("closing.open", list(open))
	}
}

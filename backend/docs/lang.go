package docs

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"cutover/backend/dnscheck"
	"cutover/backend/fault"
)

//go:embed lang/*.tmpl
var langFiles embed.FS

// Languages are the built-in sets of texts.
var Languages = []string{"en", "fr"}

// ParseLanguage reads a language code ("" is English).
func ParseLanguage(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" {
		return "en", nil
	}
	for _, l := range Languages {
		if l == v {
			return v, nil
		}
	}
	return "", &fault.FieldError{Field: "language", Value: s, Expected: "en or fr"}
}

// Catalog is one language's texts, with dates written in one time zone.
type Catalog struct {
	Lang string
	t    *template.Template
	errs []error
}

// LoadCatalog parses the texts of lang; loc is the zone dates are written in.
func LoadCatalog(lang string, loc *time.Location) (*Catalog, error) {
	lang, err := ParseLanguage(lang)
	if err != nil {
		return nil, err
	}
	c := &Catalog{Lang: lang}
	funcs := template.FuncMap{
		"date":     func(t time.Time) string { return c.date(t.In(loc)) },
		"datetime": func(t time.Time) string { return c.date(t.In(loc)) + " " + t.In(loc).Format("15:04") },
		"clock":    func(t time.Time) string { return t.In(loc).Format("15:04") },
		"zone":     func() string { return loc.String() },
		"size":     c.size,
		"join":     strings.Join,
		"minutes":  func(s uint32) string { return fmt.Sprint(s / 60) },
		// item pairs the facts with one thing for a text about it: {{template "x" (item $ .)}}.
		"item": func(f Facts, it any) Item { return Item{f, it} },
		// dnsresult and dnsanswer pair a DNS result with its check's phase, an answer
		// with its result: {{template "dns.summary" (item $.Facts (dnsresult $r $.It.Phase))}}.
		"dnsresult":  func(r dnscheck.Result, ph dnscheck.Phase) DNSResult { return DNSResult{r, ph} },
		"dnsanswer":  func(a *dnscheck.Answer, r dnscheck.Result) DNSAnswer { return DNSAnswer{*a, r} },
		"durationof": durationOf,
		// plural picks the word for n in the catalog's language: {{plural .N "boîte" "boîtes"}}.
		"plural": c.plural,
	}
	c.t, err = template.New(lang).Option("missingkey=error").Funcs(funcs).ParseFS(langFiles, "lang/"+lang+".tmpl")
	if err != nil {
		return nil, fmt.Errorf("texts %s: %w", lang, err)
	}
	return c, nil
}

// plural is one for a count of n that takes the singular, else many: in French 0 and 1
// do (« 0 refusé », « 1 boîte »), in English only 1.
func (c *Catalog) plural(n int, one, many string) string {
	if n == 1 || (c.Lang == "fr" && n == 0) {
		return one
	}
	return many
}

// date writes a day with its weekday's name in the catalog's language.
func (c *Catalog) date(t time.Time) string {
	days := c.Lines("weekdays", nil)
	name := t.Weekday().String()
	if len(days) == 7 {
		name = days[t.Weekday()]
	}
	return name + " " + t.Format("2006-01-02")
}

// T executes the text called name with data; a missing text or a failing one is kept as
// an error (Err) and shows as its name, so that a document never silently loses a line.
func (c *Catalog) T(name string, data any) string {
	var b bytes.Buffer
	if err := c.t.ExecuteTemplate(&b, name, data); err != nil {
		c.errs = append(c.errs, fmt.Errorf("text %s/%s: %w", c.Lang, name, err))
		return "[" + name + "]"
	}
	return strings.TrimSpace(b.String())
}

// Has reports whether the catalog defines name.
func (c *Catalog) Has(name string) bool { return c.t.Lookup(name) != nil }

// Lines is T split into its non-empty lines: a list.
func (c *Catalog) Lines(name string, data any) []string {
	var out []string
	for _, l := range strings.Split(c.T(name, data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Err is every text that could not be written.
func (c *Catalog) Err() error { return errors.Join(c.errs...) }

// Size writes a byte count as people read it ("1.5 MB"): the command line's way, and
// the documents' in English.
func Size(n int64) string {
	v, unit := sizeOf(n)
	return v + " " + []string{"B", "kB", "MB", "GB"}[unit]
}

// sizeOf is a byte count in its largest unit (0 bytes, 1 kB, 2 MB, 3 GB), with one
// decimal above bytes.
func sizeOf(n int64) (string, int) {
	for unit := 3; unit > 0; unit-- {
		if n >= 1<<(10*unit) {
			return fmt.Sprintf("%.1f", float64(n)/float64(int64(1)<<(10*unit))), unit
		}
	}
	return fmt.Sprint(n), 0
}

// size writes a byte count in the catalog's language: its units (the text size.units,
// one a line from bytes to gigabytes) and decimal mark (size.decimal).
func (c *Catalog) size(n int64) string {
	v, unit := sizeOf(n)
	units := c.Lines("size.units", nil)
	if len(units) != 4 {
		return Size(n)
	}
	return strings.Replace(v, ".", c.T("size.decimal", nil), 1) + " " + units[unit]
}

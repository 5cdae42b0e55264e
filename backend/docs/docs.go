// Package docs is the customer pack's documents: the preparation tasks for the customer,
// the migration tool's limitations for this source and destination, the user guide, and
// the progress, verification and closing reports. Each is built from a project's Facts
// into one Doc model (sections of paragraphs, lists, exact values and tables), which is
// rendered as print-ready HTML, as PDF (with an embedded Unicode font, so "Díaz" and
// "Grüße" print as typed) or as an xlsx workbook of its tables.
//
// Every sentence comes from a language's template file (lang/en.tmpl, lang/fr.tmpl,
// text/template): the code holds the structure and the project's values, never the text.
// What Cutover recorded along the way is kept as what happened and its figures
// (timeline.Evidence for the notes it writes, dnscheck.Proof and Result for the DNS
// checks) and worded here too; only what people typed and servers answered is printed
// as written.
package docs

import (
	"fmt"
	"strings"

	"cutover/backend/fault"
)

// Kind is one document of the pack.
type Kind string

const (
	Tasks          Kind = "tasks"
	Limitations    Kind = "limitations"
	Guide          Kind = "guide"
	ReportProgress Kind = "report-progress"
	ReportVerify   Kind = "report-verify"
	ReportClose    Kind = "report-close"
)

// Kinds are the documents in the order the pack lists them.
var Kinds = []Kind{Tasks, Limitations, Guide, ReportProgress, ReportVerify, ReportClose}

// ParseKind reads a document's name as typed.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	for _, v := range Kinds {
		if v == k {
			return k, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, v := range Kinds {
		names[i] = string(v)
	}
	return "", &fault.FieldError{Field: "document", Value: s, Expected: "one of " + strings.Join(names, ", ")}
}

// Format is how a document is written out.
type Format string

const (
	HTML Format = "html"
	PDF  Format = "pdf"
	XLSX Format = "xlsx"
)

// ParseFormat reads a format, or the extension of a file name ("report.pdf").
func ParseFormat(s string) (Format, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if i := strings.LastIndexByte(v, '.'); i >= 0 {
		v = v[i+1:]
	}
	switch Format(v) {
	case HTML, PDF, XLSX:
		return Format(v), nil
	case "htm":
		return HTML, nil
	}
	return "", &fault.FieldError{Field: "format", Value: s, Expected: "pdf, html or xlsx (from the file's extension: F.pdf, F.html, F.xlsx)"}
}

// MIME is the format's media type.
func (f Format) MIME() string {
	switch f {
	case PDF:
		return "application/pdf"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/html; charset=utf-8"
}

// Doc is one document, ready to render.
type Doc struct {
	Kind     Kind      `json:"kind"`
	Lang     string    `json:"lang"`
	Title    string    `json:"title"`
	Subtitle string    `json:"subtitle"`
	Meta     []Pair    `json:"meta"`
	Sections []Section `json:"sections"`
	// Attachments travel inside the PDF (the spreadsheet templates of the tasks).
	Attachments []Attachment `json:"-"`
}

// Pair is a labelled value of the document's header.
type Pair struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Section is a heading and its blocks.
type Section struct {
	Heading string  `json:"heading"`
	Blocks  []Block `json:"blocks"`
}

// Block is one paragraph, list, exact value or table (one of the fields is set).
type Block struct {
	Text  string   `json:"text,omitempty"`
	Items []string `json:"items,omitempty"`
	// Code is a value to copy exactly (a TXT record, a URL), printed in a box.
	Code  string `json:"code,omitempty"`
	Table *Table `json:"table,omitempty"`
}

// Table is a table of text; Sheet names its sheet in the xlsx.
type Table struct {
	Sheet   string     `json:"sheet"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// Attachment is a file carried inside the PDF.
type Attachment struct {
	Name string
	Data []byte
}

// Render writes d in format f.
func Render(d Doc, f Format) ([]byte, error) {
	switch f {
	case PDF:
		return renderPDF(d)
	case XLSX:
		return renderXLSX(d)
	case HTML:
		return renderHTML(d)
	}
	return nil, fmt.Errorf("render %s: unknown format %q", d.Kind, f)
}

// FileName is the document's file name for a project.
func FileName(projectName string, k Kind, f Format) string {
	return fmt.Sprintf("%s-%s.%s", projectName, k, f)
}

// tables lists d's tables in order, with unique sheet names (31 characters at most).
func (d Doc) tables() []*Table {
	var out []*Table
	seen := map[string]int{}
	for si := range d.Sections {
		for bi := range d.Sections[si].Blocks {
			t := d.Sections[si].Blocks[bi].Table
			if t == nil {
				continue
			}
			name := sheetName(t.Sheet)
			if n := seen[name]; n > 0 {
				name = sheetName(fmt.Sprintf("%s %d", name, n+1))
			}
			seen[name]++
			t.Sheet = name
			out = append(out, t)
		}
	}
	return out
}

func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet"
	}
	return s
}

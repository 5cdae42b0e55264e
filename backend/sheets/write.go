package sheets

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Sheet is a table to write: a name (the worksheet's), a header and rows of text.
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]string
	// Exact lists the columns written byte for byte, not neutralised: the passwords of a
	// provisioning file, which the console must get as they are ("-Spring2027" would
	// become "'-Spring2027", and the login fail). Such a file is written only when the
	// user asks for its passwords.
	Exact []int
}

// cell is column i's value c as written: neutralised unless the column is exact.
func (s Sheet) cell(i int, c string) string {
	for _, e := range s.Exact {
		if e == i {
			return c
		}
	}
	return Neutralize(c)
}

// Neutralize defuses a cell a spreadsheet program would run as a formula (OWASP "CSV
// injection"): text starting with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, which spreadsheet programs show as text and do not evaluate. A phone number
// in international form (+ then digits, spaces, dots, hyphens, parentheses) is left as
// it is: it calls no function and references no cell, and the consoles it goes to must
// get it intact. The import undoes the apostrophe, so exports read back unchanged.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '+':
		if phoneLike(s) {
			return s
		}
		return "'" + s
	case '=', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func phoneLike(s string) bool {
	if len(s) < 2 || s[0] != '+' || s[1] < '0' || s[1] > '9' {
		return false
	}
	for _, r := range s[1:] {
		if !(r >= '0' && r <= '9' || r == ' ' || r == '.' || r == '-' || r == '(' || r == ')') {
			return false
		}
	}
	return true
}

// CSVOptions shape a CSV file.
type CSVOptions struct {
	Comma    rune // default ','
	BOM      bool // UTF-8 byte order mark, so Excel reads accents right
	NoHeader bool
	CRLF     bool // line ends of RFC 4180
}

// CSV writes the sheet as CSV with every cell but the Exact columns' neutralised.
func (s Sheet) CSV(o CSVOptions) []byte {
	var buf bytes.Buffer
	if o.BOM {
		buf.WriteString("\ufeff")
	}
	w := csv.NewWriter(&buf)
	if o.Comma != 0 {
		w.Comma = o.Comma
	}
	w.UseCRLF = o.CRLF
	rec := make([]string, len(s.Header))
	if !o.NoHeader {
		_ = w.Write(s.Header)
	}
	for _, r := range s.Rows {
		rec = rec[:0]
		for i, c := range r {
			rec = append(rec, s.cell(i, c))
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

// XLSX writes the sheet as a workbook: every cell is a text cell (never a formula), and
// neutralised as in CSV, so that it stays harmless when re-saved as CSV; the header is
// bold and frozen.
func (s Sheet) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	name := s.Name
	if name == "" {
		name = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, fmt.Errorf("xlsx sheet name %q: %w", name, err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE5F0"}}})
	if err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	for i := range s.Header {
		if err := sw.SetColWidth(i+1, i+1, colWidth(s, i)); err != nil {
			return nil, err
		}
	}
	row := make([]any, len(s.Header))
	for i, h := range s.Header {
		row[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return nil, err
	}
	for n, r := range s.Rows {
		row = row[:0]
		for i, c := range r {
			row = append(row, excelize.Cell{StyleID: text, Value: s.cell(i, c)})
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, row); err != nil {
			return nil, fmt.Errorf("xlsx row %d: %w", n+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func colWidth(s Sheet, i int) float64 {
	w := len(s.Header[i]) + 2
	for n, r := range s.Rows {
		if n > 200 {
			break
		}
		if i < len(r) {
			w = max(w, len(r[i])+2)
		}
	}
	return float64(min(max(w, 10), 50))
}

// TemplateXLSX is our template of kind k: header row frozen, required columns marked
// with * and coloured, a comment on each header saying what goes there, drop-down lists
// (yes/no; the project's domains checked on addresses), text format on identifiers, and
// one example row.
func TemplateXLSX(k Kind, domains []string) ([]byte, error) {
	l := Template(k)
	f := excelize.NewFile()
	defer f.Close()
	name := strings.ToUpper(string(k[:1])) + string(k[1:])
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, err
	}
	reqStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFE7E7"}}})
	if err != nil {
		return nil, err
	}
	optStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE5F0"}}})
	if err != nil {
		return nil, err
	}
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, err
	}
	example := exampleRow(k, domains)
	const lastRow = 2000
	for i, c := range l.Columns {
		col := ColumnLetter(i)
		cell := col + "1"
		h, style := c.Header, optStyle
		if c.Required {
			h, style = c.Header+" *", reqStyle
		}
		if err := f.SetCellStr(name, cell, h); err != nil {
			return nil, err
		}
		if err := f.SetCellStyle(name, cell, cell, style); err != nil {
			return nil, err
		}
		note := c.Note
		if c.Field == FAddress && len(domains) > 0 && k != Contacts {
			note += " Project domains: " + strings.Join(domains, ", ") + "."
		}
		if err := f.AddComment(name, excelize.Comment{Cell: cell, Author: "Cutover", Text: note, Width: 260, Height: 110}); err != nil {
			return nil, err
		}
		if err := f.SetColWidth(name, col, col, float64(max(len(h)+4, 18))); err != nil {
			return nil, err
		}
		body := fmt.Sprintf("%s2:%s%d", col, col, lastRow)
		if err := f.SetCellStyle(name, col+"2", fmt.Sprintf("%s%d", col, lastRow), textStyle); err != nil {
			return nil, err
		}
		if len(c.List) > 0 {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = body
			if err := dv.SetDropList(c.List); err != nil {
				return nil, err
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "Choose "+strings.Join(c.List, " or ")+".")
			if err := f.AddDataValidation(name, dv); err != nil {
				return nil, err
			}
		}
		if c.Field == FAddress && len(domains) > 0 && k != Contacts {
			if err := addDomainValidation(f, name, col, body, domains); err != nil {
				return nil, err
			}
		}
		if err := f.SetCellStr(name, col+"2", example[c.Field]); err != nil {
			return nil, err
		}
	}
	if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := addDomainList(f, domains); err != nil {
		return nil, err
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// addDomainValidation warns (without refusing: the import warns too) when an address
// typed in col is not in one of the project's domains.
func addDomainValidation(f *excelize.File, sheet, col, sqref string, domains []string) error {
	var ors []string
	for _, d := range domains {
		at := "@" + strings.ToLower(d)
		ors = append(ors, fmt.Sprintf(`RIGHT(LOWER(%s2),%d)="%s"`, col, len([]rune(at)), at))
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = sqref
	dv.Type = "custom"
	dv.Formula1 = html.EscapeString("OR(" + strings.Join(ors, ",") + ")")
	dv.SetError(excelize.DataValidationErrorStyleWarning, "Outside the project's domains", "The address should end with @"+strings.Join(domains, " or @")+".")
	dv.SetInput("Address", "In "+strings.Join(domains, ", "))
	return f.AddDataValidation(sheet, dv)
}

// addDomainList puts the project's domains on a second sheet, the list the address
// drop-downs and people filling the sheet refer to.
func addDomainList(f *excelize.File, domains []string) error {
	if len(domains) == 0 {
		return nil
	}
	if _, err := f.NewSheet("Domains"); err != nil {
		return err
	}
	if err := f.SetCellStr("Domains", "A1", "Project domains"); err != nil {
		return err
	}
	for i, d := range domains {
		if err := f.SetCellStr("Domains", fmt.Sprintf("A%d", i+2), d); err != nil {
			return err
		}
	}
	return f.SetColWidth("Domains", "A", "A", 30)
}

// TemplateCSV is our template of kind k as CSV: header (required columns marked *) and
// the example row, UTF-8 with a byte order mark.
func TemplateCSV(k Kind, domains []string) []byte {
	l := Template(k)
	ex := exampleRow(k, domains)
	s := Sheet{}
	var row []string
	for _, c := range l.Columns {
		h := c.Header
		if c.Required {
			h += " *"
		}
		s.Header = append(s.Header, h)
		row = append(row, ex[c.Field])
	}
	s.Rows = [][]string{row}
	return s.CSV(CSVOptions{BOM: true, CRLF: true})
}

func exampleRow(k Kind, domains []string) map[string]string {
	d := "example.com"
	if len(domains) > 0 {
		d = domains[0]
	}
	switch k {
	case Users:
		return map[string]string{FAddress: "alice@" + d, FFirstName: "Alice", FLastName: "Martin", FDisplayName: "Alice Martin",
			FSourceLogin: "alice", FJobTitle: "Accountant", FDepartment: "Finance", FOfficePhone: "0123456789", FOrgUnit: "/", FMigrate: "yes",
			FAliases: "a.martin@" + d, FShared: "no"}
	case Groups:
		return map[string]string{FName: "Finance team", FAddress: "finance@" + d, FMembers: "alice@" + d + "; bob@" + d, FDescription: "Everyone in Finance"}
	case Contacts:
		return map[string]string{FDisplayName: "Jane Doe (Partner Ltd)", FAddress: "jane.doe@partner.example", FFirstName: "Jane", FLastName: "Doe", FCompany: "Partner Ltd", FPhone: "020 7946 0000"}
	}
	return nil
}

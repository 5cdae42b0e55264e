package sheets

import (
	"archive/zip"
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"cutover/backend/fault"
)

// Table is the non-empty rows of one sheet or CSV file, cells as text, in file order.
type Table struct {
	File      string `json:"file"`
	Sheet     string `json:"sheet,omitempty"` // xlsx only
	Format    string `json:"format"`          // "xlsx" or "csv"
	Encoding  string `json:"encoding,omitempty"`
	Delimiter string `json:"delimiter,omitempty"`
	Rows      []Row  `json:"-"`
}

// Row is one non-empty row: its number in the file (1-based, as a spreadsheet shows it)
// and its cells with surrounding spaces trimmed.
type Row struct {
	Num   int
	Cells []string
}

// Limits bound what a reader accepts, so a hostile or broken file costs a clear error
// rather than memory, disk or time.
type Limits struct {
	MaxBytes    int64 // size of the file as uploaded
	MaxRows     int   // non-empty rows
	MaxCells    int   // cells in one row
	MaxUnzipped int64 // an xlsx's total unpacked size (excelize UnzipSizeLimit)
	MaxXML      int64 // one worksheet or shared-strings part kept in memory (excelize UnzipXMLSizeLimit)
}

// DefaultLimits fit any real people list with room to spare.
var DefaultLimits = Limits{
	MaxBytes:    64 << 20,
	MaxRows:     200_000,
	MaxCells:    256,
	MaxUnzipped: 256 << 20,
	MaxXML:      64 << 20,
}

// FileError is a problem with a whole file rather than one cell: it cannot be read,
// it is empty, it has no such sheet. It has no field or column, so it is not a Problem
// (a row of an import's result); the faces show it as an input error naming the file.
type FileError struct {
	File     string `json:"file"`
	Sheet    string `json:"sheet,omitempty"`
	Row      int    `json:"row,omitempty"`
	Problem  string `json:"problem"`
	Expected string `json:"expected"`
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Sheet != "" {
		fmt.Fprintf(&b, ", sheet %q", e.Sheet)
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, ", row %d", e.Row)
	}
	fmt.Fprintf(&b, ": %s; expected %s", e.Problem, e.Expected)
	return b.String()
}

// InputError marks this as the user's bad input (the older marker, which callers still ask).
func (e *FileError) InputError() bool { return true }

// InputFields makes a FileError an Input error naming its file.
func (e *FileError) InputFields() []fault.Field {
	return []fault.Field{{Problem: e.Problem, Expected: e.Expected, Message: e.Error(), File: e.File, Sheet: e.Sheet, Row: e.Row}}
}

const expectSheet = "an .xlsx workbook or a .csv file (UTF-8, UTF-16 or Windows-1252; separated by commas, semicolons or tabs)"

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	pdfMagic = []byte("%PDF-")
)

// Read reads a spreadsheet from its bytes; name gives the file name for messages and,
// with its extension, a hint of the format (the content decides). sheet picks a
// worksheet of an xlsx by name; empty means the first one that is not empty.
func Read(name string, data []byte, sheet string, lim Limits) (Table, error) {
	name = filepath.Base(name)
	if name == "." || name == "/" || name == "" {
		name = "the file"
	}
	if int64(len(data)) > lim.MaxBytes {
		return Table{}, &FileError{File: name, Problem: fmt.Sprintf("the file is %s, over the %s limit", size(int64(len(data))), size(lim.MaxBytes)), Expected: "a smaller file (split it)"}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Table{}, &FileError{File: name, Problem: "the file is empty", Expected: "a header row and at least one row"}
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, oleMagic):
		return Table{}, &FileError{File: name, Problem: "the workbook is password-protected (encrypted) or an old binary .xls file",
			Expected: "an .xlsx saved without a password, or a .csv"}
	case bytes.HasPrefix(data, pdfMagic):
		// Short PDFs are mostly text: without this they would read as a CSV without a header.
		return Table{}, &FileError{File: name, Problem: "the file is a PDF document, not a spreadsheet", Expected: expectSheet}
	case bytes.HasPrefix(data, zipMagic) || bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return readXLSX(name, data, sheet, lim)
	case ext == ".xlsx" || ext == ".xlsm" || ext == ".xls" || ext == ".ods":
		return Table{}, &FileError{File: name, Problem: "the file is named " + ext + " but its content is not an xlsx workbook", Expected: expectSheet}
	}
	return readCSV(name, data, lim)
}

// checkZip looks at an xlsx's directory before excelize unpacks anything: a zip that is
// not a workbook, or that unpacks to far more than it weighs, is refused at once.
func checkZip(name string, data []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &FileError{File: name, Problem: "the file looks like a zip archive but cannot be opened (" + err.Error() + ")", Expected: expectSheet}
	}
	var total uint64
	var workbook, word bool
	for _, f := range zr.File {
		total += f.UncompressedSize64
		switch strings.ToLower(f.Name) {
		case "xl/workbook.xml":
			workbook = true
		case "word/document.xml", "ppt/presentation.xml":
			word = true
		}
	}
	if total > uint64(lim.MaxUnzipped) {
		return &FileError{File: name, Problem: fmt.Sprintf("the workbook unpacks to %s, over the %s limit (a zip bomb?)", size(int64(min(total, 1<<62))), size(lim.MaxUnzipped)),
			Expected: "an ordinary .xlsx workbook"}
	}
	if !workbook {
		what := "a zip archive without a workbook"
		if word {
			what = "a Word or PowerPoint document, not a workbook"
		}
		return &FileError{File: name, Problem: "the file is " + what, Expected: expectSheet}
	}
	return nil
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// addRow appends a row when any of its cells holds something.
func (t *Table) addRow(num int, cells []string, lim Limits) error {
	empty := true
	for i, c := range cells {
		c = unneutralize(strings.TrimSpace(c))
		cells[i] = c
		if c != "" {
			empty = false
		}
	}
	if empty {
		return nil
	}
	// Trailing empty cells are nothing: readers differ on whether they report them.
	for cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	if len(cells) > lim.MaxCells {
		return &FileError{File: t.File, Sheet: t.Sheet, Row: num, Problem: fmt.Sprintf("the row has %d cells, over the %d limit", len(cells), lim.MaxCells), Expected: "one record per row"}
	}
	if len(t.Rows) >= lim.MaxRows {
		return &FileError{File: t.File, Sheet: t.Sheet, Row: num, Problem: fmt.Sprintf("more than %d rows", lim.MaxRows), Expected: "a smaller file (split it)"}
	}
	t.Rows = append(t.Rows, Row{Num: num, Cells: cells})
	return nil
}

// unneutralize undoes Neutralize, so that a file Cutover exported imports back as it was.
func unneutralize(s string) string {
	if len(s) > 1 && s[0] == '\'' {
		switch s[1] {
		case '=', '+', '-', '@', '\t', '\r':
			return s[1:]
		}
	}
	return s
}

package sheets

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

func openXLSX(name string, data []byte, lim Limits) (*excelize.File, error) {
	if err := checkZip(name, data, lim); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    lim.MaxUnzipped,
		UnzipXMLSizeLimit: min(lim.MaxXML, lim.MaxUnzipped),
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return nil, &FileError{File: name, Problem: "the workbook cannot be read (" + err.Error() + ")", Expected: expectSheet}
	}
	return f, nil
}

func readXLSX(name string, data []byte, sheet string, lim Limits) (t Table, err error) {
	t = Table{File: name, Format: "xlsx"}
	// A malformed part may panic inside excelize; a broken file must be an error, not a crash.
	defer func() {
		if r := recover(); r != nil {
			err = &FileError{File: name, Sheet: t.Sheet, Problem: fmt.Sprintf("the workbook is damaged (%v)", r), Expected: expectSheet}
		}
	}()
	f, err := openXLSX(name, data, lim)
	if err != nil {
		return t, err
	}
	defer f.Close()
	fast := newFastReader(data, f, lim)
	list := f.GetSheetList()
	if len(list) == 0 {
		return t, &FileError{File: name, Problem: "the workbook has no worksheet", Expected: expectSheet}
	}
	if sheet != "" {
		found := ""
		for _, s := range list {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(sheet)) {
				found = s
				break
			}
		}
		if found == "" {
			return t, &FileError{File: name, Problem: fmt.Sprintf("no sheet named %q", sheet), Expected: "one of the sheets " + quoteList(list)}
		}
		t.Sheet = found
		return t, fast.read(&t)
	}
	for _, s := range list {
		t.Sheet, t.Rows = s, nil
		if err := fast.read(&t); err != nil {
			return t, err
		}
		if len(t.Rows) > 0 {
			return t, nil
		}
	}
	t.Sheet = list[0]
	return t, &FileError{File: name, Problem: "every sheet is empty", Expected: "a header row and at least one row"}
}

// fastReader streams a sheet's rows from its part (see xlsxrows.go), falling back to
// excelize's row iterator when the workbook's parts cannot be found that way.
type fastReader struct {
	f     *excelize.File
	lim   Limits
	parts zipParts
	paths map[string]string
	sst   []string
	fmts  []int
	ok    bool
}

func newFastReader(data []byte, f *excelize.File, lim Limits) *fastReader {
	r := &fastReader{f: f, lim: lim}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return r
	}
	r.parts = indexZip(zr)
	if r.paths, err = r.parts.sheetPaths(); err != nil {
		return r
	}
	if r.sst, err = r.parts.sharedStrings(lim.MaxXML, lim.MaxUnzipped); err != nil {
		return r
	}
	r.fmts = r.parts.numFmts()
	r.ok = true
	return r
}

func (r *fastReader) read(t *Table) error {
	p, ok := r.paths[t.Sheet]
	if !r.ok || !ok {
		return readSheet(r.f, t, r.lim)
	}
	rc, err := r.parts.open(p)
	if err != nil {
		return readSheet(r.f, t, r.lim)
	}
	defer rc.Close()
	format := func(ref string) (string, error) { return r.f.GetCellValue(t.Sheet, ref) }
	emit := func(num int, cells []string) error { return t.addRow(num, cells, r.lim) }
	src := io.LimitReader(rc, r.lim.MaxUnzipped)
	// A sheet that fits in memory is scanned there; one the scanner leaves alone, or too
	// big to hold, is streamed through encoding/xml.
	data, err := readUpTo(src, r.lim.MaxXML, r.parts.size(p))
	before := len(t.Rows)
	switch {
	case err == nil:
		err = walkRows(newXMLScanner(data), r.sst, r.fmts, format, emit)
		if !errors.Is(err, errSlowPath) {
			return r.sheetErr(t, err)
		}
		t.Rows = t.Rows[:before]
		err = streamRows(bytes.NewReader(data), r.sst, r.fmts, format, emit)
	case errors.Is(err, errTooBig):
		err = streamRows(io.MultiReader(bytes.NewReader(data), src), r.sst, r.fmts, format, emit)
	}
	return r.sheetErr(t, err)
}

// sheetErr says which sheet could not be read, unless err already locates the problem.
func (r *fastReader) sheetErr(t *Table, err error) error {
	var fe *FileError
	if err != nil && !errors.As(err, &fe) {
		return &FileError{File: t.File, Sheet: t.Sheet, Problem: "the sheet cannot be read (" + err.Error() + ")", Expected: expectSheet}
	}
	return err
}

// readSheet streams a worksheet's rows. Cells come as excelize shows them: the cached
// value of a formula, numbers through their number format (so an identifier formatted
// 0000 keeps its leading zeros; one typed as text stays text).
func readSheet(f *excelize.File, t *Table, lim Limits) error {
	rows, err := f.Rows(t.Sheet)
	if err != nil {
		return &FileError{File: t.File, Sheet: t.Sheet, Problem: "the sheet cannot be read (" + err.Error() + ")", Expected: expectSheet}
	}
	defer rows.Close()
	num := 0
	for rows.Next() {
		num++
		cells, err := rows.Columns()
		if err != nil {
			return &FileError{File: t.File, Sheet: t.Sheet, Row: num, Problem: "the row cannot be read (" + err.Error() + ")", Expected: expectSheet}
		}
		if err := t.addRow(num, cells, lim); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return &FileError{File: t.File, Sheet: t.Sheet, Problem: "the sheet cannot be read (" + err.Error() + ")", Expected: expectSheet}
	}
	return nil
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// ColumnLetter is a spreadsheet column name: 0 → A, 26 → AA.
func ColumnLetter(i int) string {
	s, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return fmt.Sprint(i + 1)
	}
	return s
}

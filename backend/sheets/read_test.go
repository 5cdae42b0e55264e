package sheets

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

const csvText = "Email address;Display name;Office phone\r\nzoe@acme.example;Zoë Müller-Éric;0612345678\r\n\r\n;;\r\nluc@acme.example;\"Luc; the boss\";+33 1 23\r\n"

func TestCSVEncodingsReadTheSameCells(t *testing.T) {
	utf16le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(csvText)
	utf16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(csvText)
	cp1252, err := charmap.Windows1252.NewEncoder().String(csvText)
	if err != nil {
		t.Fatal(err)
	}
	want := "1|Email address|Display name|Office phone\n2|zoe@acme.example|Zoë Müller-Éric|0612345678\n5|luc@acme.example|Luc; the boss|+33 1 23\n"
	for _, tc := range []struct {
		name, encoding string
		data           []byte
	}{
		{"utf8.csv", "UTF-8", []byte(csvText)},
		{"bom.csv", "UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, csvText...)},
		{"le.csv", "UTF-16LE", []byte(utf16le)},
		{"be.csv", "UTF-16BE", []byte(utf16be)},
		{"excel.csv", "Windows-1252", []byte(cp1252)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := Read(tc.name, tc.data, "", DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if tab.Encoding != tc.encoding || tab.Delimiter != ";" || tab.Format != "csv" {
				t.Errorf("encoding %q delimiter %q format %q", tab.Encoding, tab.Delimiter, tab.Format)
			}
			if got := cells(tab); got != want {
				t.Errorf("cells:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestCSVDelimiterDetected(t *testing.T) {
	for _, tc := range []struct{ text, delim string }{
		{"a,b,c\n1,2,3\n", ","},
		{"a;b;c\n1;\"2,5\";3\n", ";"},
		{"a\tb\tc\n1\t2,5\t3\n", "tab"},
		{"Name,Email\n\"Smith; John\",j@x.example\n", ","},
	} {
		tab, err := Read("x.csv", []byte(tc.text), "", DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if tab.Delimiter != tc.delim || len(tab.Rows) != 2 || len(tab.Rows[1].Cells) != len(tab.Rows[0].Cells) {
			t.Errorf("%q: delimiter %q, rows %q", tc.text, tab.Delimiter, cells(tab))
		}
	}
}

func TestXLSXHeaderBelowTitleFormulasAndLeadingZeros(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "Staff")
	f.NewSheet("Notes")
	f.SetCellStr("Staff", "A1", "Acme Ltd — staff list, March")
	f.SetCellStr("Staff", "A3", " EMAIL  Address ")
	f.SetCellStr("Staff", "B3", "Display name")
	f.SetCellStr("Staff", "C3", "Office phone")
	f.SetCellStr("Staff", "D3", "Mobile phone")
	f.SetCellStr("Staff", "A4", "alice@acme.example")
	f.SetCellStr("Staff", "B4", "Alice")
	// A phone typed as a number in a column formatted 0000000000 keeps its leading zero.
	zeros, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0000000000")})
	f.SetCellInt("Staff", "C4", 612345678)
	f.SetCellStyle("Staff", "C4", "C4", zeros)
	// A phone typed as text stays text.
	f.SetCellStr("Staff", "D4", "0698765432")
	// Row 5 and 6 empty; row 7 has a display name computed by a formula.
	f.SetCellStr("Staff", "A7", "bob@acme.example")
	f.SetCellFormula("Staff", "B7", `UPPER("bob")`)
	f.SetCellInt("Staff", "C7", 33123456789)
	f.SetCellStr("Notes", "A1", "not this one")
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	// Spreadsheet programs save a formula with its last computed value: add it as they do.
	data := patchZip(t, buf.Bytes(), "xl/worksheets/sheet1.xml", func(s string) string {
		return strings.Replace(s, `<f>UPPER(&#34;bob&#34;)</f>`, `<f>UPPER(&#34;bob&#34;)</f><v>BOB</v>`, 1)
	})
	tab, err := Read("staff.xlsx", data, "", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := "1|Acme Ltd — staff list, March\n3|EMAIL  Address|Display name|Office phone|Mobile phone\n4|alice@acme.example|Alice|0612345678|0698765432\n7|bob@acme.example|BOB|33123456789\n"
	if got := cells(tab); got != want || tab.Sheet != "Staff" {
		t.Fatalf("sheet %q cells:\n%s\nwant:\n%s", tab.Sheet, got, want)
	}
	m, err := Detect(Users, tab)
	if err != nil || m.HeaderRow != 3 || m.Layout.ID != LayoutCutover {
		t.Fatalf("detect: %+v %v", m, err)
	}
	// By name, case-insensitively; an unknown name lists the sheets.
	tab, err = Read("staff.xlsx", data, "notes", DefaultLimits)
	if err != nil || tab.Sheet != "Notes" || len(tab.Rows) != 1 {
		t.Fatalf("by name: %q %v", cells(tab), err)
	}
	_, err = Read("staff.xlsx", data, "People", DefaultLimits)
	if err == nil || err.Error() != `staff.xlsx: no sheet named "People"; expected one of the sheets "Staff", "Notes"` {
		t.Fatalf("unknown sheet: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestXLSXFirstNonEmptySheet(t *testing.T) {
	data := buildXLSX(t, xlsxSheet{name: "Cover"}, xlsxSheet{name: "Users", rows: [][]any{{"Email address"}, {"a@acme.example"}}})
	tab, err := Read("u.xlsx", data, "", DefaultLimits)
	if err != nil || tab.Sheet != "Users" || len(tab.Rows) != 2 {
		t.Fatalf("%q %q %v", tab.Sheet, cells(tab), err)
	}
	_, err = Read("e.xlsx", buildXLSX(t, xlsxSheet{name: "A"}, xlsxSheet{name: "B"}), "", DefaultLimits)
	if err == nil || err.Error() != `e.xlsx: every sheet is empty; expected a header row and at least one row` {
		t.Fatalf("empty workbook: %v", err)
	}
}

// rawZip builds a zip whose entries declare the sizes given, whatever they hold.
func rawZip(t *testing.T, name string, content []byte, declared uint64, extra ...string) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(content)
	fw.Close()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, e := range extra {
		w, _ := zw.Create(e)
		w.Write([]byte("<x/>"))
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(content),
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	return out.Bytes()
}

func TestBrokenFilesGetClearErrors(t *testing.T) {
	good := buildXLSX(t, xlsxSheet{name: "Users", rows: [][]any{{"Email address"}, {"a@acme.example"}}})
	zeros := make([]byte, 8<<20)
	small := Limits{MaxBytes: 1 << 20, MaxRows: 3, MaxCells: 5, MaxUnzipped: 1 << 20, MaxXML: 1 << 19}
	for _, tc := range []struct {
		name string
		data []byte
		lim  Limits
		want string
	}{
		{"bomb.xlsx", rawZip(t, "xl/worksheets/sheet1.xml", []byte("<x/>"), 10<<30, "xl/workbook.xml"), DefaultLimits,
			"bomb.xlsx: the workbook unpacks to 10.0 GiB, over the 256.0 MiB limit (a zip bomb?); expected an ordinary .xlsx workbook"},
		{"liar.xlsx", rawZip(t, "xl/worksheets/sheet1.xml", zeros, 1000, "xl/workbook.xml", "[Content_Types].xml"), DefaultLimits,
			"liar.xlsx: the workbook cannot be read"},
		{"big.xlsx", rawZip(t, "xl/worksheets/sheet1.xml", zeros, uint64(len(zeros)), "xl/workbook.xml"), Limits{MaxBytes: 1 << 20, MaxRows: 10, MaxCells: 10, MaxUnzipped: 4 << 20, MaxXML: 1 << 20},
			"big.xlsx: the workbook unpacks to 8.0 MiB, over the 4.0 MiB limit (a zip bomb?)"},
		{"protected.xlsx", append(append([]byte{}, oleMagic...), make([]byte, 4000)...), DefaultLimits,
			"protected.xlsx: the workbook is password-protected (encrypted) or an old binary .xls file; expected an .xlsx saved without a password, or a .csv"},
		{"report.docx.xlsx", rawZip(t, "word/document.xml", []byte("<w/>"), 4), DefaultLimits,
			"report.docx.xlsx: the file is a Word or PowerPoint document, not a workbook"},
		{"photo.png", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...), DefaultLimits,
			"photo.png: the file is not a spreadsheet or text (binary content)"},
		{"list.pdf", []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), DefaultLimits,
			"list.pdf: the file is a PDF document, not a spreadsheet; expected an .xlsx workbook or a .csv file"},
		{"notes.xlsx", []byte("just some text\n"), DefaultLimits,
			"notes.xlsx: the file is named .xlsx but its content is not an xlsx workbook"},
		{"cut.xlsx", good[:len(good)/2], DefaultLimits, "cut.xlsx: the file looks like a zip archive but cannot be opened"},
		{"empty.csv", []byte(" \r\n"), DefaultLimits, "empty.csv: the file is empty; expected a header row and at least one row"},
		{"rows.csv", []byte("a\n1\n2\n3\n"), small, "rows.csv, row 4: more than 3 rows; expected a smaller file (split it)"},
		{"wide.csv", []byte("a,b,c,d,e,f,g\n"), small, "wide.csv, row 1: the row has 7 cells, over the 5 limit"},
		{"huge.csv", make([]byte, 2<<20), small, "huge.csv: the file is 2.0 MiB, over the 1.0 MiB limit"},
		{"commas.csv", []byte("a,b\n1,2\n" + strings.Repeat(",", 5<<20) + "\n"), DefaultLimits, "commas.csv, row 3: the row has 5242881 cells, more than a spreadsheet holds; expected one record per row"},
		{"quote.csv", []byte("a,b\n\"x,y\n"), DefaultLimits, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := Read(tc.name, tc.data, "", tc.lim)
			if tc.want == "" {
				return // must only not crash or hang
			}
			var fe *FileError
			if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v (%T), want prefix %q", err, err, tc.want)
			}
			if !fe.InputError() {
				t.Fatal("not an input error")
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s: a broken file must be refused quickly", d)
			}
		})
	}
}

func TestNeutralizeAndBack(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1+cmd": "'+1+cmd", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "\t=x": "'\t=x",
		"+33 6 11 22 33 44": "+33 6 11 22 33 44", "+1 (555) 010-9999": "+1 (555) 010-9999", "+": "'+",
		"alice": "alice", "": "", "'=x": "'=x", "a=b": "a=b",
	} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
		if got := unneutralize(Neutralize(in)); in != "" && in[0] != '\'' && got != in {
			t.Errorf("unneutralize(Neutralize(%q)) = %q", in, got)
		}
	}
}

// The streaming row reader must read every workbook exactly as excelize's own iterator does.
func TestStreamingReaderMatchesExcelize(t *testing.T) {
	f := excelize.NewFile()
	f.SetCellStr("Sheet1", "A1", "Title & <notes>")
	f.SetCellStr("Sheet1", "C3", "Email address")
	f.SetCellValue("Sheet1", "D3", 3.25)
	f.SetCellValue("Sheet1", "E3", true)
	f.SetCellValue("Sheet1", "F3", 0.1+0.2)
	f.SetCellValue("Sheet1", "G3", time.Date(2027, 5, 14, 0, 0, 0, 0, time.UTC))
	f.SetCellValue("Sheet1", "H3", int64(123456789012))
	f.SetCellRichText("Sheet1", "B5", []excelize.RichTextRun{{Text: "Zoë "}, {Text: "Müller", Font: &excelize.Font{Bold: true}}})
	f.SetCellStr("Sheet1", "AB7", "far right")
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	f.SetCellValue("Sheet1", "A8", 0.25)
	f.SetCellStyle("Sheet1", "A8", "A8", pct)
	f.SetCellFormula("Sheet1", "B8", "1+1")
	buf, _ := f.WriteToBuffer()
	f.Close()
	inline := func() []byte {
		g := excelize.NewFile()
		defer g.Close()
		sw, _ := g.NewStreamWriter("Sheet1")
		sw.SetRow("A1", []any{"Email address", "n", "flag"})
		sw.SetRow("A2", []any{"a@acme.example", 42, false})
		sw.SetRow("A4", []any{"x&y <z>", 1.5})
		sw.Flush()
		b, _ := g.WriteToBuffer()
		return b.Bytes()
	}()
	tmpl, err := TemplateXLSX(Users, []string{"acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"cells.xlsx": buf.Bytes(), "inline.xlsx": inline, "template.xlsx": tmpl} {
		fast, err := Read(name, data, "", DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		x, _ := openXLSX(name, data, DefaultLimits)
		slow := Table{File: name, Sheet: fast.Sheet}
		if err := readSheet(x, &slow, DefaultLimits); err != nil {
			t.Fatal(err)
		}
		x.Close()
		if cells(fast) != cells(slow) {
			t.Errorf("%s: streaming reader:\n%s\nexcelize:\n%s", name, cells(fast), cells(slow))
		}
	}
}

func TestMillionsOfEmptyElementsAreRefused(t *testing.T) {
	base := buildXLSX(t, xlsxSheet{name: "Users", rows: [][]any{{"Email address"}, {"a@acme.example"}}})
	bomb := patchZip(t, base, "xl/worksheets/sheet1.xml", func(s string) string {
		i, j := strings.Index(s, "<sheetData>"), strings.Index(s, "</sheetData>")
		return s[:i+len("<sheetData>")] + strings.Repeat(`<row><c r="XFD1" s="0"/></row>`, maxRowElements+1) + s[j:]
	})
	_, err := Read("rows.xlsx", bomb, "", DefaultLimits)
	if err == nil || err.Error() != `rows.xlsx, sheet "Users": the sheet cannot be read (more than 1048576 rows, the most a worksheet holds); expected `+expectSheet {
		t.Fatalf("got %v", err)
	}
}

// The parts spreadsheet programs write are read by the in-memory scanner, not handed to
// encoding/xml (which would make a 50,000-row import several times slower).
func TestScannerReadsWorkbookPartsItself(t *testing.T) {
	tmpl, err := TemplateXLSX(Users, []string{"acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	shared := buildXLSX(t, xlsxSheet{name: "Users", rows: [][]any{{"Email address", "Office phone"}, {"zoë&co@acme.example", 612345678}, {"a <b>", "x\r\ny"}}})
	for name, data := range map[string][]byte{"template.xlsx": tmpl, "shared.xlsx": shared} {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			if !strings.HasPrefix(f.Name, "xl/worksheets/sheet") && f.Name != "xl/sharedStrings.xml" {
				continue
			}
			rc, _ := f.Open()
			part, _ := io.ReadAll(rc)
			rc.Close()
			s := newXMLScanner(part)
			for {
				_, _, err := s.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s %s: %v", name, f.Name, err)
				}
			}
		}
	}
}

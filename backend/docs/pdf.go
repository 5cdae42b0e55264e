package docs

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
)

// DejaVu Sans (Bitstream Vera licence, fonts/LICENSE) is embedded so that every name
// prints as typed, accents and umlauts included, whatever the machine has installed.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const (
	pageW, margin = 210.0, 16.0
	bodyW         = pageW - 2*margin
	lineH         = 5.0
	family        = "DejaVu"
)

// renderPDF writes an A4 PDF: header, sections, wrapped tables that repeat their header
// row on a new page, numbered pages, and the attachments inside.
func renderPDF(d Doc) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin)
	f.AddUTF8FontFromBytes(family, "", fontRegular)
	f.AddUTF8FontFromBytes(family, "B", fontBold)
	f.SetTitle(d.Title, true)
	f.SetCreator("Cutover", true)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont(family, "", 8)
		f.SetTextColor(110, 110, 120)
		f.CellFormat(0, 4, fmt.Sprintf("%s — %d/{nb}", d.Title, f.PageNo()), "", 0, "C", false, 0, "")
	})
	f.AddPage()
	f.SetFont(family, "B", 18)
	f.MultiCell(bodyW, 8, d.Title, "", "L", false)
	f.SetFont(family, "", 11)
	f.SetTextColor(80, 85, 100)
	f.MultiCell(bodyW, 6, d.Subtitle, "", "L", false)
	f.Ln(2)
	f.SetFont(family, "", 9)
	keyW := 45.0 // as wide as the longest label ("Votre spécialiste de la migration")
	for _, m := range d.Meta {
		keyW = max(keyW, min(f.GetStringWidth(m.Label)+4, bodyW/2))
	}
	for _, m := range d.Meta {
		f.SetTextColor(90, 95, 110)
		f.CellFormat(keyW, lineH, m.Label, "", 0, "L", false, 0, "")
		f.SetTextColor(20, 25, 35)
		f.MultiCell(bodyW-keyW, lineH, m.Value, "", "L", false)
	}
	for _, s := range d.Sections {
		if f.GetY() > 250 {
			f.AddPage()
		}
		f.Ln(4)
		f.SetFont(family, "B", 12)
		f.SetTextColor(20, 25, 35)
		f.MultiCell(bodyW, 7, s.Heading, "B", "L", false)
		f.Ln(1)
		for _, b := range s.Blocks {
			pdfBlock(f, b)
		}
	}
	var as []fpdf.Attachment
	for _, a := range d.Attachments {
		as = append(as, fpdf.Attachment{Content: a.Data, Filename: a.Name})
	}
	f.SetAttachments(as)
	var out bytes.Buffer
	if err := f.Output(&out); err != nil {
		return nil, fmt.Errorf("write PDF %s: %w", d.Kind, err)
	}
	return out.Bytes(), nil
}

func pdfBlock(f *fpdf.Fpdf, b Block) {
	f.SetFont(family, "", 10)
	f.SetTextColor(20, 25, 35)
	switch {
	case b.Text != "":
		f.MultiCell(bodyW, lineH, b.Text, "", "L", false)
		f.Ln(1)
	case b.Items != nil:
		for _, it := range b.Items {
			f.CellFormat(5, lineH, "•", "", 0, "L", false, 0, "")
			f.MultiCell(bodyW-5, lineH, it, "", "L", false)
		}
		f.Ln(1)
	case b.Code != "":
		f.SetFillColor(245, 246, 248)
		f.MultiCell(bodyW, lineH+1, b.Code, "1", "L", true)
		f.Ln(2)
	case b.Table != nil && len(b.Table.Rows) > 0: // an empty table is said in the text before it
		pdfTable(f, b.Table)
	}
}

// columnWidths shares the body's width among t's columns: each gets at least its longest
// word (a word is never cut, "En cours" never becomes "En cour / s"), and what is left
// goes to the columns whose text wants more room, in proportion to what they want.
func columnWidths(f *fpdf.Fpdf, t *Table) []float64 {
	n := len(t.Columns)
	least, want := make([]float64, n), make([]float64, n)
	words := func(i int, s string) {
		for _, w := range strings.Fields(s) {
			least[i] = max(least[i], min(f.GetStringWidth(w)+3, 45))
		}
		want[i] = max(want[i], min(f.GetStringWidth(s)+3, 70))
	}
	for i := range n {
		f.SetFont(family, "B", 8.5)
		words(i, t.Columns[i])
		f.SetFont(family, "", 8.5)
		for _, r := range t.Rows {
			if i < len(r) {
				words(i, r[i])
			}
		}
		least[i] = max(least[i], 12)
		want[i] = max(want[i], least[i])
	}
	sum := func(v []float64) (s float64) {
		for _, x := range v {
			s += x
		}
		return s
	}
	widths := make([]float64, n)
	switch sl, sw := sum(least), sum(want); {
	case sw <= bodyW: // everything fits on one line: spread it
		for i := range widths {
			widths[i] = want[i] * bodyW / sw
		}
	case sl >= bodyW: // even the words do not fit: shrink them alike
		for i := range widths {
			widths[i] = least[i] * bodyW / sl
		}
	default:
		for i := range widths {
			widths[i] = least[i] + (want[i]-least[i])*(bodyW-sl)/(sw-sl)
		}
	}
	return widths
}

// pdfTable draws t with columns as wide as their content asks, within the page.
func pdfTable(f *fpdf.Fpdf, t *Table) {
	n := len(t.Columns)
	if n == 0 {
		return
	}
	f.SetFont(family, "", 8.5)
	widths := columnWidths(f, t)
	var row func(cells []string, header bool)
	row = func(cells []string, header bool) {
		style := ""
		if header {
			style = "B"
		}
		f.SetFont(family, style, 8.5)
		lines := make([][]string, n)
		h := 1
		for i := range n {
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			lines[i] = f.SplitText(v, widths[i]-2)
			h = max(h, len(lines[i]))
		}
		height := float64(h)*4.2 + 1.5
		_, pageH := f.GetPageSize()
		need := height
		if header {
			need *= 2 // never a header alone at the foot of a page
		}
		if f.GetY()+need > pageH-margin-4 {
			f.AddPage()
			if !header {
				row(t.Columns, true) // the header again on the new page
				f.SetFont(family, "", 8.5)
			}
		}
		x, y := f.GetXY()
		for i := range n {
			if header {
				f.SetFillColor(238, 241, 246)
			}
			f.Rect(x, y, widths[i], height, map[bool]string{true: "FD", false: "D"}[header])
			for j, l := range lines[i] {
				f.Text(x+1, y+3.6+float64(j)*4.2, l)
			}
			x += widths[i]
		}
		f.SetXY(margin, y+height)
	}
	f.SetDrawColor(200, 204, 214)
	row(t.Columns, true)
	for _, r := range t.Rows {
		row(r, false)
	}
	f.Ln(2)
}

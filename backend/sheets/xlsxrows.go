package sheets

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// The worksheet's rows are streamed straight from its part with encoding/xml's RawToken
// (ECMA-376 Part 1 §18.3.1: sheetData, row, c, v, is), which is several times faster on
// big sheets than decoding every cell into a struct. excelize still opens the workbook
// (with its unzip limits) and formats the few numeric cells whose style carries a number
// format (dates, zero-padded identifiers).

// zipParts indexes a zip's entries by lower-case name (part names are case-insensitive,
// ECMA-376 Part 2 §6.2.2.3).
type zipParts map[string]*zip.File

func indexZip(zr *zip.Reader) zipParts {
	m := make(zipParts, len(zr.File))
	for _, f := range zr.File {
		m[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	return m
}

func (z zipParts) open(name string) (io.ReadCloser, error) {
	f, ok := z[strings.ToLower(strings.TrimPrefix(name, "/"))]
	if !ok {
		return nil, fmt.Errorf("part %s is missing", name)
	}
	return f.Open()
}

// size is the unpacked size a part declares (a hint only: zips can lie), 0 when missing.
func (z zipParts) size(name string) int64 {
	if f, ok := z[strings.ToLower(strings.TrimPrefix(name, "/"))]; ok {
		return int64(min(f.UncompressedSize64, 1<<40))
	}
	return 0
}

func (z zipParts) decode(name string, v any) error {
	rc, err := z.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("part %s: %w", name, err)
	}
	return nil
}

// sheetPaths maps each sheet name to its worksheet part, through the workbook's
// relationships (Part 1 §18.2.19, Part 2 §9.3).
func (z zipParts) sheetPaths() (map[string]string, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := z.decode("xl/workbook.xml", &wb); err != nil {
		return nil, err
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := z.decode("xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, s := range wb.Sheets {
		for _, r := range rels.Rel {
			if r.ID != s.RID {
				continue
			}
			p := r.Target
			if strings.HasPrefix(p, "/") {
				p = strings.TrimPrefix(p, "/")
			} else {
				p = path.Join("xl", p)
			}
			out[s.Name] = p
		}
	}
	return out, nil
}

// sharedStrings reads the shared-string table (§18.4.9): each si's text runs joined,
// phonetic runs (rPh) left out. A table up to maxXML bytes is scanned in memory.
func (z zipParts) sharedStrings(maxXML, limit int64) ([]string, error) {
	rc, err := z.open("xl/sharedStrings.xml")
	if err != nil {
		return nil, nil // a workbook without text has none
	}
	defer rc.Close()
	var r io.Reader = io.LimitReader(rc, limit)
	data, err := readUpTo(r, maxXML, z.size("xl/sharedStrings.xml"))
	if err == nil {
		sst, err := readSharedStrings(newXMLScanner(data))
		if !errors.Is(err, errSlowPath) {
			return sst, err
		}
		r = bytes.NewReader(data)
	} else if !errors.Is(err, errTooBig) {
		return nil, fmt.Errorf("shared strings: %w", err)
	} else {
		r = io.MultiReader(bytes.NewReader(data), r)
	}
	return readSharedStrings(newStdTokens(r))
}

// errTooBig: a part is larger than the readers keep in memory.
var errTooBig = errors.New("part too big to hold in memory")

// readUpTo reads r to its end when that is at most max bytes; otherwise it returns what
// it read with errTooBig, for the rest to be streamed. hint is the size r declares.
func readUpTo(r io.Reader, max, hint int64) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(int(min(max, hint)) + 512)
	n, err := b.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return b.Bytes(), err
	}
	if n > max {
		return b.Bytes(), errTooBig
	}
	return b.Bytes(), nil
}

func readSharedStrings(tr tokenReader) ([]string, error) {
	var out []string
	var b strings.Builder
	inSI, inT, inRPh := false, false, 0
	for {
		kind, name, err := tr.next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			if errors.Is(err, errSlowPath) {
				return nil, err
			}
			return nil, fmt.Errorf("shared strings: %w", err)
		}
		switch kind {
		case tokStart:
			switch name {
			case "si":
				inSI = true
				b.Reset()
			case "t":
				inT = inSI && inRPh == 0
			case "rPh":
				inRPh++
			}
		case tokText:
			if inT {
				b.Write(tr.text())
			}
		case tokEnd:
			switch name {
			case "si":
				inSI = false
				out = append(out, b.String())
			case "t":
				inT = false
			case "rPh":
				inRPh--
			}
		}
	}
}

// numFmts lists each cell style's number format id (cellXfs, §18.8.10).
func (z zipParts) numFmts() []int {
	var st struct {
		Xf []struct {
			NumFmtID int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := z.decode("xl/styles.xml", &st); err != nil {
		return nil
	}
	out := make([]int, len(st.Xf))
	for i, x := range st.Xf {
		out[i] = x.NumFmtID
	}
	return out
}

// cellFormatter gives the displayed value of a cell whose number format needs applying.
type cellFormatter func(ref string) (string, error)

// streamRows calls emit with each row's number and cells, in file order.
func streamRows(r io.Reader, sst []string, fmts []int, format cellFormatter, emit func(num int, cells []string) error) error {
	return walkRows(newStdTokens(r), sst, fmts, format, emit)
}

// walkRows calls emit with each row's number and cells, in file order.
func walkRows(tr tokenReader, sst []string, fmts []int, format cellFormatter, emit func(num int, cells []string) error) error {
	var (
		cells           []string
		rowNum, col     int
		typ, ref, style string
		inV, inIS, inT  bool
		inRPh           int
		text            strings.Builder
		rowsSeen        int
		cellsSeen       int
	)
	for {
		kind, name, err := tr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch kind {
		case tokStart:
			switch name {
			case "row":
				if rowsSeen++; rowsSeen > maxRowElements {
					return fmt.Errorf("more than %d rows, the most a worksheet holds", maxRowElements)
				}
				rowNum++
				if n, err := strconv.Atoi(tr.attr("r")); err == nil && n > 0 {
					rowNum = n
				}
				cells = nil
			case "c":
				typ, ref, style = tr.attr("t"), tr.attr("r"), tr.attr("s")
				col = len(cells)
				if ref != "" {
					if c, ok := refColumn(ref); ok {
						col = c
					}
				}
				text.Reset()
			case "v":
				inV = true
			case "is":
				inIS = true
			case "t":
				inT = inIS && inRPh == 0
			case "rPh":
				inRPh++
			}
		case tokText:
			if inV || inT {
				text.Write(tr.text())
			}
		case tokEnd:
			switch name {
			case "v":
				inV = false
			case "t":
				inT = false
			case "is":
				inIS = false
			case "rPh":
				inRPh--
			case "c":
				if cellsSeen++; cellsSeen > maxCellElements {
					return fmt.Errorf("more than %d cells", maxCellElements)
				}
				v, err := cellValue(typ, text.String(), style, ref, sst, fmts, format)
				if err != nil {
					return fmt.Errorf("cell %s: %w", ref, err)
				}
				if col >= maxColumns {
					return fmt.Errorf("cell %s: column out of range", ref)
				}
				if v == "" {
					break // empty cells (styled ones, far to the right) take no room
				}
				for len(cells) < col {
					cells = append(cells, "")
				}
				if col < len(cells) {
					cells[col] = v
				} else {
					cells = append(cells, v)
				}
			case "row":
				if err := emit(rowNum, cells); err != nil {
					return err
				}
				cells = nil
			}
		}
	}
}

// Bounds of a worksheet (XFD, row 1048576) and of the cells read from one, so that a
// small zip of millions of empty elements costs seconds at most, never minutes.
const (
	maxColumns      = 16384
	maxRowElements  = 1 << 20
	maxCellElements = 20_000_000
)

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// refColumn reads the column of a reference such as "AB12" (0-based).
func refColumn(ref string) (int, bool) {
	c := 0
	i := 0
	for ; i < len(ref); i++ {
		ch := ref[i]
		switch {
		case ch >= 'A' && ch <= 'Z':
			c = c*26 + int(ch-'A'+1)
		case ch >= 'a' && ch <= 'z':
			c = c*26 + int(ch-'a'+1)
		default:
			if i == 0 {
				return 0, false
			}
			return c - 1, c <= maxColumns
		}
		if c > maxColumns {
			return 0, false
		}
	}
	return 0, false
}

// cellValue is a cell as a spreadsheet shows it (§18.18.11 cell types).
func cellValue(typ, raw, style, ref string, sst []string, fmts []int, format cellFormatter) (string, error) {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || i < 0 || i >= len(sst) {
			return "", fmt.Errorf("shared string %q does not exist", raw)
		}
		return sst[i], nil
	case "inlineStr", "str", "e":
		return raw, nil
	case "b":
		if strings.TrimSpace(raw) == "1" {
			return "TRUE", nil
		}
		return "FALSE", nil
	}
	// A number (or an ISO date, t="d"): the style's number format decides how it shows.
	if raw == "" {
		return "", nil
	}
	if s, err := strconv.Atoi(style); err == nil && s > 0 && s < len(fmts) && fmts[s] != 0 || typ == "d" {
		if format != nil && ref != "" {
			return format(ref)
		}
	}
	return generalNumber(raw), nil
}

// generalNumber shows a number as the General format does: integers in full, other
// values with at most 15 significant digits.
func generalNumber(raw string) string {
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw
	}
	if f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	s := strconv.FormatFloat(f, 'G', 15, 64)
	if strings.Contains(s, "E") {
		return s
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

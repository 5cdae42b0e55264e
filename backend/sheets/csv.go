package sheets

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// decodeText turns a CSV file's bytes into UTF-8: a byte order mark says UTF-8 or
// UTF-16 (LE or BE); without one, valid UTF-8 is taken as is and anything else is read
// as Windows-1252, what Excel on Windows writes for "CSV" in Western locales.
func decodeText(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return string(data[3:]), "UTF-8 with BOM", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		return string(b), "UTF-16LE", err
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		b, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		return string(b), "UTF-16BE", err
	case utf8.Valid(data):
		return string(data), "UTF-8", nil
	}
	b, err := charmap.Windows1252.NewDecoder().Bytes(data)
	return string(b), "Windows-1252", err
}

// looksBinary reports text that no spreadsheet program writes as CSV: NUL bytes or many
// control characters.
func looksBinary(s string) bool {
	if len(s) > 8192 {
		s = s[:8192]
	}
	ctl := 0
	for _, r := range s {
		switch {
		case r == 0:
			return true
		case r == utf8.RuneError:
			ctl++
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f':
			ctl++
		}
	}
	return ctl > 8 && ctl*20 > len(s)
}

// detectDelimiter picks ',', ';' or tab: the one found the same number of times (and at
// least once) on the most of the first lines, counting outside quotes; ties go to the one
// seen most often.
func detectDelimiter(s string) rune {
	cands := []rune{',', ';', '\t'}
	lines := firstLines(s, 20)
	best, bestScore, bestTotal := ',', -1, -1
	for _, d := range cands {
		counts := map[int]int{}
		total := 0
		for _, l := range lines {
			n := countOutsideQuotes(l, d)
			total += n
			if n > 0 {
				counts[n]++
			}
		}
		score := 0
		for _, c := range counts {
			score = max(score, c)
		}
		if score > bestScore || (score == bestScore && total > bestTotal) {
			best, bestScore, bestTotal = d, score, total
		}
	}
	return best
}

func firstLines(s string, n int) []string {
	var out []string
	for len(out) < n && s != "" {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		if strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out
}

func countOutsideQuotes(line string, d rune) int {
	n, quoted := 0, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case r == d && !quoted:
			n++
		}
	}
	return n
}

func readCSV(name string, data []byte, lim Limits) (Table, error) {
	t := Table{File: name, Format: "csv"}
	text, enc, err := decodeText(data)
	if err != nil {
		return t, &FileError{File: name, Problem: "the text cannot be decoded as " + enc + " (" + err.Error() + ")", Expected: expectSheet}
	}
	if looksBinary(text) {
		return t, &FileError{File: name, Problem: "the file is not a spreadsheet or text (binary content)", Expected: expectSheet}
	}
	t.Encoding = enc
	d := detectDelimiter(text)
	t.Delimiter = map[rune]string{',': ",", ';': ";", '\t': "tab"}[d]
	if n, line := widestRecord(text, d); n > maxColumns {
		return t, &FileError{File: name, Row: line, Problem: fmt.Sprintf("the row has %d cells, more than a spreadsheet holds", n), Expected: "one record per row"}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = d
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return t, &FileError{File: name, Row: pe.StartLine, Problem: pe.Err.Error(), Expected: "well-formed CSV (quotes closed, RFC 4180)"}
			}
			return t, &FileError{File: name, Problem: err.Error(), Expected: expectSheet}
		}
		if err := t.addRow(line, rec, lim); err != nil {
			return t, err
		}
	}
	return t, nil
}

// widestRecord counts the fields of the widest record (quotes followed across lines as
// RFC 4180 has them), before the CSV reader allocates one string per field: a line of
// millions of separators must be an error, not gigabytes.
func widestRecord(text string, d rune) (widest, line int) {
	n, ln, start, quoted := 1, 1, 1, false
	for _, r := range text {
		switch {
		case r == '"':
			quoted = !quoted
		case r == d && !quoted:
			n++
		case r == '\n':
			ln++
			if !quoted {
				if n > widest {
					widest, line = n, start
				}
				n, start = 1, ln
			}
		}
	}
	if n > widest {
		widest, line = n, start
	}
	return widest, line
}

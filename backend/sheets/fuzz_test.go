package sheets

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fuzzLimits keep each fuzz input cheap.
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxRows: 2000, MaxCells: 64, MaxUnzipped: 8 << 20, MaxXML: 1 << 20}

// parseAll runs every kind over a table: nothing may panic, every problem must be located.
func parseAll(t *testing.T, tab Table) {
	for _, k := range []Kind{Users, Groups, Contacts} {
		res, err := Parse(k, tab, acme())
		if err != nil {
			continue
		}
		for _, p := range res.Problems {
			if p.File == "" || p.Message == "" {
				t.Fatalf("problem without file or message: %+v", p)
			}
		}
		if res.Added+res.Updated+res.Unchanged+res.Skipped > len(res.Rows) {
			t.Fatalf("more records (%d+%d+%d+%d) than rows (%d)", res.Added, res.Updated, res.Unchanged, res.Skipped, len(res.Rows))
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(csvText))
	f.Add([]byte("Email address,First name\nalice@acme.example,Alice\n"))
	f.Add([]byte("host1;user1;password1;host2;user2;password2\nh;u;p;h2;u2@acme.example;p2\n"))
	f.Add([]byte("Group name,Group address,Members\nSales,sales@acme.example,\"a@acme.example;b@acme.example\"\n"))
	f.Add([]byte("\xff\xfeE\x00,\x00\n\x00"))
	f.Add([]byte("a,\"b\nc\",d\n\"\"\"\n"))
	f.Add([]byte("Email address,Aliases,Shared mailbox\ninfo@acme.example,\"a@acme.example; b@acme.example,c@@x\",yes\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Read("fuzz.csv", data, "", fuzzLimits)
		if err != nil {
			if _, ok := err.(*FileError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if len(tab.Rows) > fuzzLimits.MaxRows {
			t.Fatalf("%d rows over the limit", len(tab.Rows))
		}
		parseAll(t, tab)
	})
}

func FuzzReadXLSX(f *testing.F) {
	f.Add(buildXLSX(f, xlsxSheet{name: "Users", rows: [][]any{{"Title"}, {}, {"Email address", "Migrate mailbox"}, {"alice@acme.example", "yes"}, {"bob", 12}}}))
	f.Add(buildXLSX(f, xlsxSheet{name: "Empty"}, xlsxSheet{name: "Groups", rows: [][]any{{"Group name", "Group address", "Members"}, {"S", "s@acme.example", "a@acme.example"}}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tab Table
		var err error
		done := make(chan struct{})
		go func() { tab, err = Read("fuzz.xlsx", data, "", fuzzLimits); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("reading a %d-byte input takes over 5s", len(data))
		}
		if err != nil {
			if _, ok := err.(*FileError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		parseAll(t, tab)
	})
}

// FuzzSheetXML feeds worksheet XML straight to the row and shared-string readers, past
// the zip layer that makes most mutations of a whole workbook fail early, and checks that
// the in-memory scanner reads it as encoding/xml does.
func FuzzSheetXML(f *testing.F) {
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><r><t>a&amp;b</t></r><rPh><t>x</t></rPh></is></c></row>` +
		`<row><c t="b"><v>1</v></c><c s="1"><v>0.30000000000000004</v></c><c r="XFD2" t="str"><f>A1</f><v>z</v></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="3"><x:c r="B3"><x:v>12</x:v></x:c></x:row></x:sheetData></x:worksheet>`))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<worksheet><!-- x --><sheetData><row r='2' spans=\"1:2\"><c r=\"A2\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> a&#x20AC;&#65;\r\nb </t></is></c>" +
		"<c r=\"B2\" t=\"str\"><v>x&lt;y</v></c></row><row/><row r=\"4\"><c r=\"C4\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>"))
	f.Add([]byte(`<worksheet><sheetData><row><c><v><![CDATA[1]]></v></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<sst count="2"><si><t>Email</t></si><si><r><t>Zo</t></r><r><rPr><b/></rPr><t>&#235;</t></r><rPh sb="0" eb="1"><t>x</t></rPh></si></sst>`))
	sst := []string{"Email address"}
	read := func(t *testing.T, tr tokenReader) (string, error) {
		var b strings.Builder
		rows := 0
		err := walkRows(tr, sst, []int{0, 10}, nil, func(num int, cells []string) error {
			rows++
			if len(cells) > maxColumns {
				t.Fatalf("row %d has %d cells", num, len(cells))
			}
			if rows > 100000 {
				return errors.New("too many rows")
			}
			fmt.Fprintf(&b, "%d:%q\n", num, cells)
			return nil
		})
		return b.String(), err
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		slow, slowErr := read(t, newStdTokens(bytes.NewReader(data)))
		// The in-memory scanner reads whatever it does not hand over exactly as encoding/xml.
		fast, fastErr := read(t, newXMLScanner(data))
		if errors.Is(fastErr, errSlowPath) {
			return
		}
		if fast != slow || (fastErr == nil) != (slowErr == nil) {
			t.Fatalf("scanner: %s(%v)\nencoding/xml: %s(%v)", fast, fastErr, slow, slowErr)
		}
		// The same bytes as a shared-strings table.
		sstSlow, slowErr := readSharedStrings(newStdTokens(bytes.NewReader(data)))
		sstFast, fastErr := readSharedStrings(newXMLScanner(data))
		if !errors.Is(fastErr, errSlowPath) && (fmt.Sprintf("%q", sstFast) != fmt.Sprintf("%q", sstSlow) || (fastErr == nil) != (slowErr == nil)) {
			t.Fatalf("shared strings: scanner %q (%v), encoding/xml %q (%v)", sstFast, fastErr, sstSlow, slowErr)
		}
	})
}

// FuzzProxyAliases: Microsoft 365's "Proxy addresses" cell is outside input; every alias
// read is text of the cell, without its smtp: prefix.
func FuzzProxyAliases(f *testing.F) {
	f.Add("SMTP:alice@acme.example+smtp:a.martin@acme.example+X500:/o=Exchange")
	f.Add("smtp:first+tag@acme.example;smtp:+smtp:")
	f.Fuzz(func(t *testing.T, s string) {
		for _, a := range ProxyAliases(s) {
			if !strings.Contains(s, "smtp:"+a) {
				t.Fatalf("alias %q is not in %q", a, s)
			}
		}
	})
}

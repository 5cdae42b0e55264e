// Package docstest reads the customer pack's PDFs back for tests with Poppler's tools
// (Debian poppler-utils): the text as pdftotext extracts it, and the attached files.
package docstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// poppler writes pdf to a file and runs tool with args, the file's path in place of
// "{}"; without poppler-utils the test is skipped, or fails when CUTOVER_REQUIRE_SERVERS
// says every tool was installed.
func poppler(t testing.TB, pdf []byte, tool string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CUTOVER_REQUIRE_SERVERS") != "" {
			t.Fatalf("%s is missing: apt-get install poppler-utils (scripts/test.sh does)", tool)
		}
		t.Skipf("%s (poppler-utils) is not installed", tool)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, a := range args {
		if a == "{}" {
			args[i] = path
		}
	}
	cmd := exec.Command(tool, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, stderr.String())
	}
	return string(out)
}

// PDFText is the text of pdf, its runs of white space made one space so that a value
// pdftotext broke across lines reads whole.
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	text := poppler(t, pdf, "pdftotext", "-enc", "UTF-8", "{}", "-")
	return strings.Join(strings.Fields(text), " ")
}

// PDFAttachments is pdfdetach's list of the files attached to pdf.
func PDFAttachments(t testing.TB, pdf []byte) string {
	t.Helper()
	return poppler(t, pdf, "pdfdetach", "-list", "{}")
}

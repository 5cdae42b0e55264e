package main

import (
	"bufio"
	"strings"
	"testing"

	"cutover/bench/internal/corpus"
)

func TestReadLineSkipsLiterals(t *testing.T) {
	r := bufio.NewReader(strings.NewReader("* LIST () \"/\" {5}\r\na b c\r\na1 OK [APPENDUID 7 9] done\r\n"))
	l1, err := readLine(r)
	if err != nil || !strings.HasPrefix(l1, "* LIST") || !strings.HasSuffix(l1, "\r\n") {
		t.Fatalf("first line %q, %v", l1, err)
	}
	l2, err := readLine(r)
	if err != nil || l2 != "a1 OK [APPENDUID 7 9] done\r\n" {
		t.Fatalf("second line %q, %v", l2, err)
	}
	if _, err := readTagged(bufio.NewReader(strings.NewReader("* x\r\nl NO [AUTHENTICATIONFAILED] bad\r\n")), "l"); err == nil || !strings.Contains(err.Error(), "AUTHENTICATIONFAILED") {
		t.Errorf("readTagged error %v", err)
	}
}

func TestQuote(t *testing.T) {
	if got := quote(`a"b\c`); got != `"a\"b\\c"` {
		t.Errorf("got %s", got)
	}
}

func TestRunsAreWholeFoldersLargestFirstWithEveryMessageOnce(t *testing.T) {
	var msgs []*corpus.Message
	corpus.Generate(corpus.Options{Messages: 2000, Seed: 3}, func(m *corpus.Message) error { msgs = append(msgs, m); return nil })
	seen := map[int]bool{}
	folders := map[int]bool{}
	last := -1
	for _, c := range runs(msgs) {
		if len(c) == 0 || folders[c[0].Folder] {
			t.Fatalf("empty run, or folder %d in two runs", c[0].Folder)
		}
		folders[c[0].Folder] = true
		size := 0
		for _, m := range c {
			if m.Folder != c[0].Folder {
				t.Fatal("a run mixes folders")
			}
			if seen[m.Index] {
				t.Fatalf("message %d twice", m.Index)
			}
			seen[m.Index] = true
			size += len(m.Body)
		}
		if last >= 0 && size > last {
			t.Errorf("a run of %d bytes after one of %d: want the largest first", size, last)
		}
		last = size
	}
	if len(seen) != len(msgs) {
		t.Errorf("%d of %d messages in runs", len(seen), len(msgs))
	}
}

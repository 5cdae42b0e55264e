#!/usr/bin/env bash
# Short fuzz runs of every parser of outside input (scripts/test.sh runs this when it is
# executable). FUZZTIME overrides the budget per target (default 10000x: a count of inputs, not
# a duration — a timed run can end with a spurious "context deadline exceeded" when its time
# runs out under load, seen twice on a busy machine). One line per target:
# add yours below. Minimising is off: on an xlsx it would eat the whole budget.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-10000x}
fuzz() { echo "fuzz $1 $2 ($t)"; go test -run '^$' -fuzz "^$2\$" -fuzztime "$t" -fuzzminimizetime 0s -parallel 2 "$1"; }

fuzz ./backend/sheets FuzzReadCSV
fuzz ./backend/sheets FuzzReadXLSX
fuzz ./backend/sheets FuzzSheetXML
fuzz ./backend/dnscheck FuzzParseServer
fuzz ./backend/dnscheck FuzzParseRecord
fuzz ./backend/dnscheck FuzzAnswerOf
fuzz ./backend/mailbox FuzzHeaderField
fuzz ./backend/mailbox FuzzParseTagged
fuzz ./backend/mailbox FuzzEncodeMUTF7
fuzz ./backend/pim FuzzSplitFiles
fuzz ./backend/mailbox FuzzMapFoldersNeverMerges

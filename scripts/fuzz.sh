#!/usr/bin/env bash
# Short fuzz runs of every parser of outside input (scripts/test.sh runs this when it is
# executable). FUZZTIME overrides the time per target (default 10s). One line per target:
# add yours below. Minimising is off: on an xlsx it would eat the whole budget.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-10s}
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
fuzz ./backend/mailbox FuzzMapFoldersNeverMerges

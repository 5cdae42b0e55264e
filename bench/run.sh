#!/usr/bin/env bash
# Copy benchmark: Cutover against mbsync (and imapsync when IMAPSYNC=/path/to/imapsync is
# set) and the destination's own ceiling, on two private Dovecot servers on loopback.
#
#   bench/run.sh [--messages N] [--seed S] [--rounds R] [--tools cutover,mbsync,imapsync,ceiling]
#                [--cutover-b /path/to/other/cutover]   # also time another build, same rounds
#                [--no-pin]     # do not give the destination Dovecot CPUs of its own
#                [--rtt 40ms]   # a proxy adds this round trip between every tool and each server
#                [--mailboxes 50]  # many-mailbox run: 50 mailboxes of --messages each (cutover migrate,
#                                  # mbsync one by one and xargs -P4, ceiling loader 4 at a time)
#                [--cutover-args "--concurrency 8"] [--proxy-trace FILE]
#
# Installs what it needs (Debian packages), builds Cutover and the bench programs, then runs
# bench/cmd/bench, which prints the table and writes bench/out/latest.json and latest.txt.
# More options (-timeout, -keep, -server-dir...): build/bench/bench -h; --keep and the ones above pass through.
source "$(dirname "$0")/../scripts/lib.sh"

args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --messages|--seed|--rounds|--tools|--out|--timeout|--server-dir|--cutover|--cutover-b|--rtt|--cutover-args|--proxy-trace|--mailboxes)
      [ $# -ge 2 ] || { echo "bench/run.sh: $1 needs a value" >&2; exit 2; }
      args+=("-${1#--}" "$2"); shift 2 ;;
    --messages=*|--seed=*|--rounds=*|--tools=*|--out=*|--timeout=*|--server-dir=*|--cutover=*|--cutover-b=*|--rtt=*|--cutover-args=*|--proxy-trace=*|--mailboxes=*)
      args+=("-${1#--}"); shift ;;
    --keep) args+=(-keep); shift ;;
    --no-pin) args+=(-no-pin); shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

command -v go >/dev/null || { echo "Go 1.26 or newer is needed: https://go.dev/doc/install" >&2; exit 1; }
pkgs=(dovecot-imapd isync)
if [ -n "${IMAPSYNC:-}" ]; then
  [ -f "$IMAPSYNC" ] || { echo "IMAPSYNC=$IMAPSYNC: no such file" >&2; exit 2; }
  # The modules imapsync 1.678 loads with `use` (Digest::HMAC_SHA1, File::Copy::Recursive,
  # IO::Tee, Mail::IMAPClient >= 3.30, Term::ReadKey, Unicode::String; the rest is core Perl).
  # It loads the others (IO::Socket::SSL, Authen::NTLM, URI::Escape, JSON::WebToken...) only
  # for SSL/TLS, NTLM or OAuth logins, which the bench does not use.
  pkgs+=(perl libdigest-hmac-perl libfile-copy-recursive-perl libio-tee-perl libmail-imapclient-perl
    libterm-readkey-perl libunicode-string-perl)
fi
apt_install "${pkgs[@]}"

say "building cutover (CLI, no desktop window) and the bench programs"
# The binary embeds frontend/dist; the copy command does not need the built frontend.
go build -o build/bin/cutover-web .
mkdir -p build/bench
go build -o build/bench/ ./bench/cmd/bench ./bench/cmd/ceiling ./bench/cmd/corpus ./backend/internal/testsrv/cmd/dovecot-pair

say "running the benchmark"
exec build/bench/bench "${args[@]}"

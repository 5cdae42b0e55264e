#!/usr/bin/env bash
# Sets up and runs every test of Cutover: formatting and vet, the Go tests (Dovecot, NSD and Knot
# servers on loopback included), short fuzz runs, the browser tests in headless Chromium,
# the desktop window under Xvfb, and the Windows cross-build.
source "$(dirname "$0")/lib.sh"
need_toolchains
apt_install "${DESKTOP_PKGS[@]}" xvfb xauth x11-utils imagemagick chromium dovecot-imapd nsd knot isync poppler-utils radicale dbus-daemon
build_frontend
mkdir -p build/test

passed=0
failed=0
result() { if [ "$1" -eq 0 ]; then passed=$((passed + $2)); else failed=$((failed + ${3:-1})); fi; }

say "gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt wants to change: $unformatted"; failed=$((failed + 1)); else passed=$((passed + 1)); fi
go vet ./... && passed=$((passed + 1)) || failed=$((failed + 1))

say "Go tests"
export CUTOVER_REQUIRE_SERVERS=1 # Dovecot and NSD were installed above: a test never skips for want of them
set +e
go test -count=1 -timeout 25m -json ./... > build/test/go-test.jsonl
gocode=$?
node scripts/gotest-summary.mjs build/test/go-test.jsonl > build/test/go-test.summary
sumcode=$?
set -e
cat build/test/go-test.summary
read -r gopass gofail < <(tail -1 build/test/go-test.summary | sed -E 's/^go: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
passed=$((passed + gopass)); failed=$((failed + gofail))
if [ $gocode -ne 0 ] && [ "$gofail" -eq 0 ]; then echo "go test exited $gocode (build failure?)"; failed=$((failed + 1)); fi
[ $sumcode -eq 0 ] || true

if [ -x scripts/fuzz.sh ]; then
  say "short fuzz runs"
  if scripts/fuzz.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi

say "browser tests (headless Chromium)"
go build -o build/bin/cutover-web .
set +e
(cd frontend && node --test --test-concurrency=1 --test-reporter=spec e2e/) 2>&1 | tee build/test/e2e.log
set -e
e2epass=$(grep -E '^ℹ pass [0-9]+' build/test/e2e.log | awk '{print $3}' | tail -1)
e2efail=$(grep -E '^ℹ fail [0-9]+' build/test/e2e.log | awk '{print $3}' | tail -1)
passed=$((passed + ${e2epass:-0})); failed=$((failed + ${e2efail:-1}))

say "desktop window under Xvfb"
build_desktop
if scripts/desktop-check.sh build/bin/cutover build/test/desktop.png; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

say "Windows cross-build"
if GOOS=windows GOARCH=amd64 go build -tags desktop,production -ldflags "-w -s -H windowsgui" -o build/bin/cutover.exe . && file build/bin/cutover.exe | grep -q "PE32+ executable"; then
  echo "build/bin/cutover.exe: $(du -h build/bin/cutover.exe | cut -f1)"; passed=$((passed + 1))
else
  echo "Windows cross-build failed"; failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Starts the desktop build under Xvfb on the demo, takes a screenshot of the screen and
# checks that the window shows the app (not a blank or black screen).
# Usage: scripts/desktop-check.sh BINARY OUT.png
set -euo pipefail
bin=$1 out=$2
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
export CUTOVER_DB="$tmp/desktop.db"
xvfb-run -a -s '-screen 0 1280x900x24' bash -c "
  '$bin' --db '$tmp/desktop.db' demo > '$tmp/log' 2>&1 &
  app=\$!
  for i in \$(seq 1 30); do
    sleep 1
    if ! kill -0 \$app 2>/dev/null; then echo 'the desktop app exited early:'; cat '$tmp/log'; exit 1; fi
    if [ \$i -ge 6 ]; then
      import -window root '$out' 2>/dev/null || continue
      colors=\$(convert '$out' -format '%k' info:)
      if [ \"\$colors\" -gt 200 ] && xwininfo -root -tree | grep -q '\"Cutover\"'; then
        echo \"window 'Cutover' drawn: \$colors colours in $out\"; kill \$app; exit 0
      fi
    fi
  done
  echo 'the window stayed blank (colours: '\"\${colors:-0}\"')'; cat '$tmp/log'; kill \$app; exit 1
" &
pid=$!
wait $pid

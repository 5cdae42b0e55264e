#!/usr/bin/env bash
# Starts the desktop build under Xvfb on the demo, takes a screenshot of the screen and
# checks that the window shows the app (not a blank or black screen) and that bad input
# is named next to its field in the window as in the browser: the window runs
# scripts/window-check.js (CUTOVER_WINDOW_CHECK), which calls the binding with a bad
# time zone, checks the error envelope, fills the project form with it and reports the
# field hint in the window's title ("Cutover check: ok ..."), read here with xwininfo.
# Usage: scripts/desktop-check.sh BINARY OUT.png
set -euo pipefail
bin=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
export CUTOVER_DB="$tmp/desktop.db"
export CUTOVER_WINDOW_CHECK="$here/window-check.js"
xvfb-run -a -s '-screen 0 1280x900x24' bash -c "
  '$bin' --db '$tmp/desktop.db' demo > '$tmp/log' 2>&1 &
  app=\$!
  for i in \$(seq 1 40); do
    sleep 1
    if ! kill -0 \$app 2>/dev/null; then echo 'the desktop app exited early:'; cat '$tmp/log'; exit 1; fi
    title=\$(xwininfo -root -tree | grep -o '\"Cutover check: [^\"]*\"' || true)
    case \"\$title\" in
    *'check: FAIL'*) import -window root '$out' 2>/dev/null || true; echo \"window check failed: \$title (screenshot $out)\"; cat '$tmp/log'; kill \$app; exit 1 ;;
    *'check: ok'*)
      import -window root '$out'
      colors=\$(convert '$out' -format '%k' info:)
      if [ \"\$colors\" -gt 200 ]; then
        echo \"window drawn (\$colors colours in $out); field hint shown in the window: \$title\"; kill \$app; exit 0
      fi
      echo \"the window stayed blank (colours: \$colors)\"; cat '$tmp/log'; kill \$app; exit 1 ;;
    esac
  done
  import -window root '$out' 2>/dev/null || true
  echo 'the window check did not report in 40 s (title: '\"\$(xwininfo -root -tree | grep -o '\"Cutover[^\"]*\"' || echo none)\"'; screenshot $out)'; cat '$tmp/log'; kill \$app; exit 1
" &
pid=$!
wait $pid

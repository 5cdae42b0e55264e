#!/usr/bin/env bash
# Sets up and runs the Cutover demo: a sample customer project, no real server needed.
# Opens the desktop window when there is a display, else serves the app to a browser and
# prints its URL. Extra arguments go to `cutover demo` (e.g. --web, --open).
source "$(dirname "$0")/lib.sh"
need_toolchains
apt_install "${DESKTOP_PKGS[@]}"
build_frontend
build_desktop
say "starting the demo (Ctrl-C to stop)"
exec build/bin/cutover demo "$@"

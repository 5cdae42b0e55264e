# Shared by scripts/demo.sh and scripts/test.sh: install what Cutover needs on Debian/Ubuntu
# and build it. Source it; do not run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\n== %s\n' "$*" >&2; }

# apt_install PKG...: installs the Debian packages that are missing (root or sudo).
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # Debian's server packages start their system service on install; our tests run their own
  # instances on loopback ports, so a refused or failed service start is fine.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Packages to build and run the desktop window (Debian 12 ships webkit2gtk 4.1).
DESKTOP_PKGS=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev)

need_toolchains() {
  command -v go >/dev/null || { echo "Go 1.26 or newer is needed: https://go.dev/doc/install" >&2; exit 1; }
  command -v npm >/dev/null || { echo "Node.js 20.19 or newer with npm is needed" >&2; exit 1; }
}

build_frontend() {
  say "building the frontend (TypeScript + Vite)"
  # `npm ci` refuses a lockfile without every platform's optional packages (the registry here
  # serves only this platform's), so install from the lockfile with `npm install --no-save`.
  (cd frontend && npm install --no-save --no-audit --no-fund --loglevel=error && npm run build)
}

# The desktop build: Wails needs the desktop and production tags, and webkit2_41 on Debian 12.
build_desktop() {
  say "building build/bin/cutover (desktop window, web app and CLI)"
  go build -tags desktop,production,webkit2_41 -ldflags "-w -s" -o build/bin/cutover .
}

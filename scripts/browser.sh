#!/usr/bin/env bash
# Decides how the headless browser for the report test is installed: Debian's own `chromium` package,
# with apt-get only when it is missing (idempotent, like scripts/mailstack.sh install).
# Must never download a browser build of its own, start anything, or let apt remove a package.
set -Eeuo pipefail

PACKAGES=(chromium)
LOG=${BROWSER_APT_LOG:-/tmp/sportello-browser-apt.log}

log() { printf 'browser: %s\n' "$*" >&2; }
die() { printf 'browser: error: %s\nbrowser: fix: %s\n' "$1" "$2" >&2; exit 1; }

usage() {
  cat <<USAGE
Usage: bash scripts/browser.sh install|path

  install   install Debian's chromium package if missing (apt-get; root)
  path      print the browser's path; exit 3 when it is not installed
USAGE
}

install_packages() {
  local p missing=() sim
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "chromium is installed ($(/usr/bin/chromium --version 2>/dev/null || echo '?'))"; return 0; fi
  command -v apt-get >/dev/null || die "${missing[*]} is missing and apt-get is not available" "install it by hand"
  [ "$(id -u)" = 0 ] || die "installing ${missing[*]} needs root" "run: sudo bash scripts/browser.sh install"
  log "installing ${missing[*]} (apt-get update + install, log: $LOG)"
  : >"$LOG"
  DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update </dev/null >>"$LOG" 2>&1 \
    || { tail -n 20 "$LOG" >&2; die "apt-get update failed" "check access to the Debian mirror"; }
  sim=$(apt-get -s -q install --no-install-recommends "${missing[@]}" </dev/null 2>&1) \
    || { printf '%s\n' "$sim" | tail -n 20 >&2; die "apt-get cannot resolve ${missing[*]}" "this script targets Debian 12 (bookworm), main component"; }
  if grep -q '^Remv ' <<<"$sim"; then
    grep '^Remv ' <<<"$sim" >&2
    die "installing ${missing[*]} would remove the packages listed above; refusing" "install chromium yourself"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends "${missing[@]}" \
    </dev/null >>"$LOG" 2>&1 || { tail -n 30 "$LOG" >&2; die "apt-get install ${missing[*]} failed" "read $LOG"; }
  log "installed ${missing[*]} ($(/usr/bin/chromium --version 2>/dev/null || echo '?'))"
}

case "${1:-}" in
  install) install_packages ;;
  path) if [ -x /usr/bin/chromium ]; then echo /usr/bin/chromium; else exit 3; fi ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac

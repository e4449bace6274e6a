# Shared by scripts/mailstack.sh and scripts/pgstack.sh (sourced, never run): how a private test
# daemon script reports failures and installs Debian packages. Trusts apt-get's dry run for removals.
# Must never prompt, read the caller's stdin, let a package's maintainer scripts start a system daemon,
# or let apt remove a package unless the caller's *_ALLOW_REMOVALS=1 says so.
# The sourcing script sets STACK_NAME (log prefix) and LOG_DIR (where apt.log goes) first.

log() { printf '%s: %s\n' "$STACK_NAME" "$*" >&2; }
# die CAUSE [FIX]: every failure names what went wrong and what to do about it.
die() {
  log "error: $1"
  [ $# -lt 2 ] || log "fix: $2"
  exit 1
}
now_ms() { date +%s%3N; }
# set -e alone exits silently; name the command that failed so a CI log is actionable.
trap 'rc=$?; log "error: \"$BASH_COMMAND\" failed (exit $rc) at line $LINENO; see $LOG_DIR"' ERR

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

POLICY_RC=/usr/sbin/policy-rc.d
CREATED_POLICY=0
drop_policy() { [ $CREATED_POLICY = 0 ] || rm -f "$POLICY_RC"; CREATED_POLICY=0; }

# apt_q ARGS...: apt-get that can never prompt, never read the caller's stdin and never hand the
# flock fd (9) to a maintainer script; output goes to apt.log, not to the caller's pipes.
apt_q() {
  DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" \
    9>&- </dev/null >>"$LOG_DIR/apt.log" 2>&1
}

# apt_install ALLOW_VAR PKG...: apt-get update, then install PKG... without recommends, refusing
# when the dry run removes anything (unless $ALLOW_VAR is 1), with service starts forbidden
# (policy-rc.d 101) so the packages' own system daemons stay stopped.
apt_install() {
  local allow_var=$1 sim; shift
  command -v apt-get >/dev/null || die "packages $* are missing and apt-get is not available" "install them by hand: $*"
  log "installing $* (apt-get update + install, log: $LOG_DIR/apt.log)"
  : >"$LOG_DIR/apt.log"
  # A fresh CI image has empty package lists, so always refresh them first.
  apt_q update || { tail -n 20 "$LOG_DIR/apt.log" >&2
    die "apt-get update failed" "check network access to the Debian mirror and /etc/apt/sources.list*"; }
  sim=$(apt-get -s -q install --no-install-recommends "$@" </dev/null 2>&1) \
    || { printf '%s\n' "$sim" | tail -n 20 >&2
         die "apt-get cannot resolve $*" "this script targets Debian 12 (bookworm) with the main component enabled"; }
  if grep -q '^Remv ' <<<"$sim" && [ "${!allow_var:-0}" != 1 ]; then
    grep '^Remv ' <<<"$sim" >&2
    die "installing $* would remove the packages listed above; refusing" \
      "install the packages yourself, or set $allow_var=1 if those removals are acceptable"
  fi
  if [ ! -e "$POLICY_RC" ]; then
    printf '#!/bin/sh\n# temporary, written by scripts/%s.sh during apt-get install\nexit 101\n' "$STACK_NAME" >"$POLICY_RC"
    chmod 755 "$POLICY_RC"; CREATED_POLICY=1
  fi
  trap drop_policy EXIT
  if ! apt_q install --no-install-recommends "$@"; then
    drop_policy; tail -n 30 "$LOG_DIR/apt.log" >&2
    die "apt-get install $* failed" "read $LOG_DIR/apt.log; another apt/dpkg run may hold the lock"
  fi
  drop_policy
  log "installed $*"
}

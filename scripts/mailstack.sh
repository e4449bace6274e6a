#!/usr/bin/env bash
# Decides how Sportello's private test mail stack (Postfix 3.7 + Dovecot 2.3 LMTP/IMAP/Sieve) is
# installed, configured, started and stopped. Trusts only its own pid files and $MAILSTACK_DIR.
# Must never listen beyond 127.0.0.1, relay off the machine, touch the system MTA config, or remove packages.
set -Eeuo pipefail
umask 022

MS_DIR=${MAILSTACK_DIR:-/tmp/mailstack}
IMAP_PORT=${MAILSTACK_IMAP_PORT:-1143}
SMTP_PORT=${MAILSTACK_SMTP_PORT:-2525}
PASSWORD=${MAILSTACK_PASSWORD:-secret}
MAX_USERIP_CONN=${MAILSTACK_MAX_USERIP_CONNECTIONS:-100}
DOMAIN=example.test
USERS=(it hr alice carlo bob maria dora enzo fiona gael hana ivo)
PACKAGES=(dovecot-core dovecot-imapd dovecot-lmtpd dovecot-sieve postfix)
MAIL_OWNER=mail   # existing Debian system user (uid 8) that owns the maildirs

DC_DIR=$MS_DIR/dovecot
DC_CONF=$DC_DIR/dovecot.conf
DC_RUN=$DC_DIR/run
DC_PID=$DC_RUN/master.pid
LMTP_SOCK=$DC_RUN/lmtp
PF_DIR=$MS_DIR/postfix
PF_SPOOL=$MS_DIR/postfix-spool   # must not be inside $PF_DIR (postfix wants that tree root-owned)
PF_DATA=$MS_DIR/postfix-data
PF_PID=$PF_SPOOL/pid/master.pid
MAIL_ROOT=$MS_DIR/mail
LOG_DIR=$MS_DIR/log
DOVECOT_EXE=/usr/sbin/dovecot
PF_MASTER_EXE=/usr/lib/postfix/sbin/master

usage() {
  cat <<EOF
Usage: bash scripts/mailstack.sh COMMAND [ARGS]

A private, loopback-only Postfix + Dovecot for Sportello's integration tests, demo and CI.
Debian 12, run as root. All state lives in \$MAILSTACK_DIR ($MS_DIR).

Commands:
  up                     install the Debian packages if missing, write configs, start both daemons
                         (idempotent; reloads a daemon whose config changed)
  install                only install the Debian packages if missing (apt-get; starts nothing)
  down                   stop the two daemons this script started (by pid file) and their children
  reset [ADDRESS...]     empty all mailboxes (or only ADDRESS...), drop the Postfix queue and the
                         vacation history; vacation on/off itself is kept
  status                 daemons, queue size, INBOX counts, vacation flags; exit 0 if up, 3 if not
  vacation on ADDRESS [--subject S] [--message M] [--seconds N | --days N]
                         RFC 3834 auto-responder (Sieve vacation, default: answers every message)
  vacation off ADDRESS
  env                    KEY=VALUE lines describing the stack (also written to \$MAILSTACK_DIR/stack.env)
  logs [N]               last N lines (default 40) of the Dovecot and Postfix logs

Stack:  SMTP 127.0.0.1:$SMTP_PORT (no auth, no TLS, only @$DOMAIN), IMAP 127.0.0.1:$IMAP_PORT (no TLS)
Users:  ${USERS[*]/%/@$DOMAIN}
        password "$PASSWORD"; log in with the full address

Environment: MAILSTACK_DIR MAILSTACK_IMAP_PORT MAILSTACK_SMTP_PORT MAILSTACK_PASSWORD
             MAILSTACK_MAX_USERIP_CONNECTIONS MAILSTACK_ALLOW_REMOVALS=1 (let apt remove packages)
EOF
}

STACK_NAME=mailstack
# log, die, now_ms, the ERR trap, port_open, apt_install
# shellcheck source=lib/stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"

check_env() {
  [ "$(id -u)" = 0 ] \
    || die "must run as root: the Postfix and Dovecot masters and apt-get need it" "run it as root, e.g. sudo bash $0 up"
  case $MS_DIR in /*) ;; *) die "MAILSTACK_DIR is not an absolute path: $MS_DIR" "export MAILSTACK_DIR=/tmp/mailstack" ;; esac
  case $MS_DIR in *[[:space:]]* | *[\'\"\\\$\`]*)
    die "MAILSTACK_DIR contains spaces or quotes: $MS_DIR" "use a plain path such as /tmp/mailstack" ;; esac
  # unix socket paths (sun_path) are limited to 107 bytes; dovecot puts sockets under $DC_RUN
  [ ${#MS_DIR} -le 60 ] || die "MAILSTACK_DIR is longer than 60 characters: $MS_DIR" "use a shorter path"
  [[ $IMAP_PORT =~ ^[0-9]+$ && $SMTP_PORT =~ ^[0-9]+$ ]] \
    || die "ports must be numeric (IMAP=$IMAP_PORT SMTP=$SMTP_PORT)" "fix MAILSTACK_IMAP_PORT / MAILSTACK_SMTP_PORT"
  local c
  for c in flock awk cmp mktemp dpkg-query; do
    command -v "$c" >/dev/null || die "required command '$c' is missing" "this script needs Debian 12 (util-linux, mawk, diffutils, coreutils, dpkg)"
  done
  id -u "$MAIL_OWNER" >/dev/null 2>&1 \
    || die "system user '$MAIL_OWNER' does not exist (it owns the maildirs)" "this script needs Debian's base-passwd users"
}

user_home() { printf '%s/%s/%s' "$MAIL_ROOT" "$DOMAIN" "$1"; }
local_part() {
  local a=${1,,}
  case $a in *@"$DOMAIN") a=${a%@*} ;; *@*) die "not an address in $DOMAIN: $1" "use one of: ${USERS[*]/%/@$DOMAIN}" ;; esac
  local u; for u in "${USERS[@]}"; do [ "$u" = "$a" ] && { printf '%s' "$a"; return; }; done
  die "unknown mailbox: $1" "use one of: ${USERS[*]/%/@$DOMAIN}"
}

# ---------------------------------------------------------------- processes
# pid_of PIDFILE EXE: print the pid if the file names a live process running EXE.
pid_of() {
  local f=$1 exe=$2 pid
  [ -r "$f" ] || return 1
  read -r pid < "$f" 2>/dev/null || return 1
  pid=${pid//[!0-9]/}
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] || return 1
  printf '%s' "$pid"
}

# tree_pids PID: the pid and all its descendants (from /proc, no procps needed).
tree_pids() {
  local root=$1 f line
  for f in /proc/[0-9]*/stat; do
    { read -r line < "$f"; } 2>/dev/null && printf '%s\n' "$line"
  done | awk -v root="$root" '
    { pid = $1; s = $0; sub(/.*\) /, "", s); split(s, a, " "); kids[a[2]] = kids[a[2]] " " pid }
    END { q[1] = root; n = 1; i = 1
          while (i <= n) { p = q[i++]; print p; c = split(kids[p], k, " ")
                           for (j = 1; j <= c; j++) q[++n] = k[j] } }'
}

# alive_any PID...: true while any of them exists and is not a zombie
alive_any() {
  local p st
  for p in "$@"; do
    st=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    st=${st##*) }; [ "${st%% *}" != Z ] && return 0
  done
  return 1
}

# stop_tree NAME PIDFILE EXE [CMD...]: graceful stop (CMD, or SIGTERM to the pid in PIDFILE), wait
# for the master and every process it had spawned to exit, then TERM/KILL leftovers by pid.
stop_tree() {
  local name=$1 pidfile=$2 exe=$3; shift 3
  local pid pids i
  if ! pid=$(pid_of "$pidfile" "$exe"); then
    rm -f "$pidfile"; log "$name: not running"; return 0
  fi
  mapfile -t pids < <(tree_pids "$pid")
  if [ $# -gt 0 ]; then "$@" </dev/null >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  else kill -TERM "$pid" 2>/dev/null || true; fi
  for ((i = 0; i < 200; i++)); do alive_any "${pids[@]}" || break; sleep 0.05; done
  if alive_any "${pids[@]}"; then
    log "$name: still running after 10s, sending TERM/KILL to ${pids[*]}"
    kill -TERM "${pids[@]}" 2>/dev/null || true; sleep 1
    kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  log "$name: stopped (pid $pid)"
}

# wait_banner PORT PREFIX: wait up to 15s until the server on PORT greets with PREFIX.
wait_banner() {
  local port=$1 prefix=$2 i line
  for ((i = 0; i < 300; i++)); do
    # subshell: a failed "exec 3<>/dev/tcp/..." would terminate a non-interactive bash
    line=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1; IFS= read -r -t 3 l <&3; printf '%s' "$l") 2>/dev/null) || true
    [[ $line == "$prefix"* ]] && return 0
    sleep 0.05
  done
  return 1
}

# ---------------------------------------------------------------- packages
install_packages() {
  local p missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  # "No configuration": the postfix package must not write a system /etc/postfix/main.cf.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  # The dry run inside refuses removals: an installed exim4 conflicts with postfix, and purging an
  # MTA takes every package that depends on mail-transport-agent with it. policy-rc.d keeps the
  # maintainer scripts from starting the system-wide dovecot (143/993) and postfix (25).
  apt_install MAILSTACK_ALLOW_REMOVALS "${missing[@]}"
}

# ---------------------------------------------------------------- configuration
CHANGED_DOVECOT=0
CHANGED_POSTFIX=0
WROTE=0
# put_file PATH MODE OWNER < content ; returns 0 (and sets $WROTE=1) only when content changed
put_file() {
  local path=$1 mode=$2 owner=$3 tmp
  tmp=$(mktemp "$path.XXXXXX")
  cat > "$tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path"; then rm -f "$tmp"; WROTE=0; return 0; fi
  chmod "$mode" "$tmp"; chown "$owner" "$tmp"; mv -f "$tmp" "$path"; WROTE=1
}

write_configs() {
  local mail_uid mail_gid u home
  mail_uid=$(id -u "$MAIL_OWNER"); mail_gid=$(id -g "$MAIL_OWNER")
  mkdir -p "$DC_DIR" "$DC_DIR/state" "$PF_DIR" "$PF_SPOOL" "$PF_DATA" "$LOG_DIR" "$MAIL_ROOT/$DOMAIN"
  chmod 755 "$MS_DIR" "$DC_DIR" "$PF_DIR" "$LOG_DIR"
  chown postfix:postfix "$PF_DATA"
  chown "$MAIL_OWNER:$MAIL_OWNER" "$MAIL_ROOT" "$MAIL_ROOT/$DOMAIN"
  chmod 750 "$MAIL_ROOT"
  for u in "${USERS[@]}"; do
    home=$(user_home "$u")
    [ -d "$home" ] || { mkdir -p "$home"; chown "$MAIL_OWNER:$MAIL_OWNER" "$home"; chmod 700 "$home"; }
  done

  # ---- dovecot
  put_file "$DC_DIR/users" 640 root:dovecot \
    < <(for u in "${USERS[@]}"; do printf '%s@%s:{PLAIN}%s::::::\n' "$u" "$DOMAIN" "$PASSWORD"; done)
  [ $WROTE = 1 ] && CHANGED_DOVECOT=1

  put_file "$DC_CONF" 644 root:root <<EOF
# Generated by mailstack.sh - private Dovecot instance for tests. Do not edit.
instance_name = mailstack
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $DC_RUN
state_dir = $DC_DIR/state
log_path = $LOG_DIR/dovecot.log
hostname = mail.$DOMAIN
postmaster_address = postmaster@$DOMAIN
verbose_proctitle = yes

ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Lu
auth_failure_delay = 0

first_valid_uid = $mail_uid
last_valid_uid = $mail_uid
first_valid_gid = $mail_gid
mail_uid = $mail_uid
mail_gid = $mail_gid
mail_location = maildir:~/Maildir
mail_fsync = never
mailbox_idle_check_interval = 1 secs
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
# Sieve vacation/redirect replies go back out through the private postfix.
submission_host = 127.0.0.1:$SMTP_PORT

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $DC_DIR/users
}
userdb {
  driver = passwd-file
  args = username_format=%Lu $DC_DIR/users
  default_fields = uid=$mail_uid gid=$mail_gid home=$MAIL_ROOT/%Ld/%Ln
}

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
  service_count = 0
  process_min_avail = 1
}
service imap {
  process_limit = 1024
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
protocol imap {
  mail_max_userip_connections = $MAX_USERIP_CONN
}
protocol lmtp {
  mail_plugins = \$mail_plugins sieve
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_extensions = +vacation-seconds
  sieve_vacation_min_period = 0
  sieve_vacation_default_period = 1d
}
EOF
  [ $WROTE = 1 ] && CHANGED_DOVECOT=1

  # ---- postfix
  put_file "$PF_DIR/vmailbox" 644 root:root \
    < <(for u in "${USERS[@]}"; do printf '%s@%s OK\n' "$u" "$DOMAIN"; done)
  [ $WROTE = 1 ] && CHANGED_POSTFIX=1

  put_file "$PF_DIR/main.cf" 644 root:root <<EOF
# Generated by mailstack.sh - private Postfix instance for tests. Do not edit.
compatibility_level = 3.6
queue_directory = $PF_SPOOL
data_directory = $PF_DATA
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $LOG_DIR/postfix.log
maillog_file_prefixes = $LOG_DIR
syslog_name = mailstack-postfix

myhostname = mail.$DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
mydestination =
local_recipient_maps =
local_transport = error:local delivery is disabled (mailstack)
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
biff = no
append_dot_mydomain = no
readme_directory = no
recipient_delimiter = +

# Accept mail only for the virtual domain; never relay anywhere (not even for loopback).
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
relay_domains =
virtual_alias_maps =
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = texthash:$PF_DIR/vmailbox
virtual_transport = lmtp:unix:$LMTP_SOCK
default_transport = error:outbound mail is disabled (mailstack)
relay_transport = error:outbound mail is disabled (mailstack)
smtpd_tls_security_level = none
smtp_tls_security_level = none
smtpd_banner = \$myhostname ESMTP mailstack
smtpd_error_sleep_time = 0
message_size_limit = 52428800

# Test-friendly retry timing (deferred mail is retried within seconds, not minutes).
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 30s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
EOF
  [ $WROTE = 1 ] && CHANGED_POSTFIX=1

  put_file "$PF_DIR/master.cf" 644 root:root <<EOF
# Generated by mailstack.sh. No chroot; no smtp/relay/local/virtual/pipe transports on purpose.
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  [ $WROTE = 1 ] && CHANGED_POSTFIX=1

  cmd_env > "$MS_DIR/stack.env"
  return 0
}

# ---------------------------------------------------------------- start
start_dovecot() {
  local pid='' started=0
  if pid=$(pid_of "$DC_PID" "$DOVECOT_EXE"); then
    if [ $CHANGED_DOVECOT = 1 ]; then
      log "dovecot: config changed, reloading (pid $pid)"
      doveadm -c "$DC_CONF" reload 9>&- </dev/null >/dev/null 2>&1
    else
      log "dovecot: already running (pid $pid)"
    fi
  else
    # A pid file left by daemons that were killed (a session or CI job ending) may name a zombie or a
    # reused pid; dovecot would then refuse to start ("already running"). pid_of said it is not ours.
    rm -f "$DC_PID"
    doveconf -c "$DC_CONF" -n </dev/null >/dev/null 2>"$LOG_DIR/doveconf.err" \
      || { cat "$LOG_DIR/doveconf.err" >&2; die "doveconf rejected $DC_CONF" "the error is above; this script generated the file, so report it"; }
    # never let the daemons inherit the caller's stdio: a test runner that captures output
    # through pipes (execSync, spawnSync) would otherwise wait for the daemons to exit
    dovecot -c "$DC_CONF" 9>&- </dev/null >/dev/null 2>>"$LOG_DIR/dovecot.stderr" \
      || { tail -n 20 "$LOG_DIR/dovecot.stderr" "$LOG_DIR/dovecot.log" >&2 2>/dev/null || true
           die "dovecot failed to start" "read $LOG_DIR/dovecot.log and $LOG_DIR/dovecot.stderr"; }
    started=1
  fi
  wait_banner "$IMAP_PORT" "* OK" || { tail -n 20 "$LOG_DIR/dovecot.log" >&2 || true
    die "dovecot IMAP did not greet on 127.0.0.1:$IMAP_PORT within 15 s" "read $LOG_DIR/dovecot.log, then run '$0 down' and '$0 up'"; }
  local i; for ((i = 0; i < 200; i++)); do [ -S "$LMTP_SOCK" ] && break; sleep 0.05; done
  [ -S "$LMTP_SOCK" ] || die "dovecot did not create its LMTP socket $LMTP_SOCK" "read $LOG_DIR/dovecot.log"
  # The master writes its pid file after it forks and may still be doing so here. "down" finds the
  # daemons only through that file, so "up" must not return before it exists.
  for ((i = 0; i < 200; i++)); do pid=$(pid_of "$DC_PID" "$DOVECOT_EXE") && break; sleep 0.05; done
  [ -n "$pid" ] || die "dovecot runs but wrote no pid file $DC_PID within 10 s" "read $LOG_DIR/dovecot.log"
  [ $started = 0 ] || log "dovecot: started (pid $pid)"
}

start_postfix() {
  local pid started=0
  if pid=$(pid_of "$PF_PID" "$PF_MASTER_EXE"); then
    if [ $CHANGED_POSTFIX = 1 ]; then
      log "postfix: config changed, reloading (pid $pid)"
      postfix -c "$PF_DIR" reload 9>&- </dev/null >/dev/null 2>&1
    else
      log "postfix: already running (pid $pid)"
    fi
  else
    rm -f "$PF_PID" # stale, for the same reason as dovecot's
    postfix -c "$PF_DIR" start 9>&- </dev/null >"$LOG_DIR/postfix-start.log" 2>&1 \
      || { # postfix prints its errors only to a tty (else to syslog, absent here): re-run the check on one
           script -qec "postfix -c '$PF_DIR' check" /dev/null >&2 || true
           cat "$LOG_DIR/postfix-start.log" >&2
           die "postfix failed to start" "the postfix check output is above; see also $LOG_DIR/postfix.log"; }
    started=1
  fi
  wait_banner "$SMTP_PORT" "220" || { tail -n 20 "$LOG_DIR/postfix.log" >&2 || true
    die "postfix SMTP did not greet on 127.0.0.1:$SMTP_PORT within 15 s" "read $LOG_DIR/postfix.log, then run '$0 down' and '$0 up'"; }
  [ $started = 0 ] || log "postfix: started (pid $(pid_of "$PF_PID" "$PF_MASTER_EXE" || echo '?'))"
}

cmd_up() {
  local t0; t0=$(now_ms)
  mkdir -p "$MS_DIR/log"
  install_packages
  # refuse early (before starting anything) if a port is taken by something that is not ours
  pid_of "$DC_PID" "$DOVECOT_EXE" >/dev/null || ! port_open "$IMAP_PORT" \
    || die "port 127.0.0.1:$IMAP_PORT is already in use by a process this script did not start" \
           "stop that process (ss -ltnp 'sport = :$IMAP_PORT' names it) or set MAILSTACK_IMAP_PORT"
  pid_of "$PF_PID" "$PF_MASTER_EXE" >/dev/null || ! port_open "$SMTP_PORT" \
    || die "port 127.0.0.1:$SMTP_PORT is already in use by a process this script did not start" \
           "stop that process (ss -ltnp 'sport = :$SMTP_PORT' names it) or set MAILSTACK_SMTP_PORT"
  write_configs
  start_dovecot
  start_postfix
  log "up in $(( $(now_ms) - t0 )) ms: IMAP 127.0.0.1:$IMAP_PORT, SMTP 127.0.0.1:$SMTP_PORT, dir $MS_DIR"
}

cmd_down() {
  stop_tree postfix "$PF_PID" "$PF_MASTER_EXE" postfix -c "$PF_DIR" stop
  # (plain SIGTERM: "doveadm stop" does the same but polls slowly and takes ~3 s)
  stop_tree dovecot "$DC_PID" "$DOVECOT_EXE"
}

# ---------------------------------------------------------------- reset
cmd_reset() {
  local users=() a u home who mb names
  [ -d "$MAIL_ROOT" ] || die "nothing to reset: $MAIL_ROOT does not exist" "run '$0 up' first"
  if [ $# -gt 0 ]; then for a in "$@"; do u=$(local_part "$a") || exit 1; users+=("$u"); done; else users=("${USERS[@]}"); fi
  # Drop anything still queued in postfix so that it cannot arrive after the reset.
  if [ $# -eq 0 ] && [ -d "$PF_SPOOL/active" ]; then postsuper -c "$PF_DIR" -d ALL >/dev/null 2>&1 || true; fi
  if pid_of "$DC_PID" "$DOVECOT_EXE" >/dev/null; then
    # Through doveadm, so that connected IMAP clients see EXPUNGEs instead of a vanished maildir.
    local -A extra=()
    # 1. delete every folder except INBOX and the special-use ones (children before parents)
    while IFS=$'\t' read -r who mb; do
      case $mb in INBOX | Drafts | Sent | Trash | Junk | "") continue ;; esac
      [ $# -gt 0 ] && [[ " ${users[*]/%/@$DOMAIN} " != *" $who "* ]] && continue
      extra[$who]+="$mb"$'\n'
    done < <(doveadm -c "$DC_CONF" -f tab mailbox list -A | tail -n +2 | LC_ALL=C sort -r)
    for who in "${!extra[@]}"; do
      mapfile -t names < <(printf '%s' "${extra[$who]}")
      doveadm -c "$DC_CONF" mailbox delete -s -u "$who" -- "${names[@]}" 2>/dev/null || true
    done
    # 2. expunge every message in every remaining folder
    if [ $# -gt 0 ]; then
      for u in "${users[@]}"; do doveadm -c "$DC_CONF" expunge -u "$u@$DOMAIN" mailbox '*' all; done
    else
      doveadm -c "$DC_CONF" expunge -A mailbox '*' all
    fi
  else
    for u in "${users[@]}"; do rm -rf "$(user_home "$u")/Maildir"; done
  fi
  # 3. forget the vacation "already replied to" history (vacation on/off itself is kept)
  for u in "${users[@]}"; do
    home=$(user_home "$u"); rm -f "$home/.dovecot.lda-dupes" "$home/.dovecot.lda-dupes.lock"
  done
  log "reset: emptied ${users[*]}"
}

# ---------------------------------------------------------------- vacation
sieve_quote() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }

cmd_vacation() {
  local action=${1:-} addr=${2:-} u home subject="Out of office" period=":seconds 0"
  local message="I am out of the office and have no access to my e-mail. This is an automatic reply."
  local use="$0 vacation on|off ADDRESS [--subject S] [--message M] [--seconds N | --days N]"
  case $action in on | off) ;; *) die "vacation needs 'on' or 'off', got '${action}'" "$use" ;; esac
  [ -n "$addr" ] && [[ $addr != --* ]] || die "vacation $action needs an ADDRESS" "$use"
  shift 2
  while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || die "vacation: option $1 needs a value" "$use"
    case $1 in
      --subject) subject=$2 ;;
      --message) message=$2 ;;
      --seconds) [[ $2 =~ ^[0-9]+$ ]] || die "--seconds needs a whole number, got '$2'" "$use"; period=":seconds $2" ;;
      --days) [[ $2 =~ ^[0-9]+$ ]] || die "--days needs a whole number, got '$2'" "$use"; period=":days $2" ;;
      *) die "vacation: unknown option $1" "$use" ;;
    esac
    shift 2
  done
  u=$(local_part "$addr") || exit 1
  home=$(user_home "$u")
  [ -d "$home" ] || die "mailbox home $home does not exist" "run '$0 up' first"
  if [ "$action" = on ]; then
    mkdir -p "$home/sieve"
    cat > "$home/sieve/vacation.sieve" <<EOF
require ["vacation", "vacation-seconds"];
# RFC 5230/6131 vacation; Pigeonhole sends the reply per RFC 3834
# (Auto-Submitted: auto-replied, null envelope sender, no reply to lists/bulk/auto-submitted mail).
vacation $period :subject $(sieve_quote "$subject") $(sieve_quote "$message");
EOF
    rm -f "$home/sieve/vacation.svbin" "$home/.dovecot.lda-dupes"
    ln -sfn sieve/vacation.sieve "$home/.dovecot.sieve"
    chown -R -h "$MAIL_OWNER:$MAIL_OWNER" "$home/sieve" "$home/.dovecot.sieve"
    log "vacation on for $u@$DOMAIN ($period)"
  else
    rm -f "$home/.dovecot.sieve" "$home/sieve/vacation.sieve" "$home/sieve/vacation.svbin" "$home/.dovecot.lda-dupes"
    log "vacation off for $u@$DOMAIN"
  fi
}

# ---------------------------------------------------------------- status / env / logs
cmd_status() {
  local ok=0 pid u n q
  if pid=$(pid_of "$DC_PID" "$DOVECOT_EXE"); then
    echo "dovecot: running (pid $pid) imap=127.0.0.1:$IMAP_PORT lmtp=$LMTP_SOCK"
  else echo "dovecot: stopped"; ok=3; fi
  if pid=$(pid_of "$PF_PID" "$PF_MASTER_EXE"); then
    q=$(find "$PF_SPOOL/incoming" "$PF_SPOOL/active" "$PF_SPOOL/deferred" "$PF_SPOOL/hold" -type f 2>/dev/null | wc -l)
    echo "postfix: running (pid $pid) smtp=127.0.0.1:$SMTP_PORT queued=$q"
  else echo "postfix: stopped"; ok=3; fi
  for u in "${USERS[@]}"; do
    n=-
    [ $ok = 0 ] && n=$(doveadm -c "$DC_CONF" -f flow mailbox status -u "$u@$DOMAIN" messages INBOX 2>/dev/null | sed 's/.*messages=//')
    printf '  %-22s inbox=%-6s vacation=%s\n' "$u@$DOMAIN" "${n:--}" \
      "$([ -e "$(user_home "$u")/.dovecot.sieve" ] && echo on || echo off)"
  done
  echo "dir: $MS_DIR  logs: $LOG_DIR"
  return $ok
}

# Computed, not read back from stack.env, so it also works before the first "up".
cmd_env() {
  cat <<EOF
MAILSTACK_DIR=$MS_DIR
MAILSTACK_IMAP_HOST=127.0.0.1
MAILSTACK_IMAP_PORT=$IMAP_PORT
MAILSTACK_SMTP_HOST=127.0.0.1
MAILSTACK_SMTP_PORT=$SMTP_PORT
MAILSTACK_DOMAIN=$DOMAIN
MAILSTACK_USERS="${USERS[*]/%/@$DOMAIN}"
MAILSTACK_PASSWORD=$PASSWORD
EOF
}

cmd_logs() {
  local n=${1:-40}
  [[ $n =~ ^[0-9]+$ ]] || die "logs takes a line count, got '$n'" "$0 logs 100"
  [ -d "$LOG_DIR" ] || die "no logs yet: $LOG_DIR does not exist" "run '$0 up' first"
  tail -n "$n" "$LOG_DIR/dovecot.log" "$LOG_DIR/postfix.log" 2>/dev/null || true
}

# ---------------------------------------------------------------- main
main() {
  local cmd=${1:-}; shift || true
  case $cmd in
    up | install | down | reset | vacation) check_env ;;
    status | env | logs) ;;
    -h | --help | help) usage; exit 0 ;;
    "") usage >&2; exit 2 ;;
    *) usage >&2; die "unknown command '$cmd'" "use one of: up install down reset status vacation env logs" ;;
  esac
  case $cmd in
    up | install | down | reset | vacation)
      # Serialize concurrent invocations (several test workers calling "up"). The daemons are
      # started with 9>&- so they never inherit this lock (else the next "up" blocks forever).
      mkdir -p "$MS_DIR"; exec 9>"$MS_DIR/.lock"
      flock -w 600 9 || die "another mailstack.sh has held $MS_DIR/.lock for 10 minutes" \
        "wait for it, or find it with: fuser -v $MS_DIR/.lock" ;;
  esac
  case $cmd in
    up) [ $# -eq 0 ] || die "up takes no arguments" "$0 up"; cmd_up ;;
    install) [ $# -eq 0 ] || die "install takes no arguments" "$0 install"
      mkdir -p "$LOG_DIR"; install_packages; log "packages present: ${PACKAGES[*]}" ;;
    down) [ $# -eq 0 ] || die "down takes no arguments" "$0 down"; cmd_down ;;
    reset) cmd_reset "$@" ;;
    vacation) cmd_vacation "$@" ;;
    status) cmd_status || exit $? ;;
    env) cmd_env ;;
    logs) cmd_logs "$@" ;;
  esac
}
main "$@"

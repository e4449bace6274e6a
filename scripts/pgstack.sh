#!/usr/bin/env bash
# Decides how Sportello's private test PostgreSQL (Debian's postgresql package, 15 on Debian 12) is
# installed, initialised, started and stopped. Trusts only its own data directory under $PGSTACK_DIR and
# the postmaster.pid in it (checked against the process's executable and working directory).
# Must never listen beyond 127.0.0.1, start or change the system's own cluster, or remove packages.
set -Eeuo pipefail
umask 022

PG_DIR=${PGSTACK_DIR:-/tmp/pgstack}
# /proc/PID/cwd names the real path, so pid_of compares with symlinks resolved (check_env refuses a relative path).
case $PG_DIR in /*) PG_DIR=$(readlink -m -- "$PG_DIR") ;; esac
PORT=${PGSTACK_PORT:-15433}
DB=${PGSTACK_DB:-sportello_test}
ROLE=${PGSTACK_USER:-sportello}
PASSWORD=${PGSTACK_PASSWORD:-secret}
SUPERUSER=postgres   # the cluster's bootstrap role; reachable only through the socket in $RUN_DIR
PACKAGES=(postgresql) # Debian's meta package: the distribution's supported major (15 on bookworm)

DATA=$PG_DIR/data
RUN_DIR=$PG_DIR/run   # the unix socket; mode 0700, so only the server's own user (and root) get in
LOG_DIR=$PG_DIR/log
PID_FILE=$DATA/postmaster.pid
CONF=$DATA/pgstack.conf
HBA=$DATA/pg_hba.conf

usage() {
  cat <<EOF
Usage: bash scripts/pgstack.sh COMMAND [ARGS]

A private, loopback-only PostgreSQL for Sportello's tests, demo and CI (Debian 12: PostgreSQL 15).
All state lives in \$PGSTACK_DIR ($PG_DIR). As root, the server runs as the 'postgres' system user
(PostgreSQL refuses to run as root); as any other user, it runs as that user.

Commands:
  up          install the Debian package if missing (root only), create the cluster, start it, and
              make sure role '$ROLE' and database '$DB' exist (idempotent; restarts on a config change)
  install     only install the Debian package if missing (apt-get; starts nothing)
  down        stop the server this script started (by its pid file)
  reset       drop and recreate database '$DB' and every other database owned by '$ROLE' (the fresh
              databases tests create); the server must be up
  status      server, pid, URL and databases; exit 0 if up, 3 if not
  url         print the postgres:// URL of database '$DB'
  env         KEY=VALUE lines describing the server (also written to \$PGSTACK_DIR/stack.env)
  psql [ARG]  psql as '$ROLE' on '$DB' (extra arguments are passed on)
  logs [N]    last N lines (default 40) of the server log
  destroy     stop the server and delete its data directory (the next 'up' starts from nothing)

Server: 127.0.0.1:$PORT (no TLS), role '$ROLE' password '$PASSWORD' (scram-sha-256), may create databases

Environment: PGSTACK_DIR PGSTACK_PORT PGSTACK_DB PGSTACK_USER PGSTACK_PASSWORD
             PGSTACK_ALLOW_REMOVALS=1 (let apt remove packages)
EOF
}

STACK_NAME=pgstack
# log, die, now_ms, the ERR trap, port_open, apt_install
# shellcheck source=lib/stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"

check_env() {
  case $PG_DIR in /*) ;; *) die "PGSTACK_DIR is not an absolute path: $PG_DIR" "export PGSTACK_DIR=/tmp/pgstack" ;; esac
  case $PG_DIR in *[[:space:]]* | *[\'\"\\\$\`*?[]*)
    die "PGSTACK_DIR contains spaces, quotes or glob characters: $PG_DIR" "use a plain path such as /tmp/pgstack" ;; esac
  # unix socket paths (sun_path) are limited to 107 bytes: $RUN_DIR/.s.PGSQL.PORT must fit
  [ ${#PG_DIR} -le 80 ] || die "PGSTACK_DIR is longer than 80 characters: $PG_DIR" "use a shorter path"
  [[ $PORT =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1024 ] && [ "$PORT" -le 65535 ] \
    || die "PGSTACK_PORT must be a number from 1024 to 65535, got '$PORT'" "export PGSTACK_PORT=15433"
  # Interpolated into SQL and into the URL: plain identifiers and URL-safe passwords only.
  [[ $DB =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "PGSTACK_DB must be a lower-case identifier, got '$DB'" "export PGSTACK_DB=sportello_test"
  [[ $ROLE =~ ^[a-z_][a-z0-9_]{0,62}$ ]] && [ "$ROLE" != "$SUPERUSER" ] \
    || die "PGSTACK_USER must be a lower-case identifier other than '$SUPERUSER', got '$ROLE'" "export PGSTACK_USER=sportello"
  [[ $PASSWORD =~ ^[A-Za-z0-9._~-]{1,64}$ ]] \
    || die "PGSTACK_PASSWORD may hold only letters, digits and . _ ~ - (it goes into a URL unescaped)" "export PGSTACK_PASSWORD=secret"
  local c
  for c in flock awk cmp mktemp readlink; do
    command -v "$c" >/dev/null || die "required command '$c' is missing" "this script needs Debian 12 (util-linux, mawk, diffutils, coreutils)"
  done
  if [ "$(id -u)" = 0 ]; then
    command -v runuser >/dev/null || die "runuser is missing (needed to start PostgreSQL as a non-root user)" "install util-linux"
  fi
}

# ---------------------------------------------------------------- binaries and the server's user
PG_BIN=''
# find_bin: the newest installed major's bin directory (Debian keeps one per major under /usr/lib/postgresql).
find_bin() {
  local d best=''
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ] || continue
    if [ -z "$best" ] || [ "${d//[!0-9]/}" -gt "${best//[!0-9]/}" ]; then best=$d; fi
  done
  [ -n "$best" ] || return 1
  PG_BIN=$best
}
need_bin() {
  find_bin || die "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl)" \
    "run 'bash $0 install' as root (apt-get install ${PACKAGES[*]})"
}

RUN_USER=''
# PostgreSQL refuses to run as root. As root we run it as the owner of an existing data directory
# (so root can also stop a cluster a user started), else as the package's 'postgres' system user.
resolve_user() {
  if [ "$(id -u)" != 0 ]; then RUN_USER=$(id -un); return 0; fi
  if [ -d "$DATA" ]; then
    RUN_USER=$(stat -c %U "$DATA")
    [ "$RUN_USER" != root ] || die "$DATA belongs to root, and PostgreSQL refuses to run as root" \
      "run 'bash $0 destroy' and then 'up' (the data directory is recreated for the postgres user)"
    return 0
  fi
  id -u postgres >/dev/null 2>&1 \
    || die "system user 'postgres' does not exist (the postgresql package creates it)" "run 'bash $0 install' as root"
  RUN_USER=postgres
}

# as_pg CMD...: run CMD as the server's user, from a directory it can enter (initdb and pg_ctl warn
# about a working directory they cannot read, e.g. /root), never holding our lock fd 9 or stdin.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    (cd "$PG_DIR" && exec runuser -u "$RUN_USER" -- "$@") 9>&- </dev/null
  else
    (cd "$PG_DIR" && exec "$@") 9>&- </dev/null
  fi
}

# ---------------------------------------------------------------- processes
# pid_of: the postmaster's pid, if postmaster.pid names a live PostgreSQL server running in $DATA.
# The executable alone is not enough: the system's own cluster runs the same binary.
pid_of() {
  local pid
  [ -r "$PID_FILE" ] || return 1
  read -r pid < "$PID_FILE" 2>/dev/null || return 1
  pid=${pid//[!0-9]/}
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == /usr/lib/postgresql/*/bin/postgres ]] || return 1
  [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$DATA" ] || return 1
  printf '%s' "$pid"
}

# strays: PostgreSQL processes still working in $DATA (backends of a postmaster that was killed).
# Every server process chdirs to its data directory, so the working directory names them.
strays() {
  local d
  # one find, not a readlink per process: forking ~200 times costs seconds on a loaded machine
  # (find exits 1 when a process vanishes while it reads /proc: that is no failure here)
  { find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$DATA" -printf '%h\n' 2>/dev/null || true; } \
    | while IFS= read -r d; do
        if [[ $(readlink "$d/exe" 2>/dev/null) == /usr/lib/postgresql/*/bin/postgres ]]; then printf '%s\n' "${d#/proc/}"; fi
      done
  return 0
}

# ---------------------------------------------------------------- packages
install_packages() {
  find_bin && return 0
  [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and only root can install it" \
    "run once as root: bash $0 install (or apt-get install ${PACKAGES[*]})"
  # The package creates the system cluster 'main' (port 5432); apt_install keeps its maintainer
  # scripts from starting it. This script never touches that cluster.
  apt_install PGSTACK_ALLOW_REMOVALS "${PACKAGES[@]}"
  find_bin || die "apt-get installed ${PACKAGES[*]} but no /usr/lib/postgresql/*/bin/pg_ctl appeared" "read $LOG_DIR/apt.log"
}

# ---------------------------------------------------------------- cluster and configuration
# make_dirs: $PG_DIR is ours (root or the caller); data, socket and log directories belong to the server's user.
make_dirs() {
  mkdir -p "$PG_DIR" "$LOG_DIR"
  chmod 755 "$PG_DIR"
  local d owner
  for d in "$DATA" "$RUN_DIR"; do
    if [ -d "$d" ]; then
      owner=$(stat -c %U "$d")
      [ "$owner" = "$RUN_USER" ] || die "$d belongs to '$owner' but the server would run as '$RUN_USER'" \
        "run pgstack.sh as the user who created it, or use another PGSTACK_DIR (or 'destroy' it as that user)"
    else
      mkdir -m 700 "$d"
      [ "$(id -u)" != 0 ] || chown "$RUN_USER:" "$d"
    fi
  done
  [ "$(id -u)" != 0 ] || chown "$RUN_USER:" "$LOG_DIR"
  as_pg test -w "$DATA" -a -w "$RUN_DIR" -a -w "$LOG_DIR" \
    || die "user '$RUN_USER' cannot write to $DATA, $RUN_DIR or $LOG_DIR" \
           "every parent of PGSTACK_DIR must be searchable by '$RUN_USER'; use a directory such as /tmp/pgstack"
}

init_cluster() {
  local major want
  want=$(basename "$(dirname "$PG_BIN")")
  if [ -f "$DATA/PG_VERSION" ]; then
    read -r major < "$DATA/PG_VERSION"
    [ "$major" = "$want" ] || die "$DATA holds a PostgreSQL $major cluster but the installed server is $want" \
      "run 'bash $0 destroy' and then 'up' (test data is recreated), or point PGSTACK_DIR elsewhere"
    return 0
  fi
  [ -z "$(ls -A "$DATA")" ] || die "$DATA is neither empty nor a PostgreSQL cluster (an interrupted initdb?)" \
    "run 'bash $0 destroy' and then 'up'"
  log "initdb: creating a PostgreSQL $want cluster in $DATA"
  # No locale: byte-wise text order like SQLite's; the schema also pins COLLATE "C" per column.
  # --no-sync: a test cluster that survives no power loss need not pay for one fsync per file here.
  as_pg "$PG_BIN/initdb" -D "$DATA" -U "$SUPERUSER" --encoding=UTF8 --no-locale \
      --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$LOG_DIR/initdb.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/initdb.log" >&2; die "initdb failed" "read $LOG_DIR/initdb.log, then run '$0 destroy' and '$0 up'"; }
  # Our settings live in one generated file, included last so they win over initdb's defaults.
  printf "\n# added by scripts/pgstack.sh\ninclude_if_exists = 'pgstack.conf'\n" >>"$DATA/postgresql.conf"
}

CHANGED=0
WROTE=0
# put_file PATH < content: replace PATH (owned by the server's user, mode 600) only when content changed.
put_file() {
  local path=$1 tmp
  tmp=$(mktemp "$path.XXXXXX")
  cat > "$tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path"; then rm -f "$tmp"; WROTE=0; return 0; fi
  chmod 600 "$tmp"
  [ "$(id -u)" != 0 ] || chown "$RUN_USER:" "$tmp"
  mv -f "$tmp" "$path"; WROTE=1
}

write_configs() {
  put_file "$CONF" <<EOF
# Generated by pgstack.sh - private PostgreSQL for tests. Do not edit.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN_DIR'
unix_socket_permissions = 0700
max_connections = 100
shared_buffers = 32MB
# Durable like a real server (fsync, synchronous_commit on), so benchmarks against SQLite are fair.
timezone = 'UTC'
log_timezone = 'UTC'
datestyle = 'iso, ymd'
lc_messages = 'C'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
log_connections = off
EOF
  [ $WROTE = 0 ] || CHANGED=1
  # Trust on the socket is safe: its directory is 0700. Over TCP, loopback and a password only.
  put_file "$HBA" <<EOF
# Generated by pgstack.sh. TYPE DATABASE USER ADDRESS METHOD
local all all                trust
host  all all 127.0.0.1/32   scram-sha-256
EOF
  [ $WROTE = 0 ] || CHANGED=1
  return 0
}

start_server() {
  local pid stray
  if pid=$(pid_of); then
    if [ $CHANGED = 1 ]; then
      log "postgres: config changed, restarting (pid $pid)"
      as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG_DIR/postgres.log" -w -t 60 -m fast restart >/dev/null 2>>"$LOG_DIR/pg_ctl.log" \
        || { tail -n 20 "$LOG_DIR/postgres.log" >&2 || true; die "postgres did not restart" "read $LOG_DIR/postgres.log"; }
    else
      log "postgres: already running (pid $pid)"
      return 0
    fi
  else
    stray=$(strays | tr '\n' ' ')
    [ -z "$stray" ] || die "processes of a killed server still use $DATA: $stray" \
      "stop them (kill $stray), then run '$0 up' again; starting beside them could corrupt the cluster"
    # The server is gone and nothing uses the directory: a leftover postmaster.pid or socket lock
    # (a container restart, a SIGKILL) may name a reused pid or an unreaped zombie, and postgres
    # would refuse to start over it ("Is another postmaster running?").
    rm -f "$PID_FILE" "$RUN_DIR/.s.PGSQL.$PORT.lock"
    # -w: return once the server accepts connections. The server never inherits our stdio or lock.
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG_DIR/postgres.log" -w -t 60 start >/dev/null 2>>"$LOG_DIR/pg_ctl.log" \
      || { tail -n 20 "$LOG_DIR/postgres.log" "$LOG_DIR/pg_ctl.log" >&2 2>/dev/null || true
           die "postgres failed to start on 127.0.0.1:$PORT" "read $LOG_DIR/postgres.log, then run '$0 down' and '$0 up'"; }
  fi
  pid=$(pid_of) || die "postgres runs but its pid file $PID_FILE does not name it" "read $LOG_DIR/postgres.log"
  log "postgres: started (pid $pid)"
}

# sql DB STATEMENT: run one statement as the superuser through the private socket.
sql() {
  PGOPTIONS="-c client_min_messages=warning" as_pg "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$RUN_DIR" -p "$PORT" -U "$SUPERUSER" -d "$1" -c "$2"
}

ensure_role_and_db() {
  # CREATEDB so that tests can make a fresh database each; never SUPERUSER.
  sql postgres "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN CREATE ROLE $ROLE; END IF;
      ALTER ROLE $ROLE LOGIN CREATEDB NOSUPERUSER PASSWORD '$PASSWORD';
    END \$\$;" >/dev/null
  [ -n "$(sql postgres "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ] \
    || sql postgres "CREATE DATABASE $DB OWNER $ROLE" >/dev/null
}

cmd_up() {
  local t0; t0=$(now_ms)
  mkdir -p "$LOG_DIR"
  install_packages
  resolve_user
  make_dirs
  # refuse early (before starting anything) if the port is taken by something that is not ours
  pid_of >/dev/null || ! port_open "$PORT" \
    || die "port 127.0.0.1:$PORT is already in use by a process this script did not start" \
           "stop that process (ss -ltnp 'sport = :$PORT' names it) or set PGSTACK_PORT"
  init_cluster
  write_configs
  start_server
  ensure_role_and_db
  cmd_env > "$PG_DIR/stack.env"
  log "up in $(( $(now_ms) - t0 )) ms: $(cmd_url)"
}

cmd_down() {
  local pid i stray
  if ! pid=$(pid_of); then
    stray=$(strays | tr '\n' ' ')
    [ -z "$stray" ] || log "postgres: server gone but processes still use $DATA: $stray (kill $stray)"
    log "postgres: not running"; return 0
  fi
  resolve_user
  # fast: roll back open transactions and disconnect clients; a test cluster has nothing to wait for.
  if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -w -t 30 -m fast stop >/dev/null 2>>"$LOG_DIR/pg_ctl.log"; then
    log "postgres: pg_ctl stop timed out, sending SIGQUIT (immediate shutdown) to $pid"
    kill -QUIT "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  fi
  stray=$(strays | tr '\n' ' ')
  if [ -n "$stray" ]; then
    log "postgres: killing leftover processes $stray"
    # shellcheck disable=SC2086
    kill -KILL $stray 2>/dev/null || true
  fi
  log "postgres: stopped (pid $pid)"
}

cmd_reset() {
  local d
  pid_of >/dev/null || die "the server is not running" "run '$0 up' first"
  resolve_user
  # FORCE (PostgreSQL 13+) ends the sessions still connected, e.g. from a test that crashed.
  while IFS= read -r d; do
    [ -n "$d" ] && sql postgres "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null
  done < <(sql postgres "SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = '$ROLE'")
  sql postgres "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
  sql postgres "CREATE DATABASE $DB OWNER $ROLE" >/dev/null
  log "reset: database $DB recreated empty"
}

cmd_destroy() {
  cmd_down
  [ -d "$DATA" ] || { log "destroy: nothing to delete ($DATA does not exist)"; return 0; }
  [ -z "$(strays)" ] || die "processes still use $DATA" "stop them first (see the message above)"
  rm -rf -- "$DATA" "$RUN_DIR" "$PG_DIR/stack.env"
  log "destroy: deleted $DATA"
}

# ---------------------------------------------------------------- status / url / env / logs
cmd_url() { printf 'postgres://%s:%s@127.0.0.1:%s/%s\n' "$ROLE" "$PASSWORD" "$PORT" "$DB"; }

# Computed, not read back from stack.env, so it also works before the first "up".
cmd_env() {
  cat <<EOF
PGSTACK_DIR=$PG_DIR
PGSTACK_HOST=127.0.0.1
PGSTACK_PORT=$PORT
PGSTACK_USER=$ROLE
PGSTACK_PASSWORD=$PASSWORD
PGSTACK_DB=$DB
PGSTACK_URL=$(cmd_url)
EOF
}

cmd_status() {
  local pid dbs
  if pid=$(pid_of); then
    echo "postgres: running (pid $pid) on 127.0.0.1:$PORT, $(cat "$DATA/PG_VERSION" 2>/dev/null || echo '?') in $DATA"
    echo "url: $(cmd_url)"
    if find_bin && resolve_user 2>/dev/null; then
      dbs=$(sql postgres "SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = '$ROLE'" 2>/dev/null || echo '?')
      echo "databases of $ROLE: ${dbs:-none}"
    fi
    echo "dir: $PG_DIR  logs: $LOG_DIR"
    return 0
  fi
  echo "postgres: stopped"
  echo "dir: $PG_DIR  logs: $LOG_DIR"
  return 3
}

cmd_psql() {
  need_bin
  pid_of >/dev/null || die "the server is not running" "run '$0 up' first"
  PGPASSWORD=$PASSWORD exec "$PG_BIN/psql" -X -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d "$DB" "$@"
}

cmd_logs() {
  local n=${1:-40}
  [[ $n =~ ^[0-9]+$ ]] || die "logs takes a line count, got '$n'" "$0 logs 100"
  [ -d "$LOG_DIR" ] || die "no logs yet: $LOG_DIR does not exist" "run '$0 up' first"
  tail -n "$n" "$LOG_DIR/postgres.log" 2>/dev/null || true
}

# ---------------------------------------------------------------- main
main() {
  local cmd=${1:-}; shift || true
  case $cmd in
    up | install | down | reset | destroy | status | url | env | psql | logs) check_env ;;
    -h | --help | help) usage; exit 0 ;;
    "") usage >&2; exit 2 ;;
    *) usage >&2; die "unknown command '$cmd'" "use one of: up install down reset status url env psql logs destroy" ;;
  esac
  case $cmd in
    up | install | down | reset | destroy)
      [ $# -eq 0 ] || die "$cmd takes no arguments" "$0 $cmd"
      # Serialize concurrent invocations (several test runs calling "up"). The server is started
      # with 9>&- (as_pg) so it never inherits this lock (else the next "up" blocks forever).
      mkdir -p "$PG_DIR"; exec 9>"$PG_DIR/.lock"
      flock -w 600 9 || die "another pgstack.sh has held $PG_DIR/.lock for 10 minutes" \
        "wait for it, or find it with: fuser -v $PG_DIR/.lock" ;;
  esac
  case $cmd in
    up) cmd_up ;;
    install) mkdir -p "$LOG_DIR"; install_packages; log "PostgreSQL present: $PG_BIN" ;;
    down) find_bin || true; cmd_down ;; # a server we started implies the binaries are still there
    reset) need_bin; cmd_reset ;;
    destroy) find_bin || true; cmd_destroy ;;
    status) cmd_status || exit $? ;;
    url) cmd_url ;;
    env) cmd_env ;;
    psql) cmd_psql "$@" ;;
    logs) cmd_logs "$@" ;;
  esac
}
main "$@"

#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for trying fleet mode and for the tests.
#
#   pg-cluster.sh start DIR [PORT]   initdb into DIR/data (first time), start on 127.0.0.1:PORT
#                                    (default: a free port), print the store URL:
#                                      postgres://tollgate@127.0.0.1:PORT/tollgate
#   pg-cluster.sh stop DIR           stop the server (fast shutdown); the data stays in DIR
#   pg-cluster.sh restart-stop DIR   the same as stop (for outage tests: start-again follows)
#   pg-cluster.sh start-again DIR    start the stopped server again on the same port
#
# Trust authentication on loopback only; role and database `tollgate` (the role owns the
# database and is not a superuser). The unix socket lives in DIR/run, the server log is DIR/log,
# the port is remembered in DIR/port. PostgreSQL refuses to run as root: as root, the server
# runs as Debian's `postgres` user (DIR is chown'ed to it). Remove DIR to throw it all away.
# Needs the PostgreSQL server binaries (Debian: apt-get install postgresql).
set -euo pipefail

die() { echo "pg-cluster.sh: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: pg-cluster.sh start DIR [PORT] | stop DIR | restart-stop DIR | start-again DIR"
cmd=$1
[ "$cmd" = start ] && mkdir -p "$2"
[ -d "$2" ] || die "no directory $2"
dir=$(cd "$2" && pwd)

# The server binaries: pg_config's bindir if it has initdb, else the newest Debian one, else PATH.
bindir=""
if command -v pg_config >/dev/null 2>&1; then
  b=$(pg_config --bindir 2>/dev/null || true)
  [ -n "$b" ] && [ -x "$b/initdb" ] && bindir=$b
fi
if [ -z "$bindir" ]; then
  b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$b" ] && [ -x "$b/initdb" ] && bindir=$b
fi
if [ -z "$bindir" ]; then
  b=$(command -v initdb 2>/dev/null || true)
  [ -n "$b" ] && bindir=$(dirname "$b")
fi
[ -n "$bindir" ] && [ -x "$bindir/pg_ctl" ] || die "no PostgreSQL server binaries (initdb, pg_ctl) found; install them (Debian: apt-get install postgresql)"
psql=$bindir/psql
[ -x "$psql" ] || psql=psql

# Run a server binary as a user PostgreSQL accepts.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user to run the server as"
  as_pg() { (cd "$dir" && runuser -u postgres -- "$@"); }
else
  as_pg() { (cd "$dir" && "$@"); }
fi

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  else
    local p
    while :; do
      p=$(( 20000 + RANDOM % 40000 ))
      (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
  fi
}

server_start() {  # PORT: 0 when the server started, 1 when it did not
  echo "$1" >"$dir/port"
  as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 -s \
    -o "-h 127.0.0.1 -p $1 -k '$dir/run'" start >/dev/null 2>&1
}

url() { echo "postgres://tollgate@127.0.0.1:$(cat "$dir/port")/tollgate"; }

case $cmd in
  start)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir/run"
      touch "$dir/log"
      if [ "$(id -u)" = 0 ]; then
        chown -R postgres: "$dir"
        as_pg test -w "$dir" || die "user postgres cannot write $dir (every parent directory must be searchable by it)"
      fi
      as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C \
        >>"$dir/log" 2>&1 || die "initdb failed; see $dir/log"
      fresh=1
    else
      fresh=0
    fi
    if [ -n "${3:-}" ]; then
      server_start "$3" || die "the server did not start on port $3; see $dir/log"
    else
      # A free port can be taken before the server binds it: try a few.
      started=0
      for _ in 1 2 3 4 5; do
        if server_start "$(free_port)"; then started=1; break; fi
      done
      [ $started = 1 ] || die "the server did not start; see $dir/log"
    fi
    if [ $fresh = 1 ]; then
      as_pg "$psql" -h 127.0.0.1 -p "$(cat "$dir/port")" -U postgres -d postgres -qAt \
        -v ON_ERROR_STOP=1 -c "CREATE ROLE tollgate LOGIN" -c "CREATE DATABASE tollgate OWNER tollgate" \
        >>"$dir/log" 2>&1 || die "could not create role/database tollgate; see $dir/log"
    fi
    url
    ;;
  start-again)
    [ -f "$dir/port" ] || die "$dir has no cluster (run: pg-cluster.sh start $dir)"
    server_start "$(cat "$dir/port")" || die "the server did not start again; see $dir/log"
    url
    ;;
  stop|restart-stop)
    [ -f "$dir/data/PG_VERSION" ] || exit 0
    if as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 -s stop >/dev/null
    fi
    ;;
  *)
    die "unknown command '$cmd' (start, stop, restart-stop, start-again)"
    ;;
esac

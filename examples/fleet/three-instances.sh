#!/usr/bin/env bash
# A fleet on one machine: a throwaway PostgreSQL and three Tollgate instances sharing it, all
# with routes.yaml beside this file. Ctrl-C (or SIGTERM) stops them all and removes the cluster.
#
#   OPENAI_API_KEY=sk-... examples/fleet/three-instances.sh
#
# Then call any instance with the fleet's virtual key; its 30 requests a minute are shared:
#
#   for port in 8081 8082 8083; do
#     curl -s http://127.0.0.1:$port/v1/chat/completions -H "Authorization: Bearer vk-fleet-demo" \
#       -H 'content-type: application/json' -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}'
#   done
#   curl -s http://127.0.0.1:9191/admin/logs     # every instance's requests, from any instance
#
# Environment (all optional): TOLLGATE_BIN (default .build/release/tollgate), FLEET_BASE_PORT
# (8081: instances on 8081-8083), FLEET_ADMIN_BASE_PORT (9191: admin on 9191-9193), FLEET_VK,
# OPENAI_BASE_URL, OPENAI_API_KEY. Needs PostgreSQL's server (Debian: apt-get install postgresql).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${TOLLGATE_BIN:-$here/../../.build/release/tollgate}
port=${FLEET_BASE_PORT:-8081}
admin_port=${FLEET_ADMIN_BASE_PORT:-9191}
[ -x "$bin" ] || { echo "no tollgate binary at $bin: run 'swift build -c release' or set TOLLGATE_BIN" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-fleet.XXXXXX")
chmod 755 "$work"   # as root, pg-cluster.sh runs the server as user postgres, who must get in
pids=()

stop_all() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$here/pg-cluster.sh" stop "$work/pg" || true
  rm -rf "$work"
  echo "stopped"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TOLLGATE_STORE=$("$here/pg-cluster.sh" start "$work/pg")
export TOLLGATE_STORE
echo "postgres: $TOLLGATE_STORE (server log: $work/pg/log)"

for i in 1 2 3; do
  TOLLGATE_LISTEN=127.0.0.1:$((port + i - 1)) TOLLGATE_ADMIN=127.0.0.1:$((admin_port + i - 1)) \
    "$bin" serve --config "$here/routes.yaml" 2>"$work/tollgate-$i.log" &
  pids+=($!)
done

for i in 1 2 3; do
  health=http://127.0.0.1:$((admin_port + i - 1))/health
  for _ in $(seq 150); do
    curl -fs "$health" >/dev/null && break
    sleep 0.2
  done
  curl -fs "$health" >/dev/null || { echo "instance $i did not come up:" >&2; tail -n 20 "$work/tollgate-$i.log" >&2; exit 1; }
  echo "instance $i: http://127.0.0.1:$((port + i - 1))/v1 (admin http://127.0.0.1:$((admin_port + i - 1)), log $work/tollgate-$i.log)"
done
echo "ready: Ctrl-C stops all"
wait

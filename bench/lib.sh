# bench/lib.sh — shared by bench/run, bench/profile, bench/stream-soak. Source it; don't run it.
# Everything here stays on loopback (127.0.0.1), every wait is bounded, and every process
# started through `bench_spawn` is stopped by `bench_cleanup` (installed as an EXIT/INT/TERM trap).

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
FIXTURES="$BENCH_DIR/fixtures"
OUT_DIR="$BENCH_DIR/out"

BENCH_PIDS=()          # every process we started, stopped in reverse order on exit
BENCH_PIN_EXTRA=()     # daemons we started that bench_spawn does not track (a PostgreSQL postmaster):
                       # pinned with the rest (children included); stopped by a BENCH_EXIT_HOOKS entry
BENCH_EXIT_HOOKS=()    # shell commands run by bench_cleanup after every process above has stopped
BENCH_TMP=""

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local i pid
  for ((i=${#BENCH_PIDS[@]}-1; i>=0; i--)); do
    pid=${BENCH_PIDS[i]}
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null
  done
  # Give them up to 5 s to exit (gateway drain, nginx graceful stop), then SIGKILL.
  local deadline=$((SECONDS + 5))
  for pid in "${BENCH_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.05; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  # After the gateways (they flush settlements to their store when they stop), e.g. a
  # PostgreSQL cluster's `pg-cluster.sh stop` (bounded: pg_ctl -t 60).
  local hook
  for hook in "${BENCH_EXIT_HOOKS[@]}"; do eval "$hook" || true; done
  if [[ -n "$BENCH_TMP" && -d "$BENCH_TMP" && -z "${BENCH_KEEP_TMP:-}" ]]; then
    rm -rf "$BENCH_TMP"
  elif [[ -n "$BENCH_TMP" ]]; then
    log "kept temp dir $BENCH_TMP"
  fi
  exit "$rc"
}

bench_init() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  BENCH_TMP="$(mktemp -d /tmp/tollgate-bench.XXXXXX)"
  chmod 755 "$BENCH_TMP"   # nginx workers may run as nobody
  mkdir -p "$OUT_DIR"
}

# ---------------------------------------------------------------- tools
ensure_tools() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  ((${#missing[@]} == 0)) && { PATH="$PATH:/usr/sbin"; return 0; }
  command -v apt-get >/dev/null 2>&1 || die "missing: ${missing[*]} (and no apt-get to install them)"
  log "missing: ${missing[*]} — installing with apt-get (nginx-light, else nginx)"
  local pkgs=() m
  for m in "${missing[@]}"; do
    case $m in nginx) ;; python3) pkgs+=(python3-minimal) ;; *) pkgs+=("$m") ;; esac
  done
  local sudo=""; ((EUID != 0)) && sudo="sudo"
  $sudo apt-get update -qq >&2 || true
  if [[ " ${missing[*]} " == *" nginx "* ]]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >&2 \
      || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx >&2 \
      || die "could not install nginx"
  fi
  if ((${#pkgs[@]})); then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >&2 || die "could not install ${pkgs[*]}"
  fi
  PATH="$PATH:/usr/sbin"
  command -v nginx >/dev/null && command -v wrk >/dev/null || die "nginx/wrk still missing after install"
}

# ---------------------------------------------------------------- ports, processes
# free_ports N -> prints N distinct free loopback TCP ports (held open together while chosen).
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
EOF
}

# bench_spawn LOGFILE CMD... ; sets SPAWNED_PID
bench_spawn() {
  local logf=$1; shift
  "$@" >"$logf" 2>&1 &
  SPAWNED_PID=$!
  BENCH_PIDS+=("$SPAWNED_PID")
}

# ---------------------------------------------------------------- placement
# bench_cpus -> the CPUs this script may use (a taskset list), as it was started.
bench_cpus() { taskset -pc $$ 2>/dev/null | awk -F': ' '{print $2}'; }

# bench_pin CPUS -> every process started through bench_spawn or listed in BENCH_PIN_EXTRA, its
# children (nginx workers, PostgreSQL backends) and all their threads, onto CPUS. Best effort:
# without taskset nothing moves.
bench_pin() {
  command -v taskset >/dev/null 2>&1 || return 0
  local pid child
  for pid in "${BENCH_PIDS[@]}" "${BENCH_PIN_EXTRA[@]}"; do
    kill -0 "$pid" 2>/dev/null || continue
    taskset -apc "$1" "$pid" >/dev/null 2>&1 || true
    for child in $(pgrep -P "$pid" 2>/dev/null); do taskset -apc "$1" "$child" >/dev/null 2>&1 || true; done
  done
}

# cpu_ticks -> "total steal" jiffies over all CPUs, from /proc/stat.
cpu_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9; exit}' /proc/stat; }

# wait_port PORT SECONDS PID -> 0 once 127.0.0.1:PORT accepts; 1 on timeout or if PID died
wait_port() {
  local port=$1 secs=$2 pid=${3:-} deadline i
  deadline=$(( $(date +%s%N) + secs * 1000000000 ))
  for ((i = 0; i < 100000; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null && return 1
    (( $(date +%s%N) > deadline )) && return 1
    sleep 0.002
  done
  return 1
}

# ---------------------------------------------------------------- nginx
# nginx_quote FILE -> the file's contents as an nginx single-quoted string body.
nginx_quote() {
  python3 - "$1" <<'EOF'
import sys
t = open(sys.argv[1]).read()
if "$" in t: sys.exit("fixture %s contains '$' (nginx would read it as a variable)" % sys.argv[1])
# Newlines become nginx's "\n" escape: $(...) would strip trailing ones, and SSE needs them.
sys.stdout.write(t.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n"))
EOF
}

# nginx_preamble DIR WORKERS -> the top of both nginx configs, through the opening of
# `http {` (the caller writes the http block's contents and closes it); files under DIR.
nginx_preamble() {
  local d=$1
  cat <<EOF
worker_processes $2;
daemon off;
master_process on;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server_tokens off;
EOF
}

# nginx_start DIR PORT NAME -> checks DIR/nginx.conf, starts nginx on it and waits (bounded)
# for PORT; sets SPAWNED_PID.
nginx_start() {
  local d=$1 port=$2 name=$3
  nginx -t -q -p "$d" -c "$d/nginx.conf" >"$d/logs/t.log" 2>&1 || { cat "$d/logs/t.log" >&2; die "$name nginx config invalid"; }
  bench_spawn "$d/logs/stdout.log" nginx -p "$d" -c "$d/nginx.conf"
  wait_port "$port" 10 "$SPAWNED_PID" || { cat "$d/logs/error.log" "$d/logs/stdout.log" >&2; die "$name nginx did not start"; }
}

# start_upstream PORT -> fixed-answer nginx on 127.0.0.1:PORT; sets UPSTREAM_PID
#   POST /v1/chat/completions          -> OpenAI chat.completion JSON
#   POST /v1/messages                  -> Anthropic message JSON
#   POST /stream/v1/chat/completions   -> OpenAI SSE chunks ending "data: [DONE]" (chunked, like the real API)
#   POST /stream/v1/messages           -> Anthropic SSE events (chunked)
start_upstream() {
  local port=$1 d="$BENCH_TMP/nginx-upstream"
  mkdir -p "$d/logs" "$d/tmp"; chmod -R 755 "$d"
  local oa an oas ans
  oa=$(nginx_quote "$FIXTURES/openai-chat.json") || exit 1
  an=$(nginx_quote "$FIXTURES/anthropic-message.json") || exit 1
  oas=$(nginx_quote "$FIXTURES/openai-stream.sse") || exit 1
  ans=$(nginx_quote "$FIXTURES/anthropic-stream.sse") || exit 1
  { nginx_preamble "$d" "${BENCH_UPSTREAM_WORKERS:-1}"; cat <<EOF
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    location = /v1/chat/completions {
      default_type application/json;
      return 200 '$oa';
    }
    location = /v1/messages {
      default_type application/json;
      return 200 '$an';
    }
    # Streams: the SSI filter drops Content-Length, so nginx answers with
    # Transfer-Encoding: chunked, as OpenAI and Anthropic do for SSE.
    location = /stream/v1/chat/completions {
      default_type text/event-stream;
      ssi on; ssi_types text/event-stream;
      add_header Cache-Control no-cache;
      return 200 '$oas';
    }
    location = /stream/v1/messages {
      default_type text/event-stream;
      ssi on; ssi_types text/event-stream;
      add_header Cache-Control no-cache;
      return 200 '$ans';
    }
    location / { return 404 '{"error":"no such fixture"}'; }
  }
}
EOF
  } >"$d/nginx.conf"
  nginx_start "$d" "$port" upstream
  UPSTREAM_PID=$SPAWNED_PID
}

# start_nginx_proxy PORT UPSTREAM_PORT -> nginx reverse proxy with kept-alive upstream connections
start_nginx_proxy() {
  local port=$1 up=$2 d="$BENCH_TMP/nginx-proxy"
  mkdir -p "$d/logs" "$d/tmp"; chmod -R 755 "$d"
  { nginx_preamble "$d" "${BENCH_PROXY_WORKERS:-auto}"; cat <<EOF
  upstream fixed {
    server 127.0.0.1:$up;
    keepalive 64;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
  }
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    location / {
      proxy_pass http://fixed;
    }
    location /stream/ {
      proxy_pass http://fixed;
      proxy_buffering off;    # how an SSE proxy is configured
    }
  }
}
EOF
  } >"$d/nginx.conf"
  nginx_start "$d" "$port" proxy
  PROXY_PID=$SPAWNED_PID
}

# ---------------------------------------------------------------- gateway
# find_gateway [--build] -> sets TOLLGATE (path) or leaves it empty
find_gateway() {
  local build=${1:-}
  TOLLGATE="${TOLLGATE_BIN:-$REPO_DIR/.build/release/tollgate}"
  if [[ ! -x "$TOLLGATE" && -z "${TOLLGATE_BIN:-}" && "$build" == "--build" ]]; then
    log "no release gateway at $TOLLGATE — building (make build; minutes on 2 cores)"
    (cd "$REPO_DIR" && make build >&2) || log "build failed"
  fi
  [[ -x "$TOLLGATE" ]] || TOLLGATE=""
}

# gateway_env UPSTREAM_PORT GATEWAY_PORT ADMIN_PORT -> exports the variables routes-bench*.yaml read
gateway_env() {
  export TOLLGATE_BENCH_UPSTREAM="http://127.0.0.1:$1"
  export TOLLGATE_BENCH_LISTEN="127.0.0.1:$2"
  export TOLLGATE_BENCH_ADMIN="127.0.0.1:$3"
  export TOLLGATE_BENCH_STORE="${BENCH_STORE:-memory}"
  export TOLLGATE_BENCH_VK="vk-bench-0001"
}

# rss_kib PID [FIELD] -> VmRSS (or FIELD, e.g. VmHWM) in KiB
rss_kib() { awk -v f="${2:-VmRSS}:" '$1==f {print $2}' "/proc/$1/status" 2>/dev/null; }

# post URL BODYFILE [extra curl args] -> prints "HTTP_CODE\n<body>" (bounded: 10 s)
post() {
  local url=$1 body=$2; shift 2
  curl -sS -m 10 -o - -w '\n%{http_code}' -H 'content-type: application/json' \
    -H 'authorization: Bearer sk-client-not-used' "$@" --data-binary "@$body" "$url" 2>&1
}

# resp_header_ok HEADERFILE NAME VALUE_ERE -> 0 if the header dump (curl -D) has a NAME header whose
# whole value matches the extended regex VALUE_ERE (names and values case-insensitive)
resp_header_ok() { tr -d '\r' <"$1" 2>/dev/null | grep -qiE "^$2:[[:space:]]*($3)[[:space:]]*$"; }

# start_gateway CFG PROBE_URL PROBE_BODY TIMEOUT_S [WRAPPER...]
#   exec the gateway (optionally under WRAPPER, e.g. valgrind or env VAR=...), then poll PROBE_URL
#   until it answers 200. Sets GW_PID, GW_LOG, GW_LISTEN_MS (port open), GW_STARTUP_MS (first 200).
#   The log is $BENCH_TMP/gateway.log, or BENCH_GW_LOG when set (a second gateway of the run).
#   Returns 1 if it exits or gives no 200 within TIMEOUT_S.
start_gateway() {
  local cfg=$1 url=$2 body=$3 secs=$4; shift 4
  local port=${url#http://127.0.0.1:}; port=${port%%/*}
  GW_LOG="${BENCH_GW_LOG:-$BENCH_TMP/gateway.log}"; GW_LISTEN_MS=""; GW_STARTUP_MS=""; GW_LAST_CODE=""
  local t0 i code
  t0=$(date +%s%N)
  bench_spawn "$GW_LOG" "$@" "$TOLLGATE" serve --config "$cfg"
  GW_PID=$SPAWNED_PID
  wait_port "$port" "$secs" "$GW_PID" || return 1
  GW_LISTEN_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  for ((i = 0; i < 100000; i++)); do
    kill -0 "$GW_PID" 2>/dev/null || return 1
    # The same bearer token as `post` and nreq.py: a governance route (bench/profile rows f, g)
    # admits it as the virtual key; other routes never forward it.
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' -H 'content-type: application/json' \
      -H 'authorization: Bearer sk-client-not-used' --data-binary "@$body" "$url" 2>/dev/null || true)
    GW_LAST_CODE=$code
    if [[ "$code" == 200 ]]; then
      GW_STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
      return 0
    fi
    (( ($(date +%s%N) - t0) > secs * 1000000000 )) && return 1
    sleep 0.005
  done
  return 1
}

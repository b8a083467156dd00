-- wrk script: POST a fixed chat body; report exact numbers for bench/run.
-- Environment:
--   BENCH_BODY_FILE      request body (JSON), required
--   BENCH_RESULT         where done() writes one line of results (optional)
--   BENCH_HEADERS        extra headers, "name: value" separated by "|" (optional)
--   BENCH_MAX_REQUESTS   stop each thread after this many responses (optional; bench/profile)
local body_file = os.getenv("BENCH_BODY_FILE") or error("BENCH_BODY_FILE not set")
local f = assert(io.open(body_file, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-client-not-used"
wrk.headers["User-Agent"] = "tollgate-bench/1 (wrk)"
for h in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
  local k, v = string.match(h, "^%s*([^:]+):%s*(.-)%s*$")
  if k then wrk.headers[k] = v end
end

local max = tonumber(os.getenv("BENCH_MAX_REQUESTS") or "")
if max then
  local seen = 0
  response = function(status, headers, body)
    seen = seen + 1
    if seen >= max then wrk.thread:stop() end
  end
end

done = function(summary, latency, requests)
  local out = os.getenv("BENCH_RESULT")
  local e = summary.errors
  local line = string.format(
    "requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d status=%d timeout=%d bytes=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout, summary.bytes)
  if out then
    local o = assert(io.open(out, "w")); o:write(line); o:close()
  else
    io.write(line)
  end
end

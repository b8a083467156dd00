"""Fleet mode end to end (spec section 11, issue 17): several gateway instances on one real
PostgreSQL (a throwaway cluster per test, pgcluster.py), with the real OpenAI SDK.

Exact limits across instances (60 concurrent requests for 30 a minute, in requests and in
tokens), reserved budgets that concurrency cannot overspend and that settle to the real cost,
the request log shared, async jobs polled on another instance and taken over from a killed one,
state kept across a restart of the whole fleet, a concurrent first start on an empty database,
a PostgreSQL outage (503 with retry-after, /health degraded, service back without a restart),
and examples/fleet/three-instances.sh as a user runs it.

Numbers the tests rely on (the gateway's admission rules, spec section 11):
- a request's worst case is its input estimate, ceil(body bytes / 4), plus its `max_tokens`;
  the SDK's body for PROMPT and a 3-4 digit max_tokens is 105-125 bytes whatever its JSON
  spacing, so the input estimate is 27-32 tokens;
- pricing is overridden to 1000 USD per 1M tokens (0.001 $ a token, input and output alike);
- the mock counts one token per word: PROMPT is 6 prompt tokens and its echo 7 completion
  tokens, so an answered request really costs 0.013 $.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai
import pytest

from conftest import ROOT, TOLLGATE_BIN, UPSTREAM_KEY, Background, Gateway, assert_openai_error, wait_until
from pgcluster import NO_SERVER_REASON, pg, server_binaries  # noqa: F401  (pg is a fixture)

pytestmark = pytest.mark.skipif(server_binaries() is None and not os.environ.get("CI"), reason=NO_SERVER_REASON)

VK_OPEN = "vk-fleet-open-5c1d"          # no limits
VK_RPM = "vk-fleet-rpm-8e2a"            # 30 requests a minute
VK_TPM = "vk-fleet-tpm-41b7"            # 31 000 tokens a minute
VK_BUDGET = "vk-fleet-budget-9f03"      # fits BUDGET_FITS worst cases
VK_SETTLE = "vk-fleet-settle-6a4e"      # fits 1.5 worst cases
VK_SLOW = "vk-fleet-slow-2d90"          # 2 requests a minute (restart)
VK_SPEND = "vk-fleet-spend-7c55"        # a budget that one answer overspends (restart)
VK_RPM_AFTER = "vk-fleet-rpm2-0b18"     # 30 requests a minute, used only after the restart

MODEL = "gpt-4o-mini"
PROMPT = "count the ships in the fleet"     # 28 characters, 6 words
ECHO = f"echo: {PROMPT}"
REAL_COST = 0.013                            # (6 + 7) tokens at 0.001 $

TPM_MAX_TOKENS = 1000                        # worst case 1027-1032 tokens: 30 fit in 31 000 (<= 30 960), 31 do not (>= 31 837)
BUDGET_MAX_TOKENS = 200                      # worst case 0.227-0.232 $
BUDGET_FITS = 4
BUDGET_USD = 0.95                            # 4 worst cases fit (<= 0.928), 5 do not (>= 1.135)
SETTLE_USD = 0.32                            # one worst case fits, two do not; spent + one does
SLOW_UPSTREAM = 3.0                          # seconds the mock waits: no settlement before all decisions


def config(store_url: str) -> str:
    return f"""server:
  listen: {{{{LISTEN}}}}
  drain_seconds: 5
admin:
  listen: {{{{ADMIN}}}}
store: "{store_url}"
providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
virtual_keys:
  - {{key: {VK_OPEN}, name: open}}
  - {{key: {VK_RPM}, name: rpm, rate_limit: {{requests_per_minute: 30}}}}
  - {{key: {VK_TPM}, name: tpm, rate_limit: {{tokens_per_minute: 31000}}}}
  - {{key: {VK_BUDGET}, name: budget, budget: {{max_usd: {BUDGET_USD}, period: 1d}}}}
  - {{key: {VK_SETTLE}, name: settle, budget: {{max_usd: {SETTLE_USD}, period: 1d}}}}
  - {{key: {VK_SLOW}, name: slow, rate_limit: {{requests_per_minute: 2}}}}
  - {{key: {VK_SPEND}, name: spend, budget: {{max_usd: 0.5, period: 1d}}}}
  - {{key: {VK_RPM_AFTER}, name: rpm-after, rate_limit: {{requests_per_minute: 30}}}}
pricing:
  openai/gpt-4o-mini: {{input: 1000, output: 1000}}
routes:
  - id: chat
    uri: /v1/chat/completions
    methods: [POST]
    plugins:
      - governance: {{required: true}}
      - async: {{ttl_seconds: 60}}
      - telemetry: {{}}
      - ai-proxy: {{surface: openai-chat, provider: openai}}
"""


def fleet(start_gateway, pg, n: int = 3) -> list[Gateway]:
    return [start_gateway(config(pg.url)) for _ in range(n)]


MESSAGES = [{"role": "user", "content": PROMPT}]


def chat(gw: Gateway, key: str, **kw):
    """One whole chat answer through the SDK; returns the raw response (headers, .parse())."""
    return gw.openai(api_key=key, timeout=60).chat.completions.with_raw_response.create(
        model=MODEL, messages=MESSAGES, **kw)


def retry_after(err: openai.APIStatusError) -> int:
    v = err.response.headers.get("retry-after")
    assert v is not None, f"{err.status_code} without retry-after: {dict(err.response.headers)}"
    return int(v)


def burst(gws: list[Gateway], n: int, key: str, **kw):
    """n requests at once (threads released together), request i on instance i % len(gws).
    Returns (answers, refusals, spread): raw responses, APIStatusErrors, and the seconds from
    the release to the last refusal (every admission decision was made within it)."""
    clients = [gw.openai(api_key=key, timeout=60) for gw in gws]
    barrier = threading.Barrier(n)

    def one(i):
        barrier.wait(timeout=30)
        t0 = time.monotonic()
        try:
            r = clients[i % len(clients)].chat.completions.with_raw_response.create(
                model=MODEL, messages=MESSAGES, **kw)
            return i, r, t0, time.monotonic()
        except openai.APIStatusError as e:
            return i, e, t0, time.monotonic()

    with ThreadPoolExecutor(max_workers=n) as ex:
        results = list(ex.map(one, range(n)))
    unexpected = [(i, r) for i, r, _, _ in results
                  if isinstance(r, openai.APIStatusError) and r.status_code != 429]
    assert not unexpected, "answers other than 200 and 429: " + "; ".join(
        f"#{i} on instance {i % len(gws)}: {e.status_code} {e.response.text[:300]}" for i, e in unexpected)
    answers = [r for _, r, _, _ in results if not isinstance(r, Exception)]
    refusals = [r for _, r, _, _ in results if isinstance(r, openai.APIStatusError)]
    start = min(t0 for _, _, t0, _ in results)
    spread = max([t1 for _, r, _, t1 in results if isinstance(r, Exception)] or [start]) - start
    return answers, refusals, spread


def admin_logs(gw: Gateway, query: str = "") -> list[dict]:
    r = gw.admin("GET", "/admin/logs?limit=100" + (f"&{query}" if query else ""))
    assert r.status == 200, r.body
    return r.json()["data"]


def logged_costs(gw: Gateway, answers) -> list[float]:
    """cost_usd of each answer's request-log row, found by its x-request-id on any instance
    (writes are batched: waits up to 5 s). Passthrough answers carry no x-tollgate-cost-usd
    header (only translated whole answers do), so the log is where every cost is."""
    ids = [r.headers["x-request-id"] for r in answers]

    def rows():
        by_id = {x["request_id"]: x for x in admin_logs(gw)}
        return by_id if all(i in by_id for i in ids) else None
    by_id = wait_until(rows, 5, interval=0.2)
    assert by_id, f"request-log rows missing for {ids}: {[x['request_id'] for x in admin_logs(gw)]}"
    for r, i in zip(answers, ids):
        header = r.headers.get("x-tollgate-cost-usd")
        if header is not None:
            assert float(header) == pytest.approx(by_id[i]["cost_usd"], abs=1e-6), (header, by_id[i])
    return [by_id[i]["cost_usd"] for i in ids]


def poll_chat(gw: Gateway, key: str, job_id: str, timeout: float):
    """Polls a job on `gw` until it has choices; returns the completion (None on timeout)."""
    client = gw.openai(api_key=key)

    def once():
        try:
            r = client.chat.completions.create(model=MODEL, messages=MESSAGES, extra_headers={"x-bf-async-id": job_id})
        except (openai.APIConnectionError, openai.InternalServerError):
            return None
        return r if r.choices else None
    return wait_until(once, timeout, interval=0.25)


def health(gw: Gateway):
    r = gw.admin("GET", "/health", timeout=5)
    try:
        return r.status, json.loads(r.body)
    except ValueError:
        return r.status, r.body


def health_if(gw: Gateway, status: int):
    """(status, body) of /health when it answers `status`, else None."""
    got = health(gw)
    return got if got[0] == status else None


# --------------------------------------------------------------------------- exact limits

def test_requests_per_minute_is_exact_across_three_instances(pg, start_gateway, mock):
    gws = fleet(start_gateway, pg)
    answers, refusals, spread = burst(gws, 60, VK_RPM)
    assert (len(answers), len(refusals)) == (30, 30), (
        f"{len(answers)} admitted, {len(refusals)} refused for a 30/min key over 3 instances "
        f"(decisions within {spread:.2f}s)")
    for r in answers:
        assert r.status_code == 200 and r.parse().choices[0].message.content == ECHO
    for e in refusals:
        assert isinstance(e, openai.RateLimitError), e
        assert retry_after(e) >= 1
        assert e.code == "rate_limit_exceeded", e.body
    assert len(mock.matching("*/chat/completions")) == 30, "refused requests reached the upstream"


def test_tokens_per_minute_is_exact_across_three_instances(pg, start_gateway, mock):
    gws = fleet(start_gateway, pg)
    # Slow answers: no reservation is settled (and nothing given back) before all 60 decisions.
    mock.script("*/chat/completions", delay=SLOW_UPSTREAM, times=None)
    answers, refusals, spread = burst(gws, 60, VK_TPM, max_tokens=TPM_MAX_TOKENS)
    assert (len(answers), len(refusals)) == (30, 30), (
        f"{len(answers)} admitted, {len(refusals)} refused: 30 worst cases of ~1030 tokens fit in "
        f"31 000 a minute, 31 do not (decisions within {spread:.2f}s)")
    for e in refusals:
        assert isinstance(e, openai.RateLimitError), e
        assert retry_after(e) >= 1
        assert e.code == "rate_limit_exceeded", e.body
    assert len(mock.matching("*/chat/completions")) == 30


# --------------------------------------------------------------------------- budgets

def test_concurrent_requests_never_overspend_a_budget(pg, start_gateway, mock):
    gws = fleet(start_gateway, pg)
    mock.script("*/chat/completions", delay=SLOW_UPSTREAM, times=None)
    n = 3 * BUDGET_FITS
    answers, refusals, spread = burst(gws, n, VK_BUDGET, max_tokens=BUDGET_MAX_TOKENS)
    assert len(answers) <= BUDGET_FITS, (
        f"{len(answers)} admitted: only {BUDGET_FITS} worst cases fit in ${BUDGET_USD}")
    costs = logged_costs(gws[2], answers)
    assert sum(costs) <= BUDGET_USD, costs
    for e in refusals:
        assert isinstance(e, openai.RateLimitError), e
        assert retry_after(e) >= 1
        assert e.code == "budget_exceeded", e.body
    assert len(mock.matching("*/chat/completions")) == len(answers)
    # Every decision came before any settlement, so exactly the worst cases that fit passed.
    assert len(answers) == BUDGET_FITS, f"{len(answers)} admitted, {BUDGET_FITS} fit (decisions within {spread:.2f}s)"
    assert sum(costs) == pytest.approx(BUDGET_FITS * REAL_COST, abs=1e-6), costs


def test_a_settled_reservation_frees_the_rest_of_the_budget(pg, start_gateway, mock):
    a, b, c = fleet(start_gateway, pg)
    mock.script("*/chat/completions", delay=SLOW_UPSTREAM, times=1)
    first = Background(chat, a, VK_SETTLE, max_tokens=BUDGET_MAX_TOKENS)
    assert mock.wait_requests(1, timeout=10), "the first request never reached the upstream"

    # Its worst case is reserved: a second worst case does not fit beside it, on any instance.
    with pytest.raises(openai.RateLimitError) as ei:
        chat(b, VK_SETTLE, max_tokens=BUDGET_MAX_TOKENS)
    assert ei.value.code == "budget_exceeded", ei.value.body
    assert retry_after(ei.value) >= 1
    assert len(mock.requests) == 1

    r = first.result(timeout=30)
    assert r.status_code == 200 and r.parse().choices[0].message.content == ECHO
    assert logged_costs(c, [r]) == [pytest.approx(REAL_COST, abs=1e-6)]

    # Settled to its real cost (0.013 of ~0.23 reserved): the next worst case fits again.
    def admitted():
        try:
            return chat(c, VK_SETTLE, max_tokens=BUDGET_MAX_TOKENS)
        except openai.RateLimitError:
            return None
    nxt = wait_until(admitted, 2.0, interval=0.1)
    assert nxt is not None, "2 s after the first answer its reservation was still not settled"
    assert nxt.parse().choices[0].message.content == ECHO


# --------------------------------------------------------------------------- request log

def test_request_log_on_any_instance_shows_every_instance(pg, start_gateway, mock):
    gws = fleet(start_gateway, pg)
    ids = set()
    for i, gw in enumerate(gws):
        for j in range(2):
            rid = f"fleet-log-{i}-{j}"
            r = gw.http("POST", "/v1/chat/completions", {"model": MODEL, "messages": MESSAGES},
                        {"Authorization": f"Bearer {VK_OPEN}", "x-request-id": rid})
            assert r.status == 200, r.body
            assert r.headers.get("x-request-id") == rid
            ids.add(rid)
    for gw in gws:
        seen = wait_until(lambda: ids <= {x["request_id"] for x in admin_logs(gw, "vk=open")} or None, 5, 0.2)
        assert seen, (f"{gw.admin_url}/admin/logs lacks rows of other instances: "
                      f"{sorted(ids - {x['request_id'] for x in admin_logs(gw, 'vk=open')})}")
    rows = [x for x in admin_logs(gws[0], "vk=open") if x["request_id"] in ids]
    assert len(rows) == 6, rows  # each request once, not once per instance


# --------------------------------------------------------------------------- async jobs

SUBMIT = {"x-bf-async": "true"}


def test_job_submitted_on_one_instance_is_polled_on_another(pg, start_gateway, mock):
    a, b, c = fleet(start_gateway, pg)
    job = a.openai(api_key=VK_OPEN).chat.completions.create(model=MODEL, messages=MESSAGES, extra_headers=SUBMIT)
    assert job.id and job.choices == []
    done = poll_chat(b, VK_OPEN, job.id, timeout=20)
    assert done, f"job {job.id} did not complete when polled on another instance"
    assert done.choices[0].message.content == ECHO
    again = poll_chat(c, VK_OPEN, job.id, timeout=5)
    assert again and (again.id, again.choices[0].message.content) == (done.id, ECHO)
    assert len(mock.matching("*/chat/completions")) == 1


def _socket_inodes(pid: int) -> set[str]:
    out = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return out
    for fd in fds:
        try:
            m = re.match(r"socket:\[(\d+)\]", os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
        if m:
            out.add(m.group(1))
    return out


def _connected_to(port: int) -> set[str]:
    """Inodes of the established TCP sockets whose remote end is 127.0.0.1:port."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == "01" and int(f[2].rsplit(":", 1)[1], 16) == port:
                out.add(f[9])
    return out


def test_killed_instance_job_is_run_once_by_another(pg, start_gateway, mock):
    gws = fleet(start_gateway, pg)
    mock.script("*/chat/completions", delay=SLOW_UPSTREAM, times=1)
    job = gws[0].openai(api_key=VK_OPEN).chat.completions.create(model=MODEL, messages=MESSAGES, extra_headers=SUBMIT)
    assert job.choices == []
    assert mock.wait_requests(1, timeout=10), "the job never reached the upstream"
    first = mock.requests[0]
    first_end = []
    threading.Thread(target=lambda: (first.finished.wait(120), first_end.append(time.monotonic())), daemon=True).start()

    # Whichever instance claimed the job holds the only connection to the upstream (no other
    # request has been made): that is the one to kill (the submitter, unless another claimed it).
    conns = _connected_to(mock.port)
    holders = [gw for gw in gws if _socket_inodes(gw.proc.pid) & conns]
    assert len(holders) == 1, f"{len(holders)} instances hold a connection to the upstream while one job runs"
    victim = holders[0]
    victim.proc.kill()
    victim.proc.wait(10)
    survivors = [gw for gw in gws if gw is not victim]

    # Lease 10 s, renewed every 3 s; another instance's sweep (~2 s) takes the job over.
    done = poll_chat(survivors[0], VK_OPEN, job.id, timeout=40)
    assert done, (f"job {job.id} did not complete within 40 s of SIGKILL of its worker; upstream saw "
                  f"{[(r.path, r.disconnected, r.completed) for r in mock.requests]}")
    assert done.choices[0].message.content == ECHO
    again = poll_chat(survivors[0], VK_OPEN, job.id, timeout=5)
    other = poll_chat(survivors[1], VK_OPEN, job.id, timeout=5)
    assert again and other
    assert (again.id, again.choices[0].message.content) == (done.id, ECHO)
    assert (other.id, other.choices[0].message.content) == (done.id, ECHO)

    reqs = mock.matching("*/chat/completions")
    assert len(reqs) == 2, f"the upstream saw the job {len(reqs)} times (once from the killed instance, once after)"
    assert first.disconnected and not first.completed
    assert first_end, "the killed instance's upstream call never ended"
    assert reqs[1].at >= first_end[0], "the job ran on two instances at once"
    assert reqs[1].completed


# --------------------------------------------------------------------------- restart

def test_state_survives_a_restart_of_every_instance(pg, start_gateway, mock):
    gws = fleet(start_gateway, pg)
    a, b, c = gws
    # A budget is overspent by one answer whose real usage is far above its estimate ...
    mock.script("*/chat/completions", usage={"prompt_tokens": 700, "total_tokens": 707})
    r = chat(a, VK_SPEND, max_tokens=BUDGET_MAX_TOKENS)
    assert logged_costs(c, [r]) == [pytest.approx(0.707, abs=1e-6)]
    with pytest.raises(openai.RateLimitError):
        chat(b, VK_SPEND, max_tokens=BUDGET_MAX_TOKENS)
    # ... a job is done ...
    job = a.openai(api_key=VK_OPEN).chat.completions.create(model=MODEL, messages=MESSAGES, extra_headers=SUBMIT)
    done = poll_chat(b, VK_OPEN, job.id, timeout=20)
    assert done, "job did not complete"
    # ... and a 2-a-minute key spends its two requests (the next is allowed 30 s after the first).
    spent_at = time.monotonic()
    slow = [chat(a, VK_SLOW), chat(b, VK_SLOW)]
    with pytest.raises(openai.RateLimitError):
        chat(c, VK_SLOW)
    last = chat(a, VK_OPEN)   # its request-log row is still in the batch when SIGTERM comes
    upstream_before = len(mock.requests)

    for gw in gws:
        gw.term()
    for gw in gws:
        assert gw.wait_exit(20) == 0, gw.logs()
    for gw in gws:
        gw.start()

    with pytest.raises(openai.RateLimitError) as ei:
        chat(c, VK_SLOW)
    assert retry_after(ei.value) >= 1
    assert time.monotonic() - spent_at < 30, "the restart took too long for this check to mean anything"
    with pytest.raises(openai.RateLimitError) as ei:
        chat(a, VK_SPEND, max_tokens=BUDGET_MAX_TOKENS)
    assert ei.value.code == "budget_exceeded", ei.value.body
    assert len(mock.requests) == upstream_before, "a refused request reached the upstream after the restart"
    again = poll_chat(c, VK_OPEN, job.id, timeout=5)
    assert again and (again.id, again.choices[0].message.content) == (done.id, ECHO)
    assert len(mock.requests) == upstream_before, "a finished job ran again after the restart"
    # The request log kept the rows of the last requests before SIGTERM (a drain flushes them).
    assert logged_costs(c, [r, *slow, last]) == [pytest.approx(0.707, abs=1e-6)] + [pytest.approx(REAL_COST, abs=1e-6)] * 3

    # Limits are still exact across the restarted fleet.
    answers, refusals, spread = burst(gws, 60, VK_RPM_AFTER)
    assert (len(answers), len(refusals)) == (30, 30), f"after the restart (decisions within {spread:.2f}s)"


def test_instances_starting_at_once_on_an_empty_database_all_come_up(pg, tmp_path, mock):
    gws = []
    for i in range(3):
        d = tmp_path / f"first{i}"
        d.mkdir()
        gws.append(Gateway(d, config(pg.url), mock))
    try:
        starts = [Background(gw.start) for gw in gws]
        errors = []
        for gw, s in zip(gws, starts):
            try:
                s.result(timeout=60)
            except Exception as e:  # noqa: BLE001 - collected and reported together
                errors.append(f"{gw.url}: {e}")
        assert not errors, "\n".join(errors)
        for gw in gws:
            r = chat(gw, VK_OPEN)
            assert r.parse().choices[0].message.content == ECHO
            assert health(gw)[0] == 200
    finally:
        for gw in gws:
            gw.stop()
            print(f"--- tollgate stderr [{gw.stderr_path}] ---\n" + "\n".join(gw.logs().splitlines()[-20:]))


# --------------------------------------------------------------------------- outage

def test_postgres_outage_gives_503_then_service_without_a_restart(pg, start_gateway, mock):
    a, b = fleet(start_gateway, pg, n=2)
    pids = [a.proc.pid, b.proc.pid]
    for gw in (a, b):
        assert health(gw) == (200, {"status": "ok", "store": {"kind": "postgres", "status": "ok"}})
        assert chat(gw, VK_RPM).parse().choices[0].message.content == ECHO
    upstream_before = len(mock.requests)

    pg.stop_server()
    down = time.monotonic()
    with pytest.raises(openai.InternalServerError) as ei:
        chat(a, VK_RPM)
    assert ei.value.status_code == 503, ei.value
    assert retry_after(ei.value) >= 1
    print(f"first 503 after {time.monotonic() - down:.2f}s")
    r = b.http("POST", "/v1/chat/completions", {"model": MODEL, "messages": MESSAGES},
               {"Authorization": f"Bearer {VK_RPM}"})
    assert_openai_error(r, 503)
    assert int(r.headers.get("retry-after", "0")) >= 1, r.headers
    assert len(mock.requests) == upstream_before, "a request passed unchecked while the store was down"
    print(f"second 503 after {time.monotonic() - down:.2f}s")
    for gw in (a, b):
        got = wait_until(lambda: health_if(gw, 503), 5, 0.2)
        assert got, f"/health during the outage: {health(gw)}"
        body = got[1]
        assert isinstance(body, dict) and body["status"] == "degraded", body
        assert body["store"]["status"] == "unreachable", body

    pg.start_server()
    back = time.monotonic()

    def serves(gw):
        try:
            r = chat(gw, VK_RPM)
        except (openai.InternalServerError, openai.APIConnectionError):
            return None
        return r if r.parse().choices[0].message.content == ECHO else None
    served = []
    for gw in (a, b):
        r = wait_until(lambda: serves(gw), max(0.1, back + 10 - time.monotonic()), 0.2)
        assert r, f"{gw.url} did not serve again within 10 s of PostgreSQL's return"
        print(f"{gw.url} serves again {time.monotonic() - back:.2f}s after PostgreSQL's return")
        served.append(r)
    for gw in (a, b):
        ok = wait_until(lambda: health_if(gw, 200), max(0.1, back + 10 - time.monotonic()), 0.2)
        assert ok == (200, {"status": "ok", "store": {"kind": "postgres", "status": "ok"}}), health(gw)
    # The request log writes again too: both instances' requests since the return are in it.
    logged_costs(a, served)
    assert [a.proc.pid, b.proc.pid] == pids and a.alive and b.alive


# --------------------------------------------------------------------------- the example

def _free_run(n: int) -> int:
    """A base port with n consecutive free loopback ports."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n > 65535:
            continue
        try:
            socks = []
            for p in range(base, base + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no run of free ports")


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _pids_mentioning(text: str) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit() and int(d) != os.getpid():
            try:
                if text.encode() in Path(f"/proc/{d}/cmdline").read_bytes() and _running(int(d)):
                    out.append(int(d))
            except OSError:
                pass
    return out


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_three_instances_example_script(mock):
    script = ROOT / "examples" / "fleet" / "three-instances.sh"
    base, admin_base = _free_run(3), _free_run(3)
    while admin_base < base + 3 and base < admin_base + 3:
        admin_base = _free_run(3)
    vk = "vk-fleet-example-test"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(TOLLGATE_BIN=str(TOLLGATE_BIN), FLEET_BASE_PORT=str(base), FLEET_ADMIN_BASE_PORT=str(admin_base),
               OPENAI_BASE_URL=f"{mock.url}/v1", OPENAI_API_KEY=UPSTREAM_KEY, FLEET_VK=vk)
    proc = subprocess.Popen(["bash", str(script)], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []

    def read():
        for line in proc.stdout:
            lines.append(line)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    work = None
    try:
        ready = wait_until(lambda: any(x.startswith("ready") for x in lines) or proc.poll() is not None, 90, 0.2)
        out = "".join(lines)
        assert ready and proc.poll() is None, f"the script did not get ready:\n{out}"
        m = re.search(r"server log: (\S+)/pg/log", out)
        assert m, out
        work = m.group(1)
        urls = re.findall(r"instance \d: (http://127\.0\.0\.1:\d+/v1)", out)
        assert urls == [f"http://127.0.0.1:{base + i}/v1" for i in range(3)], out
        for u in urls:
            client = openai.OpenAI(base_url=u, api_key=vk, max_retries=0, timeout=30)
            r = client.chat.completions.create(model=MODEL, messages=MESSAGES)
            assert r.choices[0].message.content == ECHO
        assert len(mock.matching("*/chat/completions")) == 3
        assert all(x.auth() == UPSTREAM_KEY for x in mock.requests)
        spawned = _descendants(proc.pid)
        assert spawned, "the script has no child processes"
        pg_port = int(Path(work, "pg", "port").read_text())

        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(60)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the script did not stop within 60 s of SIGTERM:\n{''.join(lines)}")
        reader.join(5)
        assert rc == 143, f"exit {rc}:\n{''.join(lines)}"
        assert lines and lines[-1].strip() == "stopped", "".join(lines)
        left = [p for p in spawned if _running(p)]
        assert not left, f"processes left running: {left}"
        assert not _pids_mentioning(work), f"processes still using {work}: {_pids_mentioning(work)}"
        for p in [base + i for i in range(3)] + [admin_base + i for i in range(3)] + [pg_port]:
            assert not _port_open(p), f"port {p} still accepts connections"
        assert not Path(work).exists(), f"{work} was not removed"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        if work and Path(work, "pg").exists():
            subprocess.run(["bash", str(ROOT / "examples" / "fleet" / "pg-cluster.sh"), "stop", f"{work}/pg"],
                           capture_output=True, timeout=60)
        if work:
            shutil.rmtree(work, ignore_errors=True)

"""Hardening: what a slow, idle, hostile or unlucky client or upstream must not be able to do
to the gateway, driven as a user or an attacker would (the SDKs where they can send the
input, raw sockets and http.client where they cannot).

 1  a pooled upstream connection left paused by a slow reader stalls later requests
 2  client timeouts: idle keep-alive, Slowloris, silent connections, slow bodies, readers that
    read nothing; descriptor exhaustion
 3  model names reaching upstream URL paths unescaped (Gemini, Vertex, Azure)
 4  answers cut by the upstream must reach the client as cut, not as whole
 5  buffers fed by the upstream are bounded (an endless SSE line; a large whole answer counted
    for usage)
 6  translated whole answers cost time linear in their size
 7  YAML alias bombs (check, and SIGHUP on a running gateway)
 8  drain: keep-alive clients are told to close, none loses an answer
 9  secrets: the provider key quoted by an upstream error, credentials in async jobs at rest
10  HTTP edge cases: pipelined malformed request, 413 while the body is still coming, Host

Memory and CPU are read from /proc (Linux only): VmHWM from /proc/PID/status, utime+stime
from /proc/PID/stat. Processes that may blow up (the YAML bomb) run under RLIMIT_AS so that a
broken binary fails its test instead of the machine.
"""
from __future__ import annotations

import http.client
import json
import os
import random
import re
import resource
import select
import socket
import subprocess
import threading
import time
from pathlib import Path
from unittest import mock as umock

import anthropic
import openai
import pytest

try:  # the SDKs' HTTP client (httpx2 in the pinned SDK versions)
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx

import conftest
from conftest import (CLIENT_KEY, UPSTREAM_KEY, Background, Gateway, chat_route, header, run_tollgate,
                      wait_until)

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

MSG = [{"role": "user", "content": "hardening"}]
MiB = 1 << 20
CLK_TCK = os.sysconf("SC_CLK_TCK")


# =========================================================================== helpers

def cpu_seconds(pid: int) -> float:
    """utime + stime of the whole process (all threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # after "pid (comm)": state is fields[0]; utime is field 14 overall -> index 11 here
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status_kib(pid: int, name: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise AssertionError(f"{name} not in /proc/{pid}/status")


def vm_hwm_mib(pid: int) -> float:
    return proc_status_kib(pid, "VmHWM") / 1024


def host_port(gw) -> tuple[str, int]:
    h, p = re.match(r"http://([^/:]+):(\d+)", gw.url).groups()
    return h, int(p)


def connect(gw, timeout: float = 10, rcvbuf: int | None = None) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect(host_port(gw))
    return s


def chat_bytes(path: str = "/v1/chat/completions", body: dict | None = None, extra: str = "",
               version: str = "HTTP/1.1", host: str | None = "gw") -> bytes:
    data = json.dumps(body or {"model": "gpt-4o-mini", "messages": MSG}).encode()
    head = f"POST {path} {version}\r\n"
    if host is not None:
        head += f"Host: {host}\r\n"
    head += (f"Content-Type: application/json\r\nAuthorization: Bearer {CLIENT_KEY}\r\n"
             f"Content-Length: {len(data)}\r\n{extra}\r\n")
    return head.encode() + data


class Reader:
    """Reads HTTP/1.1 responses off a raw socket (Content-Length or chunked bodies)."""

    def __init__(self, sock: socket.socket):
        self.s = sock
        self.buf = b""
        self.eof = False

    def _fill(self) -> bool:
        data = self.s.recv(1 << 16)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _until(self, sep: bytes) -> bytes:
        while sep not in self.buf:
            if not self._fill():
                raise EOFError(f"connection closed before {sep!r}; have {self.buf[:200]!r}")
        out, _, self.buf = self.buf.partition(sep)
        return out

    def _exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not self._fill():
                raise EOFError(f"connection closed after {len(self.buf)} of {n} body bytes")
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def response(self) -> tuple[int, dict, bytes]:
        head = self._until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.setdefault(k.strip().lower(), v.strip())
        if status in (204, 304) or status < 200:
            return status, headers, b""
        if "content-length" in headers:
            return status, headers, self._exactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._until(b"\r\n")
                    return status, headers, body
                body += self._exactly(size)
                self._exactly(2)
        # close-delimited
        while self._fill():
            pass
        body, self.buf = self.buf, b""
        return status, headers, body

    def at_eof(self, timeout: float = 5) -> bool:
        """True when the peer closes (or resets) within `timeout` with nothing more to read."""
        if self.buf:
            return False
        self.s.settimeout(timeout)
        try:
            return self.s.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False


def closed_by_peer(sock: socket.socket) -> bool:
    """Non-blocking: has the peer closed (EOF or reset)? Discards any data it sent (a 408)."""
    try:
        while True:
            r, _, _ = select.select([sock], [], [], 0)
            if not r:
                return False
            data = sock.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except OSError:
        return True


class GatewayWithLimits(Gateway):
    """A Gateway started with extra resource limits (set in the child before exec)."""

    def __init__(self, *a, limits: dict | None = None, **kw):
        super().__init__(*a, **kw)
        self.limits = limits or {}

    def start(self):
        limits = self.limits
        real_popen = subprocess.Popen

        def preexec():
            for res, val in limits.items():
                resource.setrlimit(res, val)

        def popen(*a, **kw):
            kw.setdefault("preexec_fn", preexec)
            return real_popen(*a, **kw)

        with umock.patch.object(conftest.subprocess, "Popen", popen):
            return super().start()


@pytest.fixture
def start_limited(tmp_path, mock):
    """start_limited(template, limits={resource.RLIMIT_X: (soft, hard)}) -> a running gateway."""
    started: list[Gateway] = []

    def start(template: str, limits: dict, env=None, args=()):
        d = tmp_path / f"lgw{len(started)}"
        d.mkdir()
        gw = GatewayWithLimits(d, template, mock, env, args, limits=limits)
        started.append(gw)
        return gw.start()

    yield start
    for gw in started:
        gw.stop()
        tail = "\n".join(gw.logs().splitlines()[-40:])
        print(f"--- tollgate stderr (last 40 lines) [{gw.stderr_path}] ---\n{tail}")


def routes(*items: str) -> str:
    return "routes:\n" + "".join(items)


def anthropic_chat_route(rid: str = "to-claude", uri: str = "/t/v1/chat/completions", key: str = UPSTREAM_KEY,
                         extra: str = "") -> str:
    """An OpenAI chat route translated to the anthropic provider at the mock."""
    return (f"  - id: {rid}\n"
            f"    uri: {uri}\n"
            f"    methods: [POST]\n"
            f"    plugins:\n"
            f"      - ai-proxy:\n"
            f"          surface: openai-chat\n"
            f"          provider: anthropic\n"
            f"          model: claude-3-5-haiku-latest\n"
            f"          api_key: {key}\n"
            f"          override: {{endpoint: \"{{{{MOCK}}}}\"}}\n"
            f"{extra}")


def chat(client, text: str = "hardening", model: str = "gpt-4o-mini", **kw):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": text}], **kw)


# =========================================================================== 1 paused pooled connection

def _slow_read_answer(gw, mock) -> int:
    """POSTs a chat request (Connection: close) and reads nothing until the mock has written
    its whole answer (it sits in the socket buffers, the gateway paused behind a full client
    socket), then reads it slowly to its end; returns how many body bytes came."""
    n0 = len(mock.requests)
    s = connect(gw, timeout=30, rcvbuf=128 * 1024)
    try:
        s.sendall(chat_bytes(extra="Connection: close\r\n"))
        # (bounded well below the route's timeout_ms: a paused upstream looks stalled to it)
        mock.wait_for(lambda m: len(m.requests) > n0 and m.requests[n0].completed, 1.5)
        time.sleep(0.1)
        got = b""
        while b"\r\n\r\n" not in got:
            data = s.recv(4096)
            assert data, f"no answer head: {got[:200]!r}"
            got += data
        head, _, rest = got.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head[:300]
        n = len(rest)
        while True:
            data = s.recv(128 * 1024)
            if not data:
                break
            n += len(data)
            time.sleep(0.01)  # each read frees room for one more read of the provider's answer
        return n
    finally:
        s.close()


@pytest.mark.timeout(240)
def test_hardening_1_slow_reader_does_not_leave_a_paused_upstream_connection_in_the_pool(start_gateway, mock):
    """The gateway stops reading the provider while the client's socket is full. When the
    answer ends during such a pause, the upstream connection went back to the pool still
    paused, and the next request on that loop sent on it waited for `timeout_ms` and got 504.
    Whether the answer's end falls in such a pause depends on how its last bytes line up
    with the gateway's reads, so the size varies from trial to trial (on the unfixed gateway
    a third to a half of the trials hit it), and the gateway has one pool per event loop, so
    each trial is followed by quick requests on new connections (spread over the loops)."""
    gw = start_gateway(header() + routes(chat_route(extra="          timeout_ms: 3000\n")))
    failures = []
    for trial in range(20):
        size = (4 + trial % 3) * MiB + trial * 17 * 1024
        mock.script("*/chat/completions", text="x" * size)
        n = _slow_read_answer(gw, mock)
        assert n > size, f"trial {trial}: short answer ({n} bytes)"
        for q in range(4):
            t0 = time.monotonic()
            r = gw.http("POST", "/v1/chat/completions", {"model": "gpt-4o-mini", "messages": MSG}, timeout=15)
            if r.status != 200:
                failures.append(f"trial {trial} ({size} bytes) quick request {q}: {r.status} after "
                                f"{time.monotonic() - t0:.1f}s: {r.body[:200]!r}")
        if failures:
            break
    assert not failures, ("requests after a slow reader's large answer stalled on the pooled upstream "
                          "connection it left paused:\n" + "\n".join(failures))


# =========================================================================== 2 client timeouts

TIMEOUTS_2S = "  client_header_timeout: 2\n  keepalive_timeout: 2\n"


def _idle_after_one_request(gw, n: int) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        s = connect(gw)
        s.sendall(chat_bytes())
        status, headers, _ = Reader(s).response()
        assert status == 200 and headers.get("connection", "").lower() != "close", (status, headers)
        socks.append(s)
    return socks


@pytest.mark.timeout(60)
def test_hardening_2_idle_slowloris_and_silent_connections_are_closed(start_gateway, mock):
    gw = start_gateway(header(extra_server=TIMEOUTS_2S) + routes(chat_route()))
    idle = _idle_after_one_request(gw, 100)
    slow = [connect(gw) for _ in range(20)]
    silent = [connect(gw) for _ in range(20)]
    opened = time.monotonic()
    head = chat_bytes()  # Slowloris: one byte of a request head every 0.5 s, never finished
    sent = {id(s): 0 for s in slow}
    groups = {"idle keep-alive": idle, "slowloris": slow, "silent": silent}
    closed: set[int] = set()
    next_byte = time.monotonic()
    while time.monotonic() - opened < 6.5:
        for s in idle + slow + silent:
            if id(s) not in closed and closed_by_peer(s):
                closed.add(id(s))
        if len(closed) == 140:
            break
        if time.monotonic() >= next_byte:
            next_byte += 0.5
            for s in slow:
                if id(s) in closed:
                    continue
                try:
                    s.send(head[sent[id(s)]:sent[id(s)] + 1])
                    sent[id(s)] += 1
                except OSError:
                    closed.add(id(s))
        time.sleep(0.05)
    open_left = {name: sum(1 for s in socks if id(s) not in closed) for name, socks in groups.items()}
    for s in idle + slow + silent:
        s.close()
    assert sum(open_left.values()) == 0, (
        f"connections still open {time.monotonic() - opened:.1f}s after they were opened "
        f"(client_header_timeout: 2, keepalive_timeout: 2): {open_left}")
    assert gw.http("POST", "/v1/chat/completions", {"model": "gpt-4o-mini", "messages": MSG}).status == 200


def _fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _hold_connections_until_exhausted(gw, max_conns: int = 120) -> list[socket.socket]:
    """Opens connections (each sends nothing) until the gateway has used up its descriptors;
    the kernel keeps accepting into the listen backlog after the gateway no longer can."""
    socks = []
    for _ in range(max_conns):
        socks.append(connect(gw, timeout=5))
    # let the gateway accept what it can
    wait_until(lambda: _fd_count(gw.proc.pid) >= 63, 3)
    return socks


def _cpu_over(pid: int, seconds: float) -> float:
    c0 = cpu_seconds(pid)
    time.sleep(seconds)
    return cpu_seconds(pid) - c0


FD_LOG = re.compile(r"descriptor|too many open files", re.I)


@pytest.mark.timeout(90)
def test_hardening_2_descriptor_exhaustion_does_not_spin_and_is_logged(start_limited, mock):
    """RLIMIT_NOFILE 64 and more clients than that: accept() fails with EMFILE while the
    listener stays readable. The gateway must back off (not spin on accept), say why in its
    log, and serve again once descriptors are free (here: the clients leave)."""
    gw = start_limited(header() + routes(chat_route()), limits={resource.RLIMIT_NOFILE: (64, 64)})
    pid = gw.proc.pid
    since = gw.log_size()
    socks = _hold_connections_until_exhausted(gw)
    try:
        cpu = _cpu_over(pid, 3.0)
        logged = FD_LOG.search(gw.logs()[since:])
    finally:
        for s in socks:
            s.close()
    assert cpu < 0.5, f"the gateway spun while out of descriptors: {cpu:.2f}s of CPU in 3s"
    assert logged, f"nothing in the log about the descriptor limit:\n{gw.logs()[-2000:]}"
    ok = wait_until(lambda: gw.http("POST", "/v1/chat/completions", {"model": "gpt-4o-mini", "messages": MSG},
                                    timeout=5).status == 200, 10, interval=0.5)
    assert ok, "no request served after the clients left"


@pytest.mark.timeout(90)
def test_hardening_2_descriptor_exhaustion_recovers_when_idle_connections_time_out(start_limited, mock):
    """The same with idle keep-alive clients that never leave: keepalive_timeout frees their
    descriptors, and a new client is served."""
    gw = start_limited(header(extra_server=TIMEOUTS_2S) + routes(chat_route()),
                       limits={resource.RLIMIT_NOFILE: (64, 64)})
    pid = gw.proc.pid
    since = gw.log_size()
    idle = []
    try:
        # keep-alive clients, one request each, until the gateway stops answering new ones
        for _ in range(80):
            s = connect(gw, timeout=3)
            idle.append(s)
            try:
                s.sendall(chat_bytes())
                Reader(s).response()
            except (OSError, EOFError):
                break
        extra = [connect(gw, timeout=5) for _ in range(20)]
        idle += extra
        cpu = _cpu_over(pid, 3.0)
        assert cpu < 0.5, f"the gateway spun while out of descriptors: {cpu:.2f}s of CPU in 3s"
        assert FD_LOG.search(gw.logs()[since:]), \
            f"nothing in the log about the descriptor limit:\n{gw.logs()[-2000:]}"
        # a new client, while the old ones still hold their sockets open on their side
        late = Background(gw.http, "POST", "/v1/chat/completions", {"model": "gpt-4o-mini", "messages": MSG},
                          timeout=20)
        r = late.result(timeout=25)
        assert r.status == 200, (r.status, r.body[:300])
    finally:
        for s in idle:
            s.close()


@pytest.mark.timeout(60)
def test_hardening_2_stalled_request_body_gets_408_and_close(start_gateway, mock):
    gw = start_gateway(header(extra_server="  client_body_timeout: 2\n") + routes(chat_route()))
    s = connect(gw, timeout=10)
    try:
        whole = chat_bytes()
        head, _, body = whole.partition(b"\r\n\r\n")
        s.sendall(head + b"\r\n\r\n" + body[:10])  # then nothing more
        t0 = time.monotonic()
        rd = Reader(s)
        try:
            status, headers, _ = rd.response()
        except (socket.timeout, EOFError, ConnectionResetError) as e:
            pytest.fail(f"no 408 within 10s of a stalled body (client_body_timeout: 2): {e!r}")
        took = time.monotonic() - t0
        assert status == 408, (status, headers)
        assert took < 6, f"408 came after {took:.1f}s"
        assert rd.at_eof(5), "the connection stayed open after the 408"
    finally:
        s.close()
    assert not mock.requests, "a request with a stalled body reached the upstream"


@pytest.mark.timeout(60)
def test_hardening_2_client_that_reads_nothing_is_disconnected(start_gateway, mock):
    gw = start_gateway(header(extra_server="  send_timeout: 2\n") + routes(chat_route()))
    total = 16 * MiB
    mock.script("*/chat/completions", text="x" * total)
    s = connect(gw, timeout=10, rcvbuf=64 * 1024)
    try:
        s.sendall(chat_bytes())
        assert mock.wait_requests(1, timeout=5), "the request never reached the upstream"
        time.sleep(6)  # read nothing for three times send_timeout
        got = 0
        s.settimeout(5)
        try:
            while True:
                data = s.recv(1 << 20)
                if not data:
                    break
                got += len(data)
        except ConnectionResetError:
            pass
        except socket.timeout:
            pytest.fail(f"the connection was still open (read {got} bytes, then nothing for 5s)")
    finally:
        s.close()
    assert got < total, f"the whole answer ({got} bytes) was still delivered: the silent reader was never cut off"
    assert mock.requests[0].finished.wait(10), "the upstream answer kept going after the client was cut off"


def _sequential_on_one_connection(gw, n: int, pause: float):
    conn = http.client.HTTPConnection(*host_port(gw), timeout=15)
    try:
        conn.connect()
        first = conn.sock
        for i in range(n):
            if i and pause:
                time.sleep(pause)
            conn.request("POST", "/v1/chat/completions", body=json.dumps(
                {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"seq {i}"}]}),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {CLIENT_KEY}"})
            r = conn.getresponse()
            body = r.read()
            assert r.status == 200, (i, r.status, body[:300])
            assert json.loads(body)["choices"][0]["message"]["content"] == f"echo: seq {i}"
            assert (r.getheader("connection") or "").lower() != "close", f"request {i}: Connection: close"
            assert conn.sock is first, f"request {i} went out on a new connection"
    finally:
        conn.close()


def test_hardening_2_keepalive_client_with_default_timeouts_works(start_gateway, mock):
    gw = start_gateway(header() + routes(chat_route()))
    _sequential_on_one_connection(gw, 20, pause=0.05)
    assert len(mock.requests) == 20


@pytest.mark.timeout(60)
def test_hardening_2_header_timeout_counts_from_each_request_not_from_connect(start_gateway, mock):
    """A connection that lives longer than client_header_timeout, each request prompt, each
    pause shorter than keepalive_timeout, is never cut."""
    gw = start_gateway(header(extra_server="  client_header_timeout: 2\n  keepalive_timeout: 3\n") + routes(chat_route()))
    _sequential_on_one_connection(gw, 6, pause=1.2)


# =========================================================================== 3 model names in upstream paths

VK_FLASH = "vk-flash-only-3c4d5e6f"
AZURE_KEY = "azure-key-hardening"
AZURE_VERSION = "2024-10-21"

MODELS_CONFIG = header() + f"""providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  gemini: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  vertex: {{endpoint: "{{{{MOCK}}}}", api_key: ya29.vertex-hardening, project: proj-7, region: europe-west4}}
  azure:
    endpoint: "{{{{MOCK}}}}"
    api_key: {AZURE_KEY}
    api_version: {AZURE_VERSION}
    deployments: {{gpt-4o: my-gpt4o-deployment}}
virtual_keys:
  - {{key: {VK_FLASH}, name: flash-only, models: ["gemini/gemini-1.5-flash*"]}}
routes:
  - id: governed
    uri: /v1/chat/completions
    methods: [POST]
    plugins:
      - governance: {{required: true}}
      - ai-proxy: {{surface: openai-chat}}
  - {{id: open, uri: /open/v1/chat/completions, methods: [POST], plugins: [{{ai-proxy: {{surface: openai-chat}}}}]}}
  - {{id: genai, uri: /genai/v1beta/models/*, methods: [POST], plugins: [{{ai-proxy: {{surface: genai}}}}]}}
  - id: genai-fixed
    uri: /genai-fixed/v1beta/models/*
    methods: [POST]
    plugins: [{{ai-proxy: {{surface: genai, provider: gemini}}}}]
  - {{id: azure-chat, uri: /openai/openai/deployments/*, methods: [POST], plugins: [{{ai-proxy: {{surface: azure-chat}}}}]}}
"""


@pytest.fixture
def models_gw(start_gateway):
    return start_gateway(MODELS_CONFIG)


def test_hardening_3a_dot_segments_in_a_model_cannot_escape_a_virtual_keys_model_list(models_gw, mock):
    flash = models_gw.openai(api_key=VK_FLASH)
    with pytest.raises(openai.PermissionDeniedError):
        chat(flash, model="gemini/gemini-1.5-pro")
    with pytest.raises(openai.BadRequestError) as ei:
        chat(flash, model="gemini/gemini-1.5-flash/../gemini-1.5-pro")
    assert ei.value.status_code == 400
    assert not mock.requests, f"the upstream was called: {[r.path for r in mock.requests]}"


@pytest.mark.parametrize("model", ["gemini/gemini-1.5-flash/../../../v1beta/cachedContents",
                                   "vertex/gemini-x/../../../../../other-project/evil",
                                   "gemini/gemini-1.5-flash/..", "gemini/./gemini-1.5-flash"])
def test_hardening_3a_models_with_path_segments_are_400_for_gemini_and_vertex(models_gw, mock, model):
    with pytest.raises(openai.BadRequestError):
        chat(models_gw.openai(prefix="/open/v1"), model=model)
    assert not mock.requests, f"the upstream was called: {[r.path for r in mock.requests]}"


@pytest.mark.parametrize("path", [
    # the route fixes provider gemini: the whole (decoded) segment is the model name
    "/genai-fixed/v1beta/models/gemini-1.5-flash%2F..%2F..%2F..%2Fv1beta%2FcachedContents:generateContent",
    "/genai/v1beta/models/gemini%2Fgemini-1.5-flash%2F..%2F..%2F..%2Fv1beta%2FcachedContents:generateContent",
])
def test_hardening_3b_percent_encoded_slashes_in_a_genai_model_are_400(models_gw, mock, path):
    r = models_gw.http("POST", path, {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
                       headers={"x-goog-api-key": CLIENT_KEY})
    assert r.status == 400, (r.status, r.body[:300], [x.path for x in mock.requests])
    err = r.json()
    assert set(err) == {"error"} and err["error"].get("code") == 400, err
    assert err["error"].get("status") == "INVALID_ARGUMENT" and err["error"].get("message"), err
    assert not mock.requests, f"the upstream was called: {[x.path for x in mock.requests]}"


def _one_segment_or_400(gw, mock, prefix: str, model: str, status: int, err_body):
    """Either the gateway refused the model (400, nothing sent), or the upstream path holds it
    as exactly one percent-encoded segment followed by the action."""
    from urllib.parse import unquote
    if status == 400:
        assert not mock.requests, f"400, but the upstream was called: {[x.path for x in mock.requests]}"
        return
    assert status == 200, (status, err_body)
    path = mock.last.path
    assert path.startswith(prefix), path
    seg, colon, action = path[len(prefix):].rpartition(":")
    assert colon and action == "generateContent", path
    assert "/" not in seg and ":" not in seg and path.count(":") == 1, \
        f"the model is not one segment of the upstream path: {path!r}"
    assert unquote(seg) == model, f"upstream path {path!r} names {unquote(seg)!r}, not {model!r}"


@pytest.mark.parametrize("model", ["gemini-x:y", "gemini-x%2F..%2Fy", "gemini-x%3Ay"])
def test_hardening_3c_reserved_characters_in_a_model_stay_in_one_segment(models_gw, mock, model):
    try:
        r = chat(models_gw.openai(prefix="/open/v1"), model=f"gemini/{model}")
        status, body = 200, r
    except openai.BadRequestError as e:
        status, body = 400, e.body
    _one_segment_or_400(models_gw, mock, "/v1beta/models/", model, status, body)


def test_hardening_3c_reserved_characters_in_a_genai_path_model_stay_in_one_segment(models_gw, mock):
    r = models_gw.http("POST", "/genai/v1beta/models/gemini-x:y:generateContent",
                       {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
                       headers={"x-goog-api-key": CLIENT_KEY})
    _one_segment_or_400(models_gw, mock, "/v1beta/models/", "gemini-x:y", r.status, r.body[:300])


@pytest.mark.parametrize("model", ["x" * 100_000, "gemini/" + "g" * 100_000])
def test_hardening_3d_a_huge_model_name_is_400_and_never_echoed_in_a_header(models_gw, mock, model):
    s = connect(models_gw, timeout=15)
    try:
        s.sendall(chat_bytes("/open/v1/chat/completions", {"model": model, "messages": MSG}))
        rd = Reader(s)
        status, headers, body = rd.response()
    finally:
        s.close()
    long = {k: len(v) for k, v in headers.items() if len(k) + len(v) > 1024}
    assert not long, f"response headers longer than 1 kB: {long} (status {status})"
    assert status == 400, (status, body[:300])
    assert not mock.requests, "a 100 kB model name was sent upstream"


def test_hardening_3d_max_model_name_bytes_is_configurable(start_gateway, mock):
    gw = start_gateway(header(extra_server="  max_model_name_bytes: 32\n") + routes(chat_route()))
    ok = "m" * 32
    assert chat(gw.openai(), model=ok).model == ok
    with pytest.raises(openai.BadRequestError):
        chat(gw.openai(), model="m" * 33)
    assert len(mock.requests) == 1


def test_hardening_3e_azure_model_with_a_slash_is_400(models_gw, mock):
    with pytest.raises(openai.BadRequestError):
        chat(models_gw.openai(prefix="/open/v1"), model="azure/gpt-4o/../../../evil")
    with pytest.raises(openai.BadRequestError):
        chat(models_gw.openai(prefix="/open/v1"), model="azure/a/b")
    assert not mock.requests, f"the upstream was called: {[x.path for x in mock.requests]}"


def test_hardening_3e_azure_deployment_with_a_slash_never_reaches_a_different_path(models_gw, mock):
    """The AzureOpenAI SDK percent-encodes the deployment in the URL (`gpt-4o%2F..%2F..%2Fevil`);
    relayed as is, the provider decodes it back into path segments."""
    from urllib.parse import unquote
    az = openai.AzureOpenAI(azure_endpoint=models_gw.url + "/openai", api_key=CLIENT_KEY, api_version=AZURE_VERSION,
                            max_retries=0, timeout=30, default_headers={"x-bf-azure-endpoint": mock.url})
    deployment = "gpt-4o/../../evil"
    try:
        chat(az, model=deployment)
    except openai.BadRequestError:
        assert not mock.requests, f"400, but the upstream was called: {[x.path for x in mock.requests]}"
        return
    path = mock.last.path
    seg = path.split("/openai/deployments/", 1)[1].rsplit("/chat/completions", 1)[0]
    assert "/" not in unquote(seg), f"deployment {deployment!r} reached the upstream as {path!r}"


# =========================================================================== 4 cut answers

ANTHROPIC_PASS = (f"  - id: messages\n"
                  f"    uri: /anthropic/v1/messages\n"
                  f"    methods: [POST]\n"
                  f"    plugins:\n"
                  f"      - ai-proxy:\n"
                  f"          surface: anthropic-messages\n"
                  f"          provider: anthropic\n"
                  f"          api_key: {UPSTREAM_KEY}\n"
                  f"          override: {{endpoint: \"{{{{MOCK}}}}\"}}\n")


@pytest.mark.timeout(60)
def test_hardening_4a_cut_whole_answer_reaches_the_client_as_cut(start_gateway, mock):
    """The provider announces a Content-Length, sends part of it, closes. The client must see
    the connection end (an incomplete read) at once, or get a whole error answer (5xx); not
    wait on a kept-alive connection for bytes that will never come."""
    gw = start_gateway(header() + routes(chat_route()))
    mock.script("*/chat/completions", text="y" * 50_000, cut_body_after=1000)
    conn = http.client.HTTPConnection(*host_port(gw), timeout=20)
    t0 = time.monotonic()
    try:
        conn.request("POST", "/v1/chat/completions", body=json.dumps({"model": "gpt-4o-mini", "messages": MSG}),
                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {CLIENT_KEY}"})
        err = None
        try:
            r = conn.getresponse()
            body = r.read()
            outcome = None if r.status >= 500 else f"a complete {r.status} answer of {len(body)} bytes"
        except (http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionResetError) as e:
            outcome = None
            err = e
        except socket.timeout:
            pytest.fail(f"the client hung {time.monotonic() - t0:.1f}s on a cut answer (no end, no close)")
    finally:
        conn.close()
    took = time.monotonic() - t0
    assert outcome is None, f"a cut upstream answer reached the client as {outcome}"
    assert took < 5, f"the cut showed only after {took:.1f}s ({err!r})"
    assert gw.http("POST", "/v1/chat/completions", {"model": "gpt-4o-mini", "messages": MSG}).status == 200


@pytest.mark.timeout(60)
def test_hardening_4b_cut_stream_raises_in_the_openai_sdk(start_gateway, mock):
    gw = start_gateway(header() + routes(chat_route()))
    mock.script("*/chat/completions", close_after_events=2)
    stream = chat(gw.openai(), text="one two three four five six", stream=True)
    got = []
    with pytest.raises((openai.APIError, httpx.HTTPError)):
        for c in stream:
            got.append(c)
    assert len(got) <= 2, got


@pytest.mark.timeout(60)
def test_hardening_4b_cut_stream_raises_in_the_anthropic_sdk(start_gateway, mock):
    gw = start_gateway(header() + routes(ANTHROPIC_PASS))
    mock.script("*/messages", close_after_events=4)
    client = gw.anthropic()
    with pytest.raises((anthropic.APIError, httpx.HTTPError)):
        for _ in client.messages.create(model="claude-3-5-haiku-latest", max_tokens=64, stream=True,
                                        messages=[{"role": "user", "content": "one two three four five"}]):
            pass


# =========================================================================== 5 buffers fed by the upstream

@pytest.mark.timeout(120)
@pytest.mark.parametrize("limit", [None, 1048576], ids=["default-limit", "max_stream_line_bytes-1MiB"])
@pytest.mark.parametrize("uri,mock_path", [("/v1/chat/completions", "*/chat/completions"),
                                           ("/t/v1/chat/completions", "*/messages")],
                         ids=["passthrough", "translated"])
def test_hardening_5a_an_endless_sse_line_is_an_error_not_a_memory_hog(start_gateway, mock, limit, uri, mock_path):
    """The provider's first SSE `data:` line is 128 MiB long (valid JSON once it ends). The
    gateway splits streams into lines (to read usage, to translate events): such a line must
    end the stream with an error once it passes max_stream_line_bytes (default 16 MiB)
    instead of being held whole."""
    extra = f"  max_stream_line_bytes: {limit}\n" if limit else ""
    telemetry = "      - telemetry: {}\n"  # usage is read from the stream
    gw = start_gateway(header(extra_server=extra) + routes(chat_route(extra=telemetry),
                                                            anthropic_chat_route(extra=telemetry)))
    pid = gw.proc.pid
    mock.script(mock_path, huge_line=128 * MiB)
    client = gw.openai(prefix=uri.rsplit("/chat/completions", 1)[0], timeout=60)
    error = None
    got = 0
    try:
        for c in chat(client, text="a b c", stream=True):
            got += 1
    except Exception as e:  # noqa: BLE001 - an SDK error, a transport error, or a cut line that does not parse
        error = e
    hwm = vm_hwm_mib(pid)
    assert mock.requests[0].finished.wait(30), "the upstream kept sending"
    assert error is not None, (f"the stream ended without an error ({got} chunks) after a 128 MiB line "
                               f"(gateway peak RSS {hwm:.0f} MiB)")
    assert hwm < 150, f"the gateway's peak RSS reached {hwm:.0f} MiB on a 128 MiB SSE line"
    assert gw.alive


@pytest.mark.timeout(120)
def test_hardening_5b_a_large_whole_answer_is_relayed_not_held_for_usage(start_gateway, mock):
    """A 100 MiB non-stream passthrough answer on a route that counts usage (telemetry):
    the gateway relays it as it comes and still finds the usage (at the end of the body)
    without holding the whole body."""
    gw = start_gateway(header() + routes(chat_route(extra="      - telemetry: {}\n")))
    pid = gw.proc.pid
    warm = gw.http("POST", "/v1/chat/completions", {"model": "gpt-4o-mini", "messages": MSG})
    assert warm.status == 200, warm.body[:300]
    base = vm_hwm_mib(pid)
    size = 100 * MiB
    mock.script("*/chat/completions", text="z" * size)
    prompt = "seven words of prompt for the count"
    conn = http.client.HTTPConnection(*host_port(gw), timeout=60)
    try:
        conn.request("POST", "/v1/chat/completions",
                     body=json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]}),
                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {CLIENT_KEY}",
                              "x-request-id": "big-answer-5b"})
        r = conn.getresponse()
        assert r.status == 200
        n, tail = 0, b""
        while True:
            data = r.read(1 << 20)
            if not data:
                break
            n += len(data)
            tail = (tail + data)[-4096:]
    finally:
        conn.close()
    grew = vm_hwm_mib(pid) - base
    assert n > size, f"short answer: {n} bytes"
    usage = dict(re.findall(rb'"(prompt_tokens|completion_tokens)": *(\d+)', tail.rsplit(b'"usage"', 1)[-1]))
    assert usage == {b"prompt_tokens": b"7", b"completion_tokens": b"1"}, tail[-600:]

    def row():
        rows = gw.admin("GET", "/admin/logs").json().get("data") or []
        return next((x for x in rows if x.get("request_id") == "big-answer-5b"), None)
    logged = wait_until(row, 5)
    assert logged, f"no request-log row for the large answer: {gw.admin('GET', '/admin/logs').body[:500]!r}"
    assert grew < 64, f"the gateway's peak RSS grew by {grew:.0f} MiB relaying a 100 MiB answer"
    assert logged.get("input_tokens") == 7 and logged.get("output_tokens") == 1, \
        f"usage of the large answer not counted: {logged}"


@pytest.mark.timeout(60)
def test_hardening_5c_a_whole_answer_to_translate_over_max_buffered_answer_bytes_is_502(start_gateway, mock):
    gw = start_gateway(header(extra_server="  max_buffered_answer_bytes: 1048576\n") + routes(anthropic_chat_route()))
    client = gw.openai(prefix="/t/v1")
    mock.script("*/messages", text="v" * (4 * MiB))
    with pytest.raises(openai.APIStatusError) as ei:
        chat(client)
    assert ei.value.status_code == 502, ei.value
    mock.script("*/messages", text="v" * (512 * 1024))  # under the limit: translated as usual
    assert len(chat(client).choices[0].message.content) == 512 * 1024


# =========================================================================== 6 translated whole answers, linear

@pytest.mark.timeout(180)
def test_hardening_6_translating_a_whole_answer_costs_time_linear_in_its_size(start_gateway, mock):
    gw = start_gateway(header() + routes(anthropic_chat_route()))
    pid = gw.proc.pid
    client = gw.openai(prefix="/t/v1", timeout=120)
    assert chat(client, text="warm up").choices[0].message.content == "echo: warm up"
    cpu = {}
    for mib in (16, 48):
        text = "w" * (mib * MiB)
        mock.script("*/messages", text=text)
        c0 = cpu_seconds(pid)
        r = chat(client)
        cpu[mib] = cpu_seconds(pid) - c0
        got = r.choices[0].message.content
        assert len(got) == len(text) and got == text, f"{mib} MiB answer came back as {len(got)} characters"
        assert r.choices[0].finish_reason == "stop"
        del text, got, r
    assert cpu[48] <= 5 * cpu[16] + 1.0, (
        f"gateway CPU per translated answer: 16 MiB {cpu[16]:.2f}s, 48 MiB {cpu[48]:.2f}s (super-linear)")


# =========================================================================== 7 YAML alias bombs

MEM_CAP = {resource.RLIMIT_AS: (4 << 30, 4 << 30)}  # a broken binary fails, not the machine


def bomb(levels: int = 9, fan: int = 9, indent: int = 12) -> str:
    """Billion laughs: each anchor a list of `fan` aliases of the previous one (fan**levels
    leaves), as the entries of a mapping indented by `indent` spaces."""
    pad = " " * indent
    lines = [f'{pad}lol0: &lol0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"{pad}lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def bomb_config(key: str = UPSTREAM_KEY, endpoint: str = "{{MOCK}}/v1/chat/completions") -> str:
    """A config valid in every respect but one: its route's ai-proxy `options` (a free-form
    mapping) holds a billion-laughs alias bomb."""
    return header() + routes(chat_route(endpoint=endpoint, key=key, extra="          options:\n" + bomb()))


def _capped():
    for res, val in MEM_CAP.items():
        resource.setrlimit(res, val)


@pytest.mark.timeout(60)
def test_hardening_7a_check_refuses_a_yaml_alias_bomb(tmp_path):
    p = tmp_path / "bomb.yaml"
    p.write_text(bomb_config(endpoint="http://127.0.0.1:9/v1/chat/completions")
                 .replace("{{LISTEN}}", "127.0.0.1:8080").replace("{{ADMIN}}", "127.0.0.1:9091"))
    t0 = time.monotonic()
    try:
        r = subprocess.run([str(conftest.TOLLGATE_BIN), "check", "--config", str(p)], capture_output=True,
                           text=True, timeout=20, cwd=tmp_path, stdin=subprocess.DEVNULL, preexec_fn=_capped)
    except subprocess.TimeoutExpired:
        pytest.fail("tollgate check ran 20s on a YAML alias bomb")
    out = r.stdout + r.stderr
    assert r.returncode == 1, f"exit {r.returncode} after {time.monotonic() - t0:.1f}s:\n{out[-2000:]}"
    assert re.search(r"bomb\.yaml:\d+:\d+: ", out), f"no FILE:LINE:COL error:\n{out[-2000:]}"


def _aliases_config() -> str:
    """A valid config sharing a block of `options` through anchors: about 150 nodes as
    written, about 2,300 once its aliases are expanded."""
    block = "{" + ", ".join(f"k{i}: [a, b, c, d, e, f, g, h]" for i in range(10)) + "}"
    opts = ("          options: &opts\n"
            f"            metadata: &m {block}\n"
            + "".join(f"            m{i}: *m\n" for i in range(1, 11)))
    second = chat_route(endpoint="http://127.0.0.1:9/v1/chat/completions", rid="chat2", uri="/v2/chat/completions",
                        extra="          options: *opts\n")
    return (header().replace("{{LISTEN}}", "127.0.0.1:8080").replace("{{ADMIN}}", "127.0.0.1:9091")
            + routes(chat_route(endpoint="http://127.0.0.1:9/v1/chat/completions", extra=opts), second))


def test_hardening_7a_max_yaml_nodes_bounds_alias_expansion(tmp_path):
    """Accepted by default; refused with FILE:LINE:COL when --max-yaml-nodes is below what its
    aliases expand to."""
    p = tmp_path / "aliases.yaml"
    p.write_text(_aliases_config())
    roomy = run_tollgate("check", "--config", p, timeout=20)
    assert roomy.returncode == 0, roomy.stdout + roomy.stderr
    roomy = run_tollgate("check", "--config", p, "--max-yaml-nodes", "100000", timeout=20)
    assert roomy.returncode == 0, roomy.stdout + roomy.stderr
    small = run_tollgate("check", "--config", p, "--max-yaml-nodes", "1000", timeout=20)
    out = small.stdout + small.stderr
    assert small.returncode == 1, f"exit {small.returncode}:\n{out[-2000:]}"
    assert re.search(r"aliases\.yaml:\d+:\d+: ", out), f"no FILE:LINE:COL error:\n{out[-2000:]}"


@pytest.mark.timeout(120)
def test_hardening_7b_sighup_with_a_yaml_alias_bomb_keeps_the_old_config(start_limited, mock):
    base = header() + routes(chat_route(key="sk-old"))
    gw = start_limited(base, limits=MEM_CAP)
    assert chat(gw.openai()).choices[0].message.content == "echo: hardening"
    gw.write_config(bomb_config(key="sk-bomb"))
    since = gw.log_size()
    gw.hup()
    time.sleep(1.0)
    assert gw.alive, f"the gateway died on a SIGHUP with a YAML alias bomb (exit {gw.proc.returncode})"
    r = Background(lambda: chat(gw.openai(timeout=10)).choices[0].message.content).result(timeout=15)
    assert r == "echo: hardening" and mock.last.auth() == "sk-old"
    assert gw.wait_for_log(r"routes\.yaml:\d+:\d+", timeout=20, since=since), \
        f"no FILE:LINE:COL for the refused reload:\n{gw.logs()[since:][-2000:]}"

    gw.write_config(header() + routes(chat_route(key="sk-new")))
    gw.hup()

    def switched():
        try:
            chat(gw.openai(timeout=5))
        except openai.APIError:
            return False
        return mock.last.auth() == "sk-new"
    assert wait_until(switched, 15, interval=0.2), f"a valid config after the bomb was not applied:\n{gw.logs()[-2000:]}"
    assert gw.alive
    t0 = time.monotonic()
    gw.term()
    code = gw.wait_exit(15)
    assert code == 0, f"exit {code} {time.monotonic() - t0:.1f}s after SIGTERM:\n{gw.logs()[-2000:]}"


# =========================================================================== 8 drain and keep-alive clients

def _dropped(sock: socket.socket) -> bool:
    """An idle kept-alive connection the server has closed (readable with EOF, or reset)."""
    try:
        r, _, _ = select.select([sock], [], [], 0)
        return bool(r) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


@pytest.mark.timeout(90)
def test_hardening_8_drain_closes_keepalive_connections_without_losing_a_request(start_gateway, mock):
    """50 keep-alive clients loop requests; SIGTERM comes while some are in flight. No request
    that was sent may go unanswered: answers after SIGTERM say `Connection: close`, and the
    clients' next requests go to new connections, which the closed listener refuses."""
    gw = start_gateway(header(drain_seconds=20) + routes(chat_route()))
    mock.script("*/chat/completions", delay=0.03, times=None)
    host, port = host_port(gw)
    body = json.dumps({"model": "gpt-4o-mini", "messages": MSG})
    hdrs = {"Content-Type": "application/json", "Authorization": f"Bearer {CLIENT_KEY}"}
    lock = threading.Lock()
    lost: list[str] = []
    answers: list[tuple[float, float, bool]] = []  # (sent, received, says close)
    term_at: list[float] = []
    start = time.monotonic()

    def client(i: int):
        # Clients are not in step: each gives up at its own time, 4 to 10 s after the start,
        # unless the gateway has closed its connection and refuses a new one.
        stop_at = start + 4 + 6 * i / 49
        rng = random.Random(i)
        conn = http.client.HTTPConnection(host, port, timeout=15)
        try:
            while time.monotonic() < stop_at:
                if conn.sock is not None and _dropped(conn.sock):
                    conn.close()  # as urllib3 does: a pooled connection the server closed is not reused
                if conn.sock is None:
                    try:
                        conn.connect()
                    except OSError:
                        return  # the listener is closed: this client is done
                sent = time.monotonic()
                try:
                    conn.request("POST", "/v1/chat/completions", body=body, headers=hdrs)
                    r = conn.getresponse()
                    r.read()
                except (http.client.HTTPException, ConnectionError, OSError) as e:
                    with lock:
                        lost.append(f"client {i}: {type(e).__name__}: {e} "
                                    f"(sent {sent - term_at[0] if term_at else float('nan'):+.3f}s from SIGTERM)")
                    conn.close()
                    continue
                close = (r.getheader("connection") or "").lower() == "close"
                with lock:
                    answers.append((sent, time.monotonic(), close))
                if r.status != 200:
                    with lock:
                        lost.append(f"client {i}: status {r.status}")
                if close:
                    conn.close()
                time.sleep(rng.uniform(0.002, 0.02))  # the client's own work between requests
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(50)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    term_at.append(time.monotonic())
    gw.term()
    code = gw.wait_exit(15)
    exited = time.monotonic() - term_at[0]
    for t in threads:
        t.join(15)
    assert not any(t.is_alive() for t in threads), "client threads did not stop"
    before = sum(1 for s, _, _ in answers if s < term_at[0])
    assert before > 50, f"only {before} answers before SIGTERM: the load never got going"
    late = [(s - term_at[0], c) for s, _, c in answers if s > term_at[0] + 0.2]
    no_close = [round(t, 3) for t, c in late if not c]
    problems = []
    if lost:
        problems.append(f"{len(lost)} requests sent but not answered:\n  " + "\n  ".join(lost[:20]))
    if no_close:
        problems.append(f"{len(no_close)} answers to requests sent 0.2s or more after SIGTERM lack "
                        f"`Connection: close` (sent at {no_close[:5]}... s after SIGTERM)")
    if code != 0:
        problems.append(f"exit code {code}")
    if exited >= 5:
        problems.append(f"the gateway took {exited:.1f}s to exit (drain_seconds: 20)")
    assert not problems, "\n".join(problems) + f"\n{gw.logs()[-1500:]}"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("answer", ["200", "400-model", "404-no-route", "401-no-key"])
def test_hardening_8_drain_does_not_wait_on_an_idle_keepalive_connection(start_gateway, mock, answer):
    """A kept-alive client, idle after its answer (whatever that answer was: one from the
    provider, or one the gateway gave itself before any upstream call) does not hold the
    drain until drain_seconds. (A regression guard for the drain rework: passes today.)"""
    gw = start_gateway(header(drain_seconds=20) + routes(
        chat_route(),
        "  - id: governed\n    uri: /gov/v1/chat/completions\n    methods: [POST]\n    plugins:\n"
        "      - governance: {required: true}\n      - ai-proxy: {surface: openai-chat}\n"))
    expect = {"200": None, "400-model": openai.BadRequestError, "404-no-route": openai.NotFoundError,
              "401-no-key": openai.AuthenticationError}[answer]
    client = {"404-no-route": gw.openai(prefix="/nowhere/v1"), "401-no-key": gw.openai(prefix="/gov/v1")}.get(
        answer, gw.openai())
    model = "gpt 4o" if answer == "400-model" else "gpt-4o-mini"  # a space: refused before any upstream call
    if expect is None:
        chat(client, model=model)
    else:
        with pytest.raises(expect):
            chat(client, model=model)
    # the client keeps its connection open, idle
    t0 = time.monotonic()
    gw.term()
    code = gw.wait_exit(5)
    took = time.monotonic() - t0
    client.close()
    assert code is not None, (f"an idle kept-alive connection (last answer {answer}) held the drain: "
                              f"no exit {took:.1f}s after SIGTERM (drain_seconds: 20)")
    assert code == 0, f"exit {code}:\n{gw.logs()[-1500:]}"
    assert took < 3, f"an idle kept-alive connection (last answer {answer}) held the drain {took:.1f}s"


# =========================================================================== 9 secrets

SECRET_KEY = "sk-upstream-secret-0123456789abcdef"


@pytest.mark.parametrize("uri,mock_path", [("/v1/chat/completions", "*/chat/completions"),
                                           ("/t/v1/chat/completions", "*/messages")],
                         ids=["passthrough", "translated"])
def test_hardening_9a_provider_key_quoted_by_an_upstream_error_does_not_leak(start_gateway, mock, uri, mock_path):
    """The provider's 401 quotes the key the gateway sent: neither the client (body, headers),
    nor the access log, nor the request log (payloads on) may see it."""
    telemetry = "      - telemetry: {log_payloads: true}\n"
    gw = start_gateway(header() + routes(chat_route(key=SECRET_KEY, extra=telemetry),
                                         anthropic_chat_route(key=SECRET_KEY, extra=telemetry)))
    mock.script(mock_path, status=401, message=f"Incorrect API key provided: {SECRET_KEY}. You can find your "
                                               f"API key at https://platform.example/account/api-keys.")
    client = gw.openai(prefix=uri.rsplit("/chat/completions", 1)[0])
    with pytest.raises(openai.APIStatusError) as ei:
        chat(client, extra_headers={"x-request-id": "leak-9a"})
    resp = ei.value.response
    assert mock.last.auth() == SECRET_KEY  # the upstream did get the key, and quoted it back
    places = {
        "response body": resp.text,
        "response headers": json.dumps(dict(resp.headers)),
        "exception message": str(ei.value),
    }
    gw.wait_for_log(r"leak-9a", timeout=5)
    places["gateway log"] = gw.logs()
    rows = wait_until(lambda: [r for r in gw.admin("GET", "/admin/logs").json().get("data") or []
                               if r.get("request_id") == "leak-9a"], 5)
    assert rows, "no request-log row for the failed request"
    places["request log (/admin/logs)"] = gw.admin("GET", "/admin/logs").body.decode(errors="replace")
    leaked = [where for where, text in places.items() if SECRET_KEY in text]
    assert not leaked, f"the provider key appeared in: {leaked}"


EH_TOKEN = "secret-eh-token-123"
EH_COOKIE = "secret-cookie-456"
VK_ASYNC = "vk-async-hardening-0001"


@pytest.mark.timeout(60)
def test_hardening_9b_async_jobs_keep_no_forwarded_credentials_at_rest(start_gateway, mock, tmp_path):
    """`x-bf-eh-authorization` / `x-bf-eh-cookie` are credentials too: a job stored to replay
    later must not keep them on disk (SQLite database and WAL)."""
    store_dir = tmp_path / "store"
    store_dir.mkdir()
    gw = start_gateway(f"""server:
  listen: {{{{LISTEN}}}}
  drain_seconds: 5
admin:
  listen: {{{{ADMIN}}}}
store: sqlite:{store_dir / "jobs.db"}
providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
virtual_keys:
  - {{key: {VK_ASYNC}, name: team-async}}
routes:
  - id: chat
    uri: /v1/chat/completions
    methods: [POST]
    plugins:
      - header-allowlist: {{allow: [x-team-id]}}
      - governance: {{required: true}}
      - async: {{ttl_seconds: 600}}
      - telemetry: {{}}
      - ai-proxy: {{surface: openai-chat, provider: openai}}
""")
    client = gw.openai(api_key=VK_ASYNC)
    secret_headers = {"x-bf-eh-authorization": f"Bearer {EH_TOKEN}", "x-bf-eh-cookie": f"session={EH_COOKIE}",
                      "x-bf-eh-x-team-id": "42"}
    job = chat(client, text="async secret test", extra_headers={"x-bf-async": "true", **secret_headers})
    assert job.id and job.choices == []

    def done():
        r = chat(client, text="async secret test", extra_headers={"x-bf-async-id": job.id})
        return r if r.choices else None
    finished = wait_until(done, 15, interval=0.2)
    assert finished, f"job {job.id} did not finish"
    assert finished.choices[0].message.content == "echo: async secret test"
    # the job ran with the client's other (non-credential) extra header, as a direct request would
    assert mock.last.headers.get("x-team-id") == "42", mock.last.headers

    def leaks() -> list[str]:
        found = []
        for f in sorted(store_dir.iterdir()):
            data = f.read_bytes()
            for secret in (EH_TOKEN, EH_COOKIE):
                if secret.encode() in data:
                    found.append(f"{secret} in {f.name}")
        return found
    files = [f.name for f in store_dir.iterdir()]
    running = leaks()
    gw.stop()  # checkpoints the WAL into the database file
    stopped = leaks()
    assert not running and not stopped, (f"credentials forwarded with an async job are stored at rest: "
                                         f"while running {running}; after stop {stopped} (files {files})")


# =========================================================================== 10 HTTP edge cases

@pytest.mark.parametrize("bad", [b"GARBAGE\x01 / HTTP/1.1\r\n\r\n",
                                 b"POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Length: abc\r\n\r\n"],
                         ids=["bad-request-line", "bad-content-length"])
def test_hardening_10a_malformed_request_pipelined_after_a_valid_one(start_gateway, mock, bad):
    gw = start_gateway(header() + routes(chat_route()))
    mock.script("*/chat/completions", delay=0.2)  # the first answer is still coming when the garbage is read
    s = connect(gw, timeout=10)
    try:
        s.sendall(chat_bytes() + bad)
        rd = Reader(s)
        try:
            first = rd.response()
        except (EOFError, ConnectionResetError) as e:
            pytest.fail(f"the valid request's answer was lost to the malformed one behind it: {e!r}")
        assert first[0] == 200, first
        assert json.loads(first[2])["choices"][0]["message"]["content"] == "echo: hardening"
        try:
            second = rd.response()
        except (EOFError, ConnectionResetError) as e:
            pytest.fail(f"no 400 for the malformed request: {e!r}")
        assert second[0] == 400, second
        assert rd.at_eof(5), "the connection stayed open after the 400"
    finally:
        s.close()


def _send_all(sock: socket.socket, data: bytes, stop: threading.Event | None = None) -> OSError | None:
    try:
        view = memoryview(data)
        while view and not (stop and stop.is_set()):
            n = sock.send(view[:65536])
            view = view[n:]
    except OSError as e:
        return e
    return None


def _expect_complete_413(gw, head: bytes, body: bytes, concurrent: bool):
    """concurrent: the body goes out from a thread (errors ignored) while the answer is read;
    else the client sends its whole request first, then reads (http.client, curl): the
    gateway must go on reading (and dropping) the body after its 413 instead of closing with
    unread data, which resets the connection under the client's feet."""
    s = connect(gw, timeout=15)
    stop = threading.Event()
    try:
        s.sendall(head)
        if concurrent:
            threading.Thread(target=_send_all, args=(s, body, stop), daemon=True).start()
        else:
            err = _send_all(s, body)
            assert err is None, f"the connection failed while the client was still sending its body: {err!r}"
        rd = Reader(s)
        try:
            status, headers, resp = rd.response()
        except ConnectionResetError as e:
            pytest.fail(f"connection reset before a complete 413 arrived: {e!r}")
        except EOFError as e:
            pytest.fail(f"connection closed before a complete 413 arrived: {e}")
        assert status == 413, (status, resp[:300])
        assert json.loads(resp)["error"]["message"], resp
    finally:
        stop.set()
        s.close()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("concurrent", [True, False], ids=["reads-while-sending", "sends-all-then-reads"])
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_hardening_10b_413_reaches_a_client_still_sending_its_body(start_gateway, mock, framing, concurrent):
    gw = start_gateway(header(max_body_bytes=MiB) + routes(chat_route()))
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {CLIENT_KEY}\r\n")
    if framing == "content-length":
        body = b"x" * (8 * MiB)
        head += f"Content-Length: {len(body)}\r\n\r\n"
    else:
        piece = b"x" * 65536
        body = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(128)) + b"0\r\n\r\n"
        head += "Transfer-Encoding: chunked\r\n\r\n"
    for _ in range(5):
        _expect_complete_413(gw, head.encode(), body, concurrent)
    assert not mock.requests


def _one_answer(gw, payload: bytes) -> tuple[int, dict, bytes]:
    s = connect(gw, timeout=10)
    try:
        s.sendall(payload)
        return Reader(s).response()
    finally:
        s.close()


def test_hardening_10c_http11_request_without_host_is_400(start_gateway, mock):
    gw = start_gateway(header() + routes(chat_route()))
    status, _, body = _one_answer(gw, chat_bytes(host=None))
    assert status == 400, (status, body[:300])
    assert not mock.requests


def test_hardening_10c_request_with_two_host_headers_is_400(start_gateway, mock):
    gw = start_gateway(header() + routes(chat_route()))
    status, _, body = _one_answer(gw, chat_bytes(extra="Host: other\r\n"))
    assert status == 400, (status, body[:300])
    assert not mock.requests


def test_hardening_10c_http10_request_without_host_is_still_served(start_gateway, mock):
    gw = start_gateway(header() + routes(chat_route()))
    status, _, body = _one_answer(gw, chat_bytes(host=None, version="HTTP/1.0"))
    assert status == 200, (status, body[:300])

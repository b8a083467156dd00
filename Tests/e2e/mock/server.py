"""The recording mock upstream: an HTTP/1.1 keep-alive server (stdlib only) that
speaks the providers' APIs well enough for their SDKs, records every request,
and lets a test script the next answer per path.

    mock = MockUpstream().start()          # ephemeral port on 127.0.0.1
    mock.script("/v1/chat/completions", status=429, message="slow down")
    mock.script("*/chat/completions", gap=0.3)       # SSE events 300 ms apart
    mock.script("*", cut_body_after=1000)            # full Content-Length, 1000 body bytes, close
    mock.script("*", huge_line=128 << 20)            # a stream's first data: line, 128 MiB longer
    ...
    mock.requests                          # list[Recorded], in arrival order
    mock.stop()
"""
from __future__ import annotations

import fnmatch
import json
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional
from urllib.parse import parse_qs, urlsplit

from . import anthropic_api, gemini_api, ollama_api, openai_api
from .common import JsonReply, StreamReply


# --------------------------------------------------------------------------- scripts

@dataclass
class Script:
    """What the mock does for the next request(s) whose path matches `pattern`.

    pattern  fnmatch pattern on the path without query ("*" = any; "*/chat/completions").
    status   with `message`/`body`: answer this status; an error body in the provider's
             shape is made from `message` unless `body` is given (dict or str).
    headers  extra response headers.
    delay    seconds to wait before the response headers.
    gap      seconds between stream events (SSE / NDJSON units).
    hang     read the request, then answer nothing until the client goes away
             (or the mock stops, or `hang` seconds pass if it is a number).
    close    close the connection without answering ("fin" / True, or "reset" for RST).
    close_after_events  stream only: send that many events, then drop the connection.
    text     the reply text instead of the echo.
    times    how many requests this script answers (None = all following).

    Optional, for hostile-upstream tests (all off by default):
    cut_body_after  whole (JSON) answers only: send the head with the full Content-Length,
             then only the first N bytes of the body, then close the connection (FIN).
    huge_line  stream answers only: the first event's `data:` line gets N more bytes before
             its end: a field `"x_pad": "xxx…"` inserted at the start of its JSON object, so
             the line stays valid JSON if it is ever finished. Written as 1 MiB chunks; the
             mock stops quietly (recording `disconnected`) when the peer goes away.

    Optional answer shapes for agent traffic (all off by default):
    calls    a list of {"name": ..., "arguments": {...}}: the answer is these tool calls, in
             order (OpenAI chat: `tool_calls`, streamed with the calls' argument deltas
             interleaved; Anthropic: a text block then `tool_use` blocks; Gemini:
             `functionCall` parts, one chunk each when streamed; Responses: function_call items).
    usage    fields merged over the answer's usage (Anthropic `usage`, OpenAI chat `usage`,
             Gemini `usageMetadata`, Responses `usage`), e.g. cache read/write counts.
             An item may carry its own "id" (else the mock makes one).
    redacted_thinking  Anthropic with thinking on: a `redacted_thinking` block with this
             `data` follows the (signed) thinking block.
    parts    Gemini: the answer's parts as given (e.g. with `thought` / `thoughtSignature`);
             streamed, one chunk per part.
    """
    pattern: str = "*"
    status: Optional[int] = None
    message: Optional[str] = None
    body: object = None
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    gap: float = 0.0
    hang: object = False
    close: object = False
    close_after_events: Optional[int] = None
    text: Optional[str] = None
    times: Optional[int] = 1
    cut_body_after: Optional[int] = None
    huge_line: Optional[int] = None
    calls: Optional[list] = None
    usage: Optional[dict] = None
    redacted_thinking: Optional[str] = None
    parts: Optional[list] = None

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.pattern)


# --------------------------------------------------------------------------- records

class Headers:
    """Case-insensitive view of request headers, keeping the raw list."""

    def __init__(self, items):
        self.items = list(items)
        self._d = {}
        for k, v in self.items:
            self._d.setdefault(k.lower(), v)

    def get(self, name, default=None):
        return self._d.get(name.lower(), default)

    def __contains__(self, name):
        return name.lower() in self._d

    def __getitem__(self, name):
        return self._d[name.lower()]

    def keys(self):
        return self._d.keys()

    def as_dict(self):
        return dict(self._d)

    def __repr__(self):
        return f"Headers({self._d!r})"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict            # name -> first value
    headers: Headers
    body: object           # parsed JSON, or None
    raw: bytes
    conn_id: int
    at: float = field(default_factory=time.monotonic)
    provider: str = ""
    answered_status: Optional[int] = None
    events_sent: int = 0
    completed: bool = False      # the whole answer was written
    disconnected: bool = False   # the client closed the connection before the end
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def json(self):
        return self.body

    def auth(self) -> Optional[str]:
        """The credential the upstream saw, whichever header carried it."""
        a = self.headers.get("authorization")
        if a and a.lower().startswith("bearer "):
            return a[7:]
        for h in ("x-api-key", "api-key", "x-goog-api-key"):
            if self.headers.get(h):
                return self.headers.get(h)
        return self.query.get("key")


# --------------------------------------------------------------------------- routing

def _route(method: str, path: str, headers=None, query=None):
    """(provider, handler) for a request, matched on the path's ending so that a route's
    full-URL override with any prefix still lands on the right API. `GET …/models` is told
    apart by the caller's headers: `anthropic-version` is Anthropic's list, an `x-goog-api-key`
    header or `key` query (or a /v1beta path) is Gemini's, anything else OpenAI's."""
    p = path.rstrip("/")
    headers = headers or {}
    query = query or {}
    if "/openai/deployments/" in p and p.endswith("/chat/completions"):
        return "azure", openai_api.azure_chat
    if "/openai/deployments/" in p and p.endswith("/embeddings"):
        return "azure", openai_api.azure_embeddings
    if p.endswith("/chat/completions"):
        return "openai", openai_api.chat
    if p.endswith("/responses/input_tokens"):
        return "openai", openai_api.responses_input_tokens
    if p.endswith("/responses"):
        return "openai", openai_api.responses
    if p.endswith("/embeddings"):
        return "openai", openai_api.embeddings
    if p.endswith("/completions"):
        return "openai", openai_api.completions
    if p.endswith("/messages/count_tokens"):
        return "anthropic", anthropic_api.count_tokens_endpoint
    if p.endswith("/messages"):
        return "anthropic", anthropic_api.messages
    if ":streamGenerateContent" in p:
        return "gemini", gemini_api.stream_generate
    if ":generateContent" in p:
        return "gemini", gemini_api.generate
    if ":batchEmbedContents" in p:
        return "gemini", gemini_api.batch_embed
    if ":embedContent" in p:
        return "gemini", gemini_api.embed
    if ":countTokens" in p:
        return "gemini", gemini_api.count_tokens_endpoint
    if p.endswith("/api/chat"):
        return "ollama", ollama_api.chat
    if p.endswith("/api/embed"):
        return "ollama", ollama_api.embed
    if p.endswith("/api/tags"):
        return "ollama", ollama_api.tags
    if method == "GET" and p.endswith("/v1beta/models"):
        return "gemini", gemini_api.list_models
    if method == "GET" and p.endswith("/models") and "anthropic-version" in headers:
        return "anthropic", anthropic_api.list_models
    if method == "GET" and p.endswith("/models") and ("x-goog-api-key" in headers or "key" in query):
        return "gemini", gemini_api.list_models
    if method == "GET" and p.endswith("/models"):
        return "openai", openai_api.models
    return "", None


_ERROR_SHAPES = {
    "openai": openai_api.error,
    "azure": openai_api.error,
    "anthropic": anthropic_api.error,
    "gemini": gemini_api.error,
    "ollama": ollama_api.error,
    "": openai_api.error,
}


# --------------------------------------------------------------------------- server

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mock-upstream/1"
    timeout = 60  # idle keep-alive connections end after this
    _script = None  # the script answering the current request, if any

    def log_message(self, fmt, *args):  # quiet
        pass

    # all methods go through one path
    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def setup(self):
        super().setup()
        mock: MockUpstream = self.server.mock
        with mock._lock:
            mock._conn_seq += 1
            self.conn_id = mock._conn_seq
            mock._open.add(self.connection)

    def finish(self):
        mock: MockUpstream = self.server.mock
        with mock._lock:
            mock._open.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    # -- request

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                line = self.rfile.readline().strip()
                n = int(line.split(b";")[0], 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _serve(self):
        mock: MockUpstream = self.server.mock
        raw = self._read_body()
        parts = urlsplit(self.path)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        hdrs = Headers(self.headers.items())
        provider, handler = _route(self.command, parts.path, hdrs, query)
        rec = Recorded(
            method=self.command,
            path=parts.path,
            query=query,
            headers=hdrs,
            body=body,
            raw=raw,
            conn_id=self.conn_id,
            provider=provider,
        )
        script = mock._take_script(parts.path)
        mock._record(rec)
        try:
            self._answer(mock, rec, script, handler, provider)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout, OSError):
            rec.disconnected = True
            self.close_connection = True
        finally:
            rec.finished.set()
            mock._changed()

    # -- answers

    def _answer(self, mock, rec, script: Optional[Script], handler, provider):
        s = script or Script()
        self._script = script
        if s.close:
            self._drop(reset=(s.close == "reset"))
            rec.disconnected = False
            return
        if s.hang:
            limit = None if s.hang is True else float(s.hang)
            rec.disconnected = self._wait_for_peer_close(limit, mock)
            self.close_connection = True
            return
        if s.delay:
            if self._wait_for_peer_close(s.delay, mock):
                rec.disconnected = True
                self.close_connection = True
                return
        if s.body is not None:
            self._send_json(JsonReply(s.status or 200, s.body, dict(s.headers)), rec)
            return
        if s.status is not None and s.status >= 400:
            body = _ERROR_SHAPES[provider](s.status, s.message or f"mock error {s.status}")
            self._send_json(JsonReply(s.status, body, dict(s.headers)), rec)
            return
        if handler is None:
            self._send_json(JsonReply(404, _ERROR_SHAPES[""](404, f"mock: no API at {rec.path}")), rec)
            return
        try:
            reply = handler(rec, s)
        except Exception as e:  # a malformed request: answer like the provider would
            reply = JsonReply(400, _ERROR_SHAPES[provider](400, f"mock could not read request: {e!r}"))
        reply.headers.update(s.headers)
        if s.status is not None:
            reply.status = s.status
        if isinstance(reply, StreamReply):
            self._send_stream(reply, rec, s, mock)
        else:
            self._send_json(reply, rec)

    def _send_json(self, reply: JsonReply, rec: Recorded):
        data = reply.body if isinstance(reply.body, (bytes, str)) else json.dumps(reply.body)
        data = data.encode() if isinstance(data, str) else data
        rec.answered_status = reply.status
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"upstream-{rec.conn_id}-{int(rec.at * 1000)}")
        for k, v in reply.headers.items():
            self.send_header(k, str(v))
        self.end_headers()
        if self._script is not None and self._script.cut_body_after is not None:
            self.wfile.write(data[:max(0, self._script.cut_body_after)])
            self.wfile.flush()
            time.sleep(0.05)
            self._drop(reset=False)
            return
        self.wfile.write(data)
        self.wfile.flush()
        rec.completed = True

    def _send_stream(self, reply: StreamReply, rec: Recorded, s: Script, mock):
        rec.answered_status = reply.status
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        for k, v in reply.headers.items():
            self.send_header(k, str(v))
        self.end_headers()
        self.wfile.flush()
        done = 0
        if s.huge_line:
            self._send_huge_line(reply, rec, s.huge_line)
            if rec.disconnected:
                return
            done = 1
        for i, ev in enumerate(reply.events, start=done):
            if s.close_after_events is not None and i >= s.close_after_events:
                self._drop(reset=False)
                return
            if i > 0 and s.gap:
                if self._wait_for_peer_close(s.gap, mock):
                    rec.disconnected = True
                    self.close_connection = True
                    return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(ev), ev))
            self.wfile.flush()
            rec.events_sent = i + 1
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        rec.completed = True

    def _send_huge_line(self, reply: StreamReply, rec: Recorded, n: int):
        """Writes the first event with `n` padding bytes inside its `data:` line (see
        Script.huge_line), 1 MiB per HTTP chunk; replaces that event in `reply.events`."""
        first = reply.events[0]
        cut = first.index(b"data: {") + len(b"data: {")
        pad_chunk = b"x" * (1 << 20)
        try:
            head = first[:cut] + b'"x_pad":"'
            self.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
            left = n
            while left > 0:
                piece = pad_chunk if left >= len(pad_chunk) else pad_chunk[:left]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                left -= len(piece)
            tail = b'",' + first[cut:]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(tail), tail))
            self.wfile.flush()
        except OSError:
            rec.disconnected = True
            self.close_connection = True
            return
        rec.events_sent = 1
        reply.events = reply.events[1:]  # the rest goes out as usual

    def _drop(self, reset: bool):
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass

    def _wait_for_peer_close(self, seconds: Optional[float], mock) -> bool:
        """Sleep up to `seconds` (None: until the mock stops), returning True early if the
        peer closed its side of the connection."""
        end = None if seconds is None else time.monotonic() + seconds
        while not mock._stopping.is_set():
            left = 0.25 if end is None else min(0.25, end - time.monotonic())
            if left <= 0:
                return False
            r, _, _ = select.select([self.connection], [], [], left)
            if r:
                try:
                    data = self.connection.recv(1, socket.MSG_PEEK)
                except OSError:
                    return True
                if not data:
                    return True
                # the peer sent bytes (a pipelined request?): keep waiting without spinning
                time.sleep(left)
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class MockUpstream:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self.requests: list[Recorded] = []
        self._scripts: list[Script] = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._open: set = set()
        self._conn_seq = 0
        self._stopping = threading.Event()
        self._httpd: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle

    def start(self) -> "MockUpstream":
        self._httpd = _Server((self.host, self.port), _Handler)
        self._httpd.mock = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"mock-upstream-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
        with self._lock:
            conns = list(self._open)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def connections(self) -> int:
        """How many TCP connections have been accepted so far."""
        return self._conn_seq

    # -- scripting

    def script(self, pattern: str = "*", **kw) -> Script:
        s = Script(pattern=pattern, **kw)
        with self._lock:
            self._scripts.append(s)
        return s

    def clear_scripts(self):
        with self._lock:
            self._scripts.clear()

    def _take_script(self, path: str) -> Optional[Script]:
        with self._lock:
            for s in self._scripts:
                if s.matches(path):
                    if s.times is not None:
                        s.times -= 1
                        if s.times <= 0:
                            self._scripts.remove(s)
                    return s
        return None

    # -- recording

    def _record(self, rec: Recorded):
        with self._cond:
            self.requests.append(rec)
            self._cond.notify_all()

    def _changed(self):
        with self._cond:
            self._cond.notify_all()

    def reset(self):
        with self._lock:
            self.requests.clear()
            self._scripts.clear()

    def matching(self, path_pattern: str = "*") -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if fnmatch.fnmatchcase(r.path, path_pattern)]

    @property
    def last(self) -> Recorded:
        with self._lock:
            if not self.requests:
                raise AssertionError("the mock upstream received no request")
            return self.requests[-1]

    def wait_for(self, predicate: Callable[["MockUpstream"], bool], timeout: float = 5.0) -> bool:
        """Wait (bounded) until predicate(mock) is true; returns whether it became true."""
        end = time.monotonic() + timeout
        with self._cond:
            while True:
                # predicate reads self.requests; call it without holding the lock
                self._cond.release()
                try:
                    ok = predicate(self)
                finally:
                    self._cond.acquire()
                if ok:
                    return True
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.1))

    def wait_requests(self, n: int, timeout: float = 5.0) -> list[Recorded]:
        self.wait_for(lambda m: len(m.requests) >= n, timeout)
        with self._lock:
            return list(self.requests)

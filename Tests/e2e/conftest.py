"""Fixtures for the end-to-end suite: the recording mock upstream, and the built tollgate
binary started on free loopback ports with a routes.yaml written from a template.

Templates are plain YAML with these tokens, replaced before the file is written:
  {{MOCK}}    base URL of the mock upstream, e.g. http://127.0.0.1:41234 (no trailing slash)
  {{DEAD}}    a loopback URL where nothing listens (connection refused)
  {{LISTEN}}  HOST:PORT for server.listen      {{ADMIN}}  HOST:PORT for admin.listen
"""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from mock import MockUpstream  # noqa: E402

TOLLGATE_BIN = Path(os.environ.get("TOLLGATE_BIN") or ROOT / ".build" / "release" / "tollgate")
START_TIMEOUT = float(os.environ.get("TOLLGATE_START_TIMEOUT", "30"))
STOP_TIMEOUT = 15.0

CLIENT_KEY = "sk-client-should-not-leak"
UPSTREAM_KEY = "sk-upstream"


def header(max_body_bytes: Optional[int] = None, drain_seconds: int = 10, extra_server: str = "") -> str:
    """The server/admin/store part of a test config. `extra_server`: more lines under
    `server:`, each already indented by two spaces (e.g. "  keepalive_timeout: 2\n")."""
    extra = f"  max_body_bytes: {max_body_bytes}\n" if max_body_bytes is not None else ""
    if extra_server and not extra_server.endswith("\n"):
        extra_server += "\n"
    return ("server:\n"
            "  listen: {{LISTEN}}\n"
            f"  drain_seconds: {drain_seconds}\n"
            f"{extra}"
            f"{extra_server}"
            "admin:\n"
            "  listen: {{ADMIN}}\n"
            "store: memory\n")


def chat_route(endpoint: str = "{{MOCK}}/v1/chat/completions", key: str = UPSTREAM_KEY, rid: str = "chat",
               uri: str = "/v1/chat/completions", extra: str = "") -> str:
    """One OpenAI chat route to the openai provider, as a `routes:` list item."""
    return (f"  - id: {rid}\n"
            f"    uri: {uri}\n"
            f"    methods: [POST]\n"
            f"    plugins:\n"
            f"      - ai-proxy:\n"
            f"          surface: openai-chat\n"
            f"          provider: openai\n"
            f"          api_key: {key}\n"
            f"          override: {{endpoint: \"{endpoint}\"}}\n"
            f"{extra}")


def chat_config(**kw) -> str:
    hdr = header(**{k: kw.pop(k) for k in ("max_body_bytes", "drain_seconds") if k in kw})
    return hdr + "routes:\n" + chat_route(**kw)


# --------------------------------------------------------------------------- helpers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, timeout: float, interval: float = 0.05):
    """Bounded poll: returns pred()'s first truthy value, or None after `timeout` seconds."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= end:
            return None
        time.sleep(interval)


@dataclass
class Resp:
    status: int
    headers: dict          # lower-cased names
    body: bytes

    def json(self):
        return json.loads(self.body)


def http_request(url: str, method: str, path: str, body=None, headers: Optional[dict] = None,
                 timeout: float = 30) -> Resp:
    """A raw HTTP/1.1 request (no SDK), for status/shape/header assertions."""
    m = re.match(r"http://([^/:]+):(\d+)", url)
    conn = http.client.HTTPConnection(m.group(1), int(m.group(2)), timeout=timeout)
    try:
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


def metric(text: str, name: str, **labels) -> Optional[float]:
    """The value of one Prometheus sample whose labels include `labels` (summed over the rest);
    None when no sample matches."""
    total, found = 0.0, False
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            total += float(m.group(4))
            found = True
    return total if found else None


def assert_openai_error(resp: Resp, status: int):
    """The gateway answered `status` with an OpenAI-shaped error and an x-request-id."""
    assert resp.status == status, f"expected {status}, got {resp.status}: {resp.body[:500]!r}"
    try:
        body = resp.json()
    except ValueError:
        raise AssertionError(f"error body is not JSON: {resp.body[:500]!r}")
    assert isinstance(body.get("error"), dict), body
    err = body["error"]
    for k in ("message", "type", "param", "code"):
        assert k in err, f"error lacks {k!r}: {body}"
    assert isinstance(err["message"], str) and err["message"], body
    assert resp.headers.get("x-request-id"), f"no x-request-id on {status}: {resp.headers}"
    return err


# --------------------------------------------------------------------------- the gateway process

class Gateway:
    def __init__(self, workdir: Path, template: str, mock: Optional[MockUpstream], env=None, args=()):
        self.workdir = workdir
        self.config_path = workdir / "routes.yaml"
        self.stderr_path = workdir / "tollgate.stderr"
        self.stdout_path = workdir / "tollgate.stdout"
        self.mock = mock
        self.port, self.admin_port = free_port(), free_port()
        self.dead_port = free_port()
        self.env = env or {}
        self.args = list(args)
        self.proc: Optional[subprocess.Popen] = None
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_url = f"http://127.0.0.1:{self.admin_port}"
        self.write_config(template)

    # -- config

    def render(self, template: str) -> str:
        return (template
                .replace("{{MOCK}}", self.mock.url if self.mock else "http://127.0.0.1:9")
                .replace("{{DEAD}}", f"http://127.0.0.1:{self.dead_port}")
                .replace("{{LISTEN}}", f"127.0.0.1:{self.port}")
                .replace("{{ADMIN}}", f"127.0.0.1:{self.admin_port}"))

    def write_config(self, template: str):
        """Write the config (atomically: a reload never sees half a file)."""
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(self.render(template))
        os.replace(tmp, self.config_path)

    # -- process

    def start(self) -> "Gateway":
        if not TOLLGATE_BIN.exists():
            pytest.fail(f"tollgate binary not found at {TOLLGATE_BIN} (run `make build` or set TOLLGATE_BIN)")
        env = dict(os.environ)
        for k in list(env):  # no real provider keys leak into tests
            if k.endswith("_API_KEY"):
                del env[k]
        env.update(self.env)
        self._err = open(self.stderr_path, "wb")
        self._out = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen(
            [str(TOLLGATE_BIN), "serve", "--config", str(self.config_path),
             "--listen", f"127.0.0.1:{self.port}", *self.args],
            stdout=self._out, stderr=self._err, stdin=subprocess.DEVNULL, cwd=self.workdir, env=env)
        found = wait_until(lambda: self._listening() or self.proc.poll() is not None, START_TIMEOUT)
        if self.proc.poll() is not None:
            raise RuntimeError(f"tollgate exited with {self.proc.returncode} before listening:\n{self.logs()}")
        if not found:
            self.kill()
            raise RuntimeError(f"tollgate did not log 'listening on' within {START_TIMEOUT}s:\n{self.logs()}")
        # wait (bounded) for the port to accept, in case the log line comes a hair early
        wait_until(lambda: self._connectable(), 5)
        return self

    def _listening(self) -> bool:
        for m in re.finditer(r"(admin )?listening on (https?://[^\s\"',]+)", self.logs()):
            if not m.group(1):
                self.url = m.group(2).rstrip("/")
                return True
        return False

    def _connectable(self) -> bool:
        try:
            host, port = re.match(r"https?://([^/:]+):(\d+)", self.url).groups()
            with socket.create_connection((host, int(port)), timeout=1):
                return True
        except OSError:
            return False

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int):
        assert self.alive, f"tollgate is not running (exit {self.proc.returncode}):\n{self.logs()}"
        self.proc.send_signal(sig)

    def hup(self):
        self.signal(signal.SIGHUP)

    def term(self):
        self.signal(signal.SIGTERM)

    def interrupt(self):
        self.signal(signal.SIGINT)

    def wait_exit(self, timeout: float = STOP_TIMEOUT) -> Optional[int]:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.alive:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self):
        """SIGTERM, then SIGKILL after a timeout. Always leaves no process behind."""
        if self.proc is None:
            return
        if self.alive:
            try:
                self.proc.send_signal(signal.SIGTERM)
            except OSError:
                pass
            if self.wait_exit(STOP_TIMEOUT) is None:
                self.kill()
        for f in (self._err, self._out):
            try:
                f.close()
            except Exception:
                pass

    # -- logs

    def logs(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_size(self) -> int:
        try:
            return self.stderr_path.stat().st_size
        except FileNotFoundError:
            return 0

    def wait_for_log(self, pattern: str, timeout: float = 5.0, since: int = 0) -> Optional[re.Match]:
        """Wait (bounded) for a regex to appear in stderr after byte offset `since`."""
        rx = re.compile(pattern)
        return wait_until(lambda: rx.search(self.logs()[since:]), timeout)

    # -- clients

    def http(self, method: str, path: str, body=None, headers=None, timeout: float = 30) -> Resp:
        return http_request(self.url, method, path, body, headers, timeout)

    def admin(self, method: str, path: str, body=None, headers=None, timeout: float = 10) -> Resp:
        return http_request(self.admin_url, method, path, body, headers, timeout)

    def openai(self, api_key: str = CLIENT_KEY, prefix: str = "/v1", **kw):
        import openai
        kw.setdefault("max_retries", 0)
        kw.setdefault("timeout", 30)
        return openai.OpenAI(base_url=self.url + prefix, api_key=api_key, **kw)

    def anthropic(self, api_key: str = CLIENT_KEY, **kw):
        import anthropic
        kw.setdefault("max_retries", 0)
        kw.setdefault("timeout", 30)
        return anthropic.Anthropic(base_url=self.url + "/anthropic", api_key=api_key, **kw)

    def genai(self, api_key: str = CLIENT_KEY):
        return genai_client(self.url + "/genai", api_key)


def genai_client(base_url: str, api_key: str = CLIENT_KEY):
    """google-genai appends `{api_version}/models/...` to base_url. Its default api_version
    is 'v1' in google-genai 3.x, so the gateway's `/genai/v1beta/...` needs it set explicitly."""
    from google import genai
    from google.genai import types
    return genai.Client(api_key=api_key, http_options=types.HttpOptions(
        base_url=base_url, api_version="v1beta", timeout=30_000))


def run_tollgate(*args, timeout: float = 30, cwd=None) -> subprocess.CompletedProcess:
    if not TOLLGATE_BIN.exists():
        pytest.fail(f"tollgate binary not found at {TOLLGATE_BIN} (run `make build` or set TOLLGATE_BIN)")
    return subprocess.run([str(TOLLGATE_BIN), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd or ROOT, stdin=subprocess.DEVNULL)


# --------------------------------------------------------------------------- SDK versions
# CI runs this suite twice: with the pinned SDKs (requirements-test.txt) and with the newest on
# PyPI (requirements-newest.txt, TOLLGATE_E2E_LABEL=newest-sdks). Each run names the SDK versions
# it used in its header, beside each failure, and in a summary line when anything failed.

SDK_PACKAGES = ("openai", "anthropic", "google-genai")


def sdk_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version
    out = []
    for name in SDK_PACKAGES:
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} (not installed)")
    label = os.environ.get("TOLLGATE_E2E_LABEL") or "pinned"
    return f"{', '.join(out)} [{label}, python {sys.version.split()[0]}]"


def pytest_report_header(config):
    return f"sdk versions: {sdk_versions()}"


def pytest_sessionstart(session):
    # -q (how make runs the suite) hides the report header; the versions are printed anyway
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None and session.config.get_verbosity() < 0:
        tr.write_line(f"sdk versions: {sdk_versions()}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        rep.sections.append(("sdk versions", sdk_versions()))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if exitstatus != 0:
        n = len(terminalreporter.stats.get("failed", [])) + len(terminalreporter.stats.get("error", []))
        terminalreporter.write_line(f"e2e: {n} failed or errored with {sdk_versions()}")


# --------------------------------------------------------------------------- fixtures

@pytest.fixture
def mock():
    m = MockUpstream().start()
    try:
        yield m
    finally:
        m.stop()


@pytest.fixture
def start_gateway(tmp_path, mock):
    """start_gateway(template, env=None, args=()) -> a running Gateway; all are stopped after the test."""
    started: list[Gateway] = []

    def start(template: str, env=None, args=()) -> Gateway:
        d = tmp_path / f"gw{len(started)}"
        d.mkdir()
        gw = Gateway(d, template, mock, env, args)
        started.append(gw)
        return gw.start()

    yield start
    for gw in started:
        gw.stop()
        tail = "\n".join(gw.logs().splitlines()[-40:])
        print(f"--- tollgate stderr (last 40 lines) [{gw.stderr_path}] ---\n{tail}")


class Background:
    """Run a function in a thread; .result(timeout) re-raises its exception."""

    def __init__(self, fn, *args, **kw):
        self._res = self._exc = None
        self._t = threading.Thread(target=self._run, args=(fn, args, kw), daemon=True)
        self._t.start()

    def _run(self, fn, args, kw):
        try:
            self._res = fn(*args, **kw)
        except BaseException as e:  # noqa: BLE001 - re-raised in result()
            self._exc = e

    def result(self, timeout: float = 30):
        self._t.join(timeout)
        if self._t.is_alive():
            raise AssertionError(f"background call did not finish within {timeout}s")
        if self._exc:
            raise self._exc
        return self._res

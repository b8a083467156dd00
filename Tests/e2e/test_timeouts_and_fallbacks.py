"""Upstream timeouts (`timeout_ms`) and `fallbacks`, as an OpenAI SDK user sees them.

The gateway checks upstream deadlines on a per-loop sweep (every 50 ms), so a timeout fires a
little after `timeout_ms`, never before; these tests bound it from both sides.
"""
from __future__ import annotations

import time

import openai
import pytest

from conftest import UPSTREAM_KEY, header

MSG = [{"role": "user", "content": "tell me"}]


def config(timeout_ms: int, fallbacks: str = "", telemetry: bool = False) -> str:
    tel = "      - telemetry: {}\n" if telemetry else ""
    return header() + f"""providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
routes:
  - id: chat
    uri: /v1/chat/completions
    methods: [POST]
    plugins:
{tel}      - ai-proxy:
          surface: openai-chat
          timeout_ms: {timeout_ms}
{fallbacks}"""


def test_stalled_stream_is_cut_after_timeout_and_logged(start_gateway, mock):
    gw = start_gateway(config(400, telemetry=True))
    mock.script("/v1/chat/completions", gap=3.0)  # events 3 s apart: stalls after the first
    stream = gw.openai().chat.completions.create(model="gpt-4o-mini", stream=True, messages=MSG)
    it = iter(stream)
    first = next(it)
    assert first.choices[0].delta.role == "assistant" or first.choices[0].delta.content is not None
    t0 = time.monotonic()
    # The gateway sends an error event in the client's protocol and cuts the connection: a
    # truncated answer must never look whole to the SDK.
    with pytest.raises(openai.APIError, match="upstream stream stalled"):
        list(it)
    took = time.monotonic() - t0
    assert 0.3 <= took < 2.5, f"stream cut after {took:.2f}s with timeout_ms: 400 and a 3 s gap"
    line = gw.wait_for_log(r"INFO request [^\n]*", timeout=5)
    # The client already had its 200; the log line keeps that status and says why the stream ended.
    assert line and "status=200" in line.group(0) and "error=upstream stream stalled" in line.group(0), gw.logs()[-2000:]
    assert gw.alive


def test_answer_timeout_falls_back_to_the_next_provider(start_gateway, mock):
    gw = start_gateway(config(300, "          fallbacks: [anthropic/claude-3-5-haiku-latest]\n"))
    mock.script("/v1/chat/completions", delay=3)
    t0 = time.monotonic()
    raw = gw.openai().chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSG)
    took = time.monotonic() - t0
    resp = raw.parse()
    assert resp.choices[0].message.content == "echo: tell me"
    assert raw.headers["x-tollgate-provider"] == "anthropic"
    assert raw.headers["x-tollgate-model"] == "claude-3-5-haiku-latest"
    assert 0.3 <= took < 2.5, f"fallback answered after {took:.2f}s with timeout_ms: 300"
    paths = [r.path for r in mock.requests]
    assert paths == ["/v1/chat/completions", "/v1/messages"], paths
    assert mock.requests[1].json["model"] == "claude-3-5-haiku-latest"


def test_429_falls_back_and_the_last_error_reaches_the_client(start_gateway, mock):
    gw = start_gateway(config(5000, "          fallbacks: [anthropic/claude-3-5-haiku-latest]\n"))
    mock.script("/v1/chat/completions", status=429, message="slow down")
    resp = gw.openai().chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert resp.choices[0].message.content == "echo: tell me"
    # The 429 put the primary into cooldown (docs/routing.md): while it lasts the fallback goes
    # first and the primary last. Both fail: the client gets the last answer, the primary's,
    # in its own (OpenAI) error shape.
    mock.script("/v1/chat/completions", status=503, message="primary down")
    mock.script("/v1/messages", status=529, message="overloaded")
    before = len(mock.requests)
    with pytest.raises(openai.APIStatusError) as ei:
        gw.openai(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert [r.path for r in mock.requests[before:]] == ["/v1/messages", "/v1/chat/completions"]
    assert ei.value.status_code == 503
    assert "primary down" in str(ei.value)


def test_timeout_without_fallback_is_504_and_the_next_request_is_served(start_gateway, mock):
    gw = start_gateway(config(300))
    mock.script("/v1/chat/completions", delay=2)
    with pytest.raises(openai.InternalServerError) as ei:
        gw.openai(max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert ei.value.status_code == 504
    # The timed-out connection was dropped, not pooled: the next request gets a fresh answer.
    resp = gw.openai().chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert resp.choices[0].message.content == "echo: tell me"

"""Gateway-made errors: status, OpenAI error shape, x-request-id; upstream errors keep their status."""
from __future__ import annotations

import time

import openai
import pytest

from conftest import CLIENT_KEY, assert_openai_error, chat_config

MSG = [{"role": "user", "content": "err"}]
AUTH = {"Authorization": f"Bearer {CLIENT_KEY}"}


def test_dead_upstream_is_502(start_gateway, mock):
    gw = start_gateway(chat_config(endpoint="{{DEAD}}/v1/chat/completions"))
    with pytest.raises(openai.InternalServerError) as ei:
        gw.openai().chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert ei.value.status_code == 502
    assert_openai_error(gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": MSG}, AUTH), 502)
    assert gw.alive


def test_upstream_closing_before_answer_is_502(start_gateway, mock):
    gw = start_gateway(chat_config())
    mock.script("/v1/chat/completions", close=True)
    assert_openai_error(gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": MSG}, AUTH), 502)


def test_slow_upstream_with_timeout_ms_is_504(start_gateway, mock):
    gw = start_gateway(chat_config(extra="          timeout_ms: 300\n"))
    mock.script("/v1/chat/completions", delay=3)
    t0 = time.monotonic()
    resp = gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": MSG}, AUTH)
    took = time.monotonic() - t0
    assert_openai_error(resp, 504)
    assert took < 2.5, f"504 took {took:.2f}s with timeout_ms: 300"
    with pytest.raises(openai.InternalServerError) as ei:  # and the SDK sees a 504
        mock.script("/v1/chat/completions", delay=3)
        gw.openai().chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert ei.value.status_code == 504


def test_upstream_429_passes_through(start_gateway, mock):
    gw = start_gateway(chat_config())
    mock.script("/v1/chat/completions", status=429, message="slow down please")
    with pytest.raises(openai.RateLimitError) as ei:
        gw.openai().chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert ei.value.status_code == 429
    assert "slow down please" in ei.value.body["message"]
    assert ei.value.response.headers.get("x-request-id")


def test_upstream_5xx_keeps_status(start_gateway, mock):
    gw = start_gateway(chat_config())
    mock.script("/v1/chat/completions", status=503, message="overloaded")
    err = assert_openai_error(gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": MSG}, AUTH), 503)
    assert "overloaded" in err["message"]


def test_body_over_max_body_bytes_is_413(start_gateway, mock):
    gw = start_gateway(chat_config(max_body_bytes=4096))
    big = [{"role": "user", "content": "x" * 20_000}]
    assert_openai_error(gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": big}, AUTH), 413)
    assert not mock.requests, "an oversized body was sent upstream"
    # a body under the limit still works
    assert gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": MSG}, AUTH).status == 200


def test_unknown_path_is_404_openai_shape(start_gateway, mock):
    gw = start_gateway(chat_config())
    assert_openai_error(gw.http("POST", "/v1/no/such/thing", {"model": "m"}, AUTH), 404)
    assert_openai_error(gw.http("GET", "/nothing-here"), 404)
    assert not mock.requests


def test_malformed_json_is_400(start_gateway, mock):
    gw = start_gateway(chat_config())
    resp = gw.http("POST", "/v1/chat/completions", b'{"model": "m", "messages": [', AUTH)
    assert_openai_error(resp, 400)
    assert not mock.requests


def test_missing_messages_is_400(start_gateway, mock):
    gw = start_gateway(chat_config())
    assert_openai_error(gw.http("POST", "/v1/chat/completions", {"model": "m"}, AUTH), 400)
    assert not mock.requests


def test_x_request_id_echoed_or_generated(start_gateway, mock):
    gw = start_gateway(chat_config())
    ok = gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": MSG},
                 dict(AUTH, **{"x-request-id": "client-req-123"}))
    assert ok.status == 200 and ok.headers.get("x-request-id") == "client-req-123"
    bad = gw.http("POST", "/v1/nope", {}, {"x-request-id": "client-req-456"})
    assert bad.status == 404 and bad.headers.get("x-request-id") == "client-req-456"
    a = gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": MSG}, AUTH).headers.get("x-request-id")
    b = gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": MSG}, AUTH).headers.get("x-request-id")
    assert a and b and a != b


def test_admin_health(start_gateway, mock):
    gw = start_gateway(chat_config())
    assert gw.admin("GET", "/health").status == 200

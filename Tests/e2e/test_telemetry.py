"""Telemetry end to end: Prometheus metrics and the request log on the admin listener, the
access log, W3C trace context continued upstream. Needs governance (virtual keys) and a store."""
from __future__ import annotations

import json
import re
import time

import pytest

from conftest import UPSTREAM_KEY, metric, wait_until

VK_A, VK_B = "vk-team-a-secret-0001", "vk-team-b-secret-0002"
ADMIN_TOKEN = "admin-token-e2e"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def config(store: str = "memory", payloads: bool = False, token: str = "") -> str:
    admin_token = f"  token: {token}\n" if token else ""
    return f"""server:
  listen: {{{{LISTEN}}}}
  drain_seconds: 5
admin:
  listen: {{{{ADMIN}}}}
{admin_token}store: {store}
providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
virtual_keys:
  - {{key: {VK_A}, name: team-a}}
  - {{key: {VK_B}, name: team-b}}
routes:
  - id: chat
    uri: /v1/chat/completions
    methods: [POST]
    plugins:
      - governance: {{required: true}}
      - telemetry: {{log_payloads: {str(payloads).lower()}}}
      - ai-proxy: {{surface: openai-chat, provider: openai}}
"""


def chat(client, model="gpt-4o-mini", text="hello", **kw):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": text}], **kw)


def test_metrics_count_requests_tokens_and_latency(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai(api_key=VK_A)
    for i in range(3):
        assert chat(client, text=f"n{i}").choices[0].message.content == f"echo: n{i}"
    stream = chat(client, model="gpt-4o", text="streamed words here", stream=True,
                  stream_options={"include_usage": True})
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "echo: streamed words here"

    r = gw.admin("GET", "/metrics")
    assert r.status == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.body.decode()
    assert metric(text, "tollgate_requests_total", route="chat", model="gpt-4o-mini", status="200") == 3
    assert metric(text, "tollgate_requests_total", route="chat", model="gpt-4o", status="200") == 1
    assert metric(text, "tollgate_tokens_total", model="gpt-4o", type="output", virtual_key="team-a") > 0
    assert metric(text, "tollgate_tokens_total", model="gpt-4o", type="input", virtual_key="team-a") > 0
    assert metric(text, "gen_ai_client_token_usage_count", gen_ai_request_model="gpt-4o-mini", gen_ai_token_type="input") == 3
    # Latency buckets: every request lands in the +Inf bucket, and some in a finite one.
    assert metric(text, "gen_ai_server_request_duration_seconds_bucket", route="chat", le="+Inf") == 4
    assert metric(text, "gen_ai_server_request_duration_seconds_bucket", route="chat", le="5.12") >= 4
    assert metric(text, "gen_ai_client_operation_duration_seconds_count", gen_ai_request_model="gpt-4o-mini") == 3
    assert metric(text, "tollgate_gateway_overhead_seconds_count", route="chat") == 4
    # Time to first token only for the stream.
    assert metric(text, "gen_ai_server_time_to_first_token_seconds_count", gen_ai_request_model="gpt-4o") == 1
    assert metric(text, "gen_ai_server_time_to_first_token_seconds_count", gen_ai_request_model="gpt-4o-mini") is None
    assert metric(text, "tollgate_requests_in_flight") == 0
    assert VK_A not in text and UPSTREAM_KEY not in text


def test_upstream_errors_and_reloads_are_counted(start_gateway, mock):
    gw = start_gateway(config())
    mock.script("*/chat/completions", status=503, message="overloaded")
    client = gw.openai(api_key=VK_A)
    with pytest.raises(Exception):
        chat(client)
    gw.hup()
    assert gw.wait_for_log("config reloaded")
    text = gw.admin("GET", "/metrics").body.decode()
    assert metric(text, "tollgate_upstream_errors_total", provider="openai", kind="server_error") == 1
    assert metric(text, "tollgate_requests_total", status="503") == 1
    assert metric(text, "tollgate_config_reloads_total", result="success") == 1
    assert metric(text, "tollgate_config_reloads_total", result="failure") == 0


def test_request_log_has_rows_with_names_never_secrets(start_gateway, mock):
    gw = start_gateway(config(token=ADMIN_TOKEN))
    a, b = gw.openai(api_key=VK_A), gw.openai(api_key=VK_B)
    for _ in range(2):
        chat(a)
    chat(b, model="gpt-4o")
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    assert gw.admin("GET", "/admin/logs").status == 401
    r = gw.admin("GET", "/admin/logs", headers=auth)
    assert r.status == 200, r.body
    body = r.json()
    assert body["limit"] == 100 and body["offset"] == 0
    rows = body["data"]
    assert len(rows) == 3
    assert [row["virtual_key"] for row in rows] == ["team-b", "team-a", "team-a"]  # newest first
    row = rows[-1]
    assert row["route"] == "chat" and row["provider"] == "openai" and row["model"] == "gpt-4o-mini"
    assert row["status"] == 200 and row["latency_ms"] > 0 and row["input_tokens"] > 0 and row["output_tokens"] > 0
    assert "request_body" not in row
    for secret in (VK_A, VK_B, UPSTREAM_KEY):
        assert secret not in r.body.decode()

    only_a = gw.admin("GET", "/admin/logs?vk=team-a", headers=auth).json()["data"]
    assert len(only_a) == 2 and all(x["virtual_key"] == "team-a" for x in only_a)
    assert len(gw.admin("GET", "/admin/logs?model=gpt-4o", headers=auth).json()["data"]) == 1
    assert len(gw.admin("GET", "/admin/logs?status=500", headers=auth).json()["data"]) == 0
    page = gw.admin("GET", "/admin/logs?limit=1&offset=1", headers=auth).json()
    assert len(page["data"]) == 1 and page["data"][0]["virtual_key"] == "team-a"
    future = int(time.time()) + 3600
    assert gw.admin("GET", f"/admin/logs?since={future}", headers=auth).json()["data"] == []
    assert len(gw.admin("GET", "/admin/logs?since=2020-01-01T00:00:00Z", headers=auth).json()["data"]) == 3
    assert gw.admin("GET", "/admin/logs?since=yesterday", headers=auth).status == 400
    # /metrics is not behind the admin token (Prometheus scrapes it).
    assert gw.admin("GET", "/metrics").status == 200


def test_payloads_are_logged_only_when_asked_and_redacted(start_gateway, mock):
    gw = start_gateway(config(payloads=True))
    r = gw.http("POST", "/v1/chat/completions",
                {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "keep me"}],
                 "metadata": {"api_key": "sk-in-body-secret"}},
                headers={"Authorization": f"Bearer {VK_A}"})
    assert r.status == 200, r.body
    row = gw.admin("GET", "/admin/logs").json()["data"][0]
    assert "keep me" in row["request_body"]
    assert "sk-in-body-secret" not in row["request_body"] and "[REDACTED]" in row["request_body"]
    assert "echo: keep me" in row["response_body"]
    assert VK_A not in json.dumps(row)


def test_access_log_line_per_request(start_gateway, mock):
    gw = start_gateway(config(), args=["--log-format", "json"])
    chat(gw.openai(api_key=VK_A), text="logged")
    line = gw.wait_for_log(r'\{[^\n]*"msg":"request"[^\n]*\}')
    assert line, gw.logs()
    rec = json.loads(line.group(0))
    assert rec["vk"] == "team-a" and rec["route"] == "chat" and rec["status"] == 200
    assert rec["provider"] == "openai" and rec["model"] == "gpt-4o-mini"
    assert float(rec["latency_ms"]) > 0 and rec["input_tokens"] > 0 and rec["request_id"]
    assert VK_A not in gw.logs() and UPSTREAM_KEY not in gw.logs()


def test_trace_context_continues_upstream(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai(api_key=VK_A)
    chat(client, extra_headers={"traceparent": f"00-{TRACE}-00f067aa0ba902b7-01", "tracestate": "vendor=1"})
    sent = mock.last.headers.get("traceparent")
    assert sent and sent.startswith(f"00-{TRACE}-") and sent.endswith("-01"), sent
    assert "00f067aa0ba902b7" not in sent  # the gateway's own span is the parent upstream
    assert mock.last.headers.get("tracestate") == "vendor=1"

    chat(client)  # no trace: the gateway starts one
    fresh = mock.last.headers.get("traceparent")
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", fresh or ""), fresh
    assert TRACE not in fresh


def test_request_id_on_every_response(start_gateway, mock):
    gw = start_gateway(config())
    ok = gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "x"}]},
                 headers={"Authorization": f"Bearer {VK_A}", "x-request-id": "my-id-1"})
    assert ok.headers.get("x-request-id") == "my-id-1"
    denied = gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": []})
    assert denied.status == 401 and denied.headers.get("x-request-id")
    rows = gw.admin("GET", "/admin/logs").json()["data"]
    assert {r["request_id"] for r in rows} >= {"my-id-1"}

"""OpenAI chat through a route whose ai-proxy points at the mock: non-streamed and streamed,
the route's key goes upstream (never the client's), and the override.endpoint rules."""
from __future__ import annotations

from conftest import CLIENT_KEY, UPSTREAM_KEY, chat_config, header

MSG = [{"role": "user", "content": "hello gateway"}]


def assert_client_key_not_forwarded(rec):
    for k, v in rec.headers.items:
        assert CLIENT_KEY not in v, f"client key leaked upstream in header {k}"
    assert CLIENT_KEY.encode() not in rec.raw, "client key leaked upstream in the body"


def test_chat_nonstream_full_url_override(start_gateway, mock):
    gw = start_gateway(chat_config(endpoint="{{MOCK}}/custom/prefix/chat/completions"))
    raw = gw.openai().chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSG)
    r = raw.parse()
    assert r.choices[0].message.content == "echo: hello gateway"
    assert r.choices[0].finish_reason == "stop" and r.usage.total_tokens > 0
    assert r.system_fingerprint == "fp_mock"  # upstream fields pass through
    assert raw.headers.get("x-request-id")
    assert len(mock.requests) == 1
    rec = mock.last
    assert rec.method == "POST" and rec.path == "/custom/prefix/chat/completions"  # a path: used as is
    assert rec.headers.get("authorization") == f"Bearer {UPSTREAM_KEY}"
    assert_client_key_not_forwarded(rec)
    assert rec.body["model"] == "gpt-4o-mini" and rec.body["messages"] == MSG


def test_chat_stream_full_url_override(start_gateway, mock):
    gw = start_gateway(chat_config(endpoint="{{MOCK}}/v1/chat/completions"))
    stream = gw.openai().chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True,
                                                 stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: hello gateway"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 3
    rec = mock.last
    assert rec.body.get("stream") is True
    assert rec.headers.get("authorization") == f"Bearer {UPSTREAM_KEY}"
    assert_client_key_not_forwarded(rec)


def test_chat_stream_headers_are_sse(start_gateway, mock):
    gw = start_gateway(chat_config())
    r = gw.http("POST", "/v1/chat/completions", {"model": "m", "stream": True, "messages": MSG},
                headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert r.status == 200 and r.headers.get("content-type", "").startswith("text/event-stream")
    assert r.headers.get("x-request-id")
    assert r.body.rstrip().endswith(b"data: [DONE]")


def test_override_endpoint_without_path_appends_default_path(start_gateway, mock):
    gw = start_gateway(chat_config(endpoint="{{MOCK}}"))
    gw.openai().chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert mock.last.path == "/v1/chat/completions"


def test_provider_endpoint_from_providers_section(start_gateway, mock):
    cfg = header() + f"""providers:
  openai:
    endpoint: "{{{{MOCK}}}}/v1"
    api_key: {UPSTREAM_KEY}
routes:
  - id: chat
    uri: /v1/chat/completions
    plugins:
      - ai-proxy:
          surface: openai-chat
          provider: openai
"""
    gw = start_gateway(cfg)
    r = gw.openai().chat.completions.create(model="gpt-4o-mini", messages=MSG)
    assert r.choices[0].message.content == "echo: hello gateway"
    assert mock.last.path == "/v1/chat/completions" and mock.last.auth() == UPSTREAM_KEY


def test_options_overwrite_request_fields(start_gateway, mock):
    gw = start_gateway(chat_config(extra="          options: {temperature: 0.25}\n"))
    gw.openai().chat.completions.create(model="gpt-4o-mini", messages=MSG, temperature=0.9)
    assert mock.last.body["temperature"] == 0.25


def test_unknown_request_fields_pass_through(start_gateway, mock):
    gw = start_gateway(chat_config())
    gw.openai().chat.completions.create(model="gpt-4o-mini", messages=MSG, seed=7, user="u-1",
                                        extra_body={"vendor_knob": {"a": [1, 2]}})
    b = mock.last.body
    assert b["seed"] == 7 and b["user"] == "u-1" and b["vendor_knob"] == {"a": [1, 2]}


def test_client_headers_not_forwarded_by_default(start_gateway, mock):
    gw = start_gateway(chat_config())
    gw.openai(default_headers={"x-secret-thing": "s3cret", "anthropic-beta": "b1"}).chat.completions.create(
        model="gpt-4o-mini", messages=MSG)
    h = mock.last.headers
    assert "x-secret-thing" not in h and "anthropic-beta" not in h

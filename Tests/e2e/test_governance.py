"""Governance end to end, with the real SDKs: virtual keys (401), models (403), rate limits and
budgets (429 with retry-after) for streamed and whole answers, counters across SIGHUP and a
restart, the virtual key never reaching the provider, and direct keys only where enabled."""
from __future__ import annotations

import time

import anthropic
import openai
import pytest

from conftest import UPSTREAM_KEY, wait_until

VK_OPEN = "vk-open-5f1c2a9d"
VK_MODELS = "vk-models-7b3e01aa"
VK_RPM = "vk-rpm-19d2c4e7"
VK_TPM = "vk-tpm-a0b1c2d3"
VK_BUDGET = "vk-budget-e4f5a6b7"
VK_BUDGET_STREAM = "vk-budget-s-11223344"
VK_NEW = "vk-added-by-hup-99887766"
ALL_KEYS = [VK_OPEN, VK_MODELS, VK_RPM, VK_TPM, VK_BUDGET, VK_BUDGET_STREAM, VK_NEW]

LONG = "one two three four five six seven eight nine ten eleven twelve"  # 12 mock tokens


def config(store: str = "memory", extra_keys: str = "", direct: bool = False) -> str:
    return f"""
server:
  listen: {{{{LISTEN}}}}
  drain_seconds: 5
admin:
  listen: {{{{ADMIN}}}}
store: {store}
providers:
  openai: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
virtual_keys:
  - {{key: {VK_OPEN}, name: open}}
  - {{key: {VK_MODELS}, name: models, models: ["openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-*"]}}
  - {{key: {VK_RPM}, name: rpm, rate_limit: {{requests_per_minute: 3}}}}
  - {{key: {VK_TPM}, name: tpm, rate_limit: {{tokens_per_minute: 100}}}}
  - {{key: {VK_BUDGET}, name: budget, budget: {{max_usd: 0.05, period: 1d}}}}
  - {{key: {VK_BUDGET_STREAM}, name: budget-stream, budget: {{max_usd: 0.2, period: 1d}}}}
{extra_keys}
pricing:   # 1 000 USD per 1M tokens: a 12-word prompt and its echo cost about $0.025
  openai/gpt-4o-mini: {{input: 1000, output: 1000}}
  anthropic/claude-3-5-haiku-latest: {{input: 1000, output: 1000}}
routes:
  - id: chat
    uri: /v1/chat/completions
    plugins:
      - governance: {{}}
      - ai-proxy: {{surface: openai-chat}}
  - id: anthropic
    uri: /anthropic/v1/messages
    plugins:
      - governance: {{}}
      - ai-proxy: {{surface: anthropic-messages}}
  - id: byok
    uri: /byok/v1/chat/completions
    plugins:
      - governance: {{required: false}}
      - ai-proxy: {{surface: openai-chat, allow_direct_keys: true}}
  - id: plain-direct
    uri: /direct/v1/chat/completions
    plugins:
      - ai-proxy: {{surface: openai-chat, allow_direct_keys: {str(direct).lower()}}}
  - id: plain
    uri: /plain/v1/chat/completions
    plugins:
      - ai-proxy: {{surface: openai-chat}}
"""


def ask(gw, key, model="gpt-4o-mini", text="hello", prefix="/v1", **kw):
    return gw.openai(api_key=key, prefix=prefix).chat.completions.create(
        model=model, messages=[{"role": "user", "content": text}], **kw)


def ask_claude(gw, key, model="claude-3-5-haiku-latest", text="hello", **kw):
    return gw.anthropic(api_key=key).messages.create(
        model=model, max_tokens=50, messages=[{"role": "user", "content": text}], **kw)


def overspend(mock):
    """The next OpenAI answer reports 113 tokens ($0.113): past VK_BUDGET's $0.05, although its
    worst case (body bytes / 4, no max_tokens) was admitted. Spend counts the real usage."""
    mock.script("*/chat/completions", usage={"prompt_tokens": 100, "completion_tokens": 13, "total_tokens": 113})


def retry_after(err) -> int:
    v = err.response.headers.get("retry-after")
    assert v is not None, f"429 without retry-after: {dict(err.response.headers)}"
    return int(v)


# --------------------------------------------------------------------------- keys

def test_no_key_and_unknown_key_are_authentication_errors(start_gateway, mock):
    gw = start_gateway(config())
    r = gw.http("POST", "/v1/chat/completions", {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]})
    assert r.status == 401 and r.json()["error"]["type"] == "authentication_error", r.body
    with pytest.raises(openai.AuthenticationError):
        ask(gw, "vk-not-a-key")
    with pytest.raises(anthropic.AuthenticationError):
        ask_claude(gw, "vk-not-a-key")
    r = gw.http("POST", "/anthropic/v1/messages", {"model": "claude-3-5-haiku-latest", "max_tokens": 5,
                "messages": [{"role": "user", "content": "x"}]}, {"x-bf-vk": "vk-not-a-key"})
    assert r.status == 401 and r.json()["type"] == "error" and r.json()["error"]["type"] == "authentication_error"
    assert b"vk-not-a-key" not in r.body
    assert mock.requests == [], "a refused request reached the provider"


def test_virtual_key_in_every_header_and_never_upstream(start_gateway, mock):
    gw = start_gateway(config())
    assert ask(gw, VK_OPEN).choices[0].message.content == "echo: hello"          # Authorization: Bearer
    assert ask_claude(gw, VK_OPEN).content[0].text == "echo: hello"             # anthropic SDK
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    for h in ({"x-bf-vk": VK_OPEN}, {"x-api-key": VK_OPEN}, {"x-goog-api-key": VK_OPEN}, {"api-key": VK_OPEN}):
        r = gw.http("POST", "/v1/chat/completions", body, h)
        assert r.status == 200, (h, r.body)
    assert len(mock.requests) == 6
    for rec in mock.requests:
        assert rec.auth() == UPSTREAM_KEY
        for k in ALL_KEYS:
            assert k.encode() not in rec.raw, f"virtual key reached the provider: {rec.headers}"
    assert not any(k in gw.logs() for k in ALL_KEYS), "a virtual key was logged"


def test_model_outside_the_list_is_permission_denied(start_gateway, mock):
    gw = start_gateway(config())
    assert ask(gw, VK_MODELS).choices[0].message.content
    with pytest.raises(openai.PermissionDeniedError) as ei:
        ask(gw, VK_MODELS, model="gpt-4o")
    assert "openai/gpt-4o" in ei.value.message
    with pytest.raises(anthropic.PermissionDeniedError):
        ask_claude(gw, VK_MODELS, model="claude-sonnet-4-20250514")
    assert ask_claude(gw, VK_MODELS).content[0].text
    assert len(mock.requests) == 2


# --------------------------------------------------------------------------- limits

def test_fourth_request_of_a_three_per_minute_key(start_gateway, mock):
    gw = start_gateway(config())
    for i in range(3):
        ask(gw, VK_RPM, text=f"r{i}")
    with pytest.raises(openai.RateLimitError) as ei:
        ask(gw, VK_RPM)
    assert 1 <= retry_after(ei.value) <= 20
    with pytest.raises(anthropic.RateLimitError) as ea:
        ask_claude(gw, VK_RPM)
    assert 1 <= retry_after(ea.value) <= 20
    assert len(mock.requests) == 3
    assert ask(gw, VK_OPEN).choices  # other keys unaffected


def test_tokens_per_minute_reserves_the_worst_case_and_counts_real_usage(start_gateway, mock):
    # 100 tokens a minute. A request is admitted when its worst case fits in what is left:
    # body bytes / 4 (about 22 for "small", 36 for LONG) plus max_tokens; when it ends, the
    # reservation becomes its real usage (the mock: one token a word).
    gw = start_gateway(config())
    ask(gw, VK_TPM, text="small", max_tokens=50)      # ~72 reserved of 100; then 1 + 2 used
    ask(gw, VK_TPM, text=LONG, max_tokens=50)         # 3 + ~86 fits; then 12 + 13 used: 28
    with pytest.raises(openai.RateLimitError) as ei:  # 28 + ~102 does not fit
        ask(gw, VK_TPM, text="small", max_tokens=80)
    assert retry_after(ei.value) >= 1
    assert "tokens per minute" in ei.value.message
    ask(gw, VK_TPM, text="small")                     # 28 + ~22 fits
    assert len(mock.requests) == 3


def test_tokens_per_minute_counts_streams(start_gateway, mock):
    gw = start_gateway(config())
    stream = ask(gw, VK_TPM, text=LONG, stream=True, stream_options={"include_usage": True})
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == f"echo: {LONG}"
    time.sleep(0.1)
    # The stream used 25: ~22 + 60 would fit in an untouched minute, not after it.
    with pytest.raises(openai.RateLimitError):
        ask(gw, VK_TPM, max_tokens=60)


def test_budget_after_the_crossing_request(start_gateway, mock):
    gw = start_gateway(config())
    overspend(mock)
    r = gw.http("POST", "/v1/chat/completions",
                {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": LONG}]}, {"x-bf-vk": VK_BUDGET})
    assert r.status == 200, r.body
    with pytest.raises(openai.RateLimitError) as ei:
        ask(gw, VK_BUDGET)
    assert "budget" in ei.value.message
    assert retry_after(ei.value) <= 86400
    assert len(mock.requests) == 1


def test_budget_counts_anthropic_streams(start_gateway, mock):
    gw = start_gateway(config())
    mock.script("/v1/messages", usage={"input_tokens": 300})   # $0.30 of 0.20, reported by the stream
    with gw.anthropic(api_key=VK_BUDGET_STREAM).messages.stream(
            model="claude-3-5-haiku-latest", max_tokens=100, messages=[{"role": "user", "content": LONG}]) as s:
        assert s.get_final_text() == f"echo: {LONG}"
    time.sleep(0.1)
    with pytest.raises(anthropic.RateLimitError) as ei:
        ask_claude(gw, VK_BUDGET_STREAM)
    assert retry_after(ei.value) >= 1


def test_client_that_leaves_mid_stream_is_still_charged(start_gateway, mock):
    gw = start_gateway(config())
    mock.script("/v1/messages", gap=0.2, usage={"input_tokens": 300})  # in message_start
    words = " ".join(f"w{i}" for i in range(40))
    with gw.anthropic(api_key=VK_BUDGET_STREAM).messages.stream(
            model="claude-3-5-haiku-latest", max_tokens=100, messages=[{"role": "user", "content": words}]) as s:
        for _ in zip(range(3), s.text_stream):   # the prompt's usage came with message_start
            pass
    assert wait_until(lambda: mock.requests and mock.requests[0].finished.is_set(), 10)
    time.sleep(0.2)
    with pytest.raises(anthropic.RateLimitError):
        ask_claude(gw, VK_BUDGET_STREAM)


# --------------------------------------------------------------------------- reload and restart

def test_counters_survive_sighup_and_a_new_key_works_at_once(start_gateway, mock):
    gw = start_gateway(config())
    for i in range(3):
        ask(gw, VK_RPM, text=f"r{i}")
    overspend(mock)
    ask(gw, VK_BUDGET, text=LONG)
    gw.write_config(config(extra_keys=f"  - {{key: {VK_NEW}, name: new}}\n"))
    gw.hup()

    def new_key_works():
        try:
            return ask(gw, VK_NEW).choices
        except openai.AuthenticationError:
            return None
    assert wait_until(new_key_works, 5, 0.1), gw.logs()
    with pytest.raises(openai.RateLimitError):
        ask(gw, VK_RPM)
    with pytest.raises(openai.RateLimitError):
        ask(gw, VK_BUDGET)


def test_rate_limit_window_survives_a_restart(start_gateway, mock, tmp_path):
    # The limiter's state is in the SQLite file too: a restart does not hand out a fresh minute.
    template = config(store=f"sqlite:{tmp_path / 'rpm.db'}")
    gw = start_gateway(template)
    for i in range(3):
        ask(gw, VK_RPM, text=f"r{i}")
    gw.stop()
    assert gw.proc.returncode == 0, gw.logs()
    gw2 = start_gateway(template)
    with pytest.raises(openai.RateLimitError) as ei:
        ask(gw2, VK_RPM)
    assert 1 <= retry_after(ei.value) <= 20
    assert len(mock.requests) == 3


def test_budget_survives_a_restart(start_gateway, mock, tmp_path):
    template = config(store=f"sqlite:{tmp_path / 'gov.db'}")
    gw = start_gateway(template)
    overspend(mock)
    ask(gw, VK_BUDGET, text=LONG)
    ask(gw, VK_OPEN)
    gw.stop()
    assert gw.proc.returncode == 0, gw.logs()
    gw2 = start_gateway(template)
    with pytest.raises(openai.RateLimitError):   # at once: counters load before the first decision
        ask(gw2, VK_BUDGET)
    assert ask(gw2, VK_OPEN).choices
    assert len(mock.requests) == 3


# --------------------------------------------------------------------------- direct keys

def test_direct_keys_only_when_enabled(start_gateway, mock):
    gw = start_gateway(config(direct=True))
    own = "sk-my-own-provider-key"
    ask(gw, own, prefix="/direct/v1")
    assert mock.last.auth() == own
    ask(gw, own, prefix="/plain/v1")                  # not enabled on this route
    assert mock.last.auth() == UPSTREAM_KEY
    ask(gw, own, prefix="/byok/v1")                   # governance (not required) passes it on
    assert mock.last.auth() == own
    ask(gw, VK_OPEN, prefix="/byok/v1")               # a virtual key is never a direct key
    assert mock.last.auth() == UPSTREAM_KEY
    ask(gw, VK_OPEN, prefix="/direct/v1")             # …with or without governance on the route
    assert mock.last.auth() == UPSTREAM_KEY
    with pytest.raises(openai.AuthenticationError):   # and a required route wants a virtual key
        ask(gw, own)

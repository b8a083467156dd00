"""Any inbound protocol reaches any provider (spec section 5): each SDK, through its own surface,
picks the provider by model prefix; the mock must see that provider's own API, and the SDK must
get a proper answer back (plain, streamed, tool calls)."""
from __future__ import annotations

import json

import pytest

from conftest import UPSTREAM_KEY, header

CONFIG = header() + f"""providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  gemini: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  ollama: {{endpoint: "{{{{MOCK}}}}"}}
  azure: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}, api_version: 2024-10-21}}
routes:
  - id: chat
    uri: /v1/chat/completions
    plugins: [{{ai-proxy: {{surface: openai-chat}}}}]
  - id: anthropic
    uri: /anthropic/v1/messages
    plugins: [{{ai-proxy: {{surface: anthropic-messages}}}}]
  - id: genai
    uri: /genai/v1beta/models/*
    plugins: [{{ai-proxy: {{surface: genai}}}}]
"""

# model as the client names it -> (path the provider's API is called at, for plain and stream)
TARGETS = {
    "openai/gpt-4o-mini": ("/v1/chat/completions", "/v1/chat/completions"),
    "anthropic/claude-3-5-sonnet-20240620": ("/v1/messages", "/v1/messages"),
    "gemini/gemini-2.0-flash": ("/v1beta/models/gemini-2.0-flash:generateContent",
                                "/v1beta/models/gemini-2.0-flash:streamGenerateContent"),
    "ollama/llama3.1:8b": ("/api/chat", "/api/chat"),
    "azure/gpt-4o": ("/openai/deployments/gpt-4o/chat/completions",
                     "/openai/deployments/gpt-4o/chat/completions"),
}
IDS = [m.split("/")[0] for m in TARGETS]
TOOLS_OA = [{"type": "function", "function": {
    "name": "lookup", "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}}}]


@pytest.fixture
def gw(start_gateway):
    return start_gateway(CONFIG)


def _check_upstream(mock, path):
    rec = mock.last
    assert rec.path == path, f"upstream called at {rec.path}, expected {path}"
    if not path.startswith("/api/"):  # ollama takes no key
        assert rec.auth() == UPSTREAM_KEY, rec.headers
    return rec


@pytest.mark.parametrize("model", TARGETS, ids=IDS)
def test_openai_chat_sdk_to_provider(gw, mock, model):
    r = gw.openai().chat.completions.create(model=model, messages=[{"role": "user", "content": "hi all"}])
    assert r.choices[0].message.content == "echo: hi all"
    assert r.choices[0].finish_reason == "stop" and r.usage.prompt_tokens > 0
    _check_upstream(mock, TARGETS[model][0])


@pytest.mark.parametrize("model", TARGETS, ids=IDS)
def test_openai_chat_sdk_stream_to_provider(gw, mock, model):
    s = gw.openai().chat.completions.create(model=model, stream=True, stream_options={"include_usage": True},
                                            messages=[{"role": "user", "content": "a b c"}])
    chunks = list(s)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: a b c"
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert any(c.usage and c.usage.completion_tokens for c in chunks), "no usage chunk"
    _check_upstream(mock, TARGETS[model][1])


@pytest.mark.parametrize("model", TARGETS, ids=IDS)
def test_openai_chat_sdk_tool_call_via_provider(gw, mock, model):
    r = gw.openai().chat.completions.create(model=model, tools=TOOLS_OA,
                                            messages=[{"role": "user", "content": "find moles"}])
    calls = r.choices[0].message.tool_calls
    assert calls and calls[0].function.name == "lookup", r
    assert json.loads(calls[0].function.arguments) == {"query": "find moles"}
    assert r.choices[0].finish_reason == "tool_calls"


@pytest.mark.parametrize("model", TARGETS, ids=IDS)
def test_anthropic_sdk_to_provider(gw, mock, model):
    an = gw.anthropic()
    r = an.messages.create(model=model, max_tokens=64, messages=[{"role": "user", "content": "hey there"}])
    assert "".join(b.text for b in r.content if b.type == "text") == "echo: hey there"
    assert r.stop_reason == "end_turn"
    _check_upstream(mock, TARGETS[model][0])
    with an.messages.stream(model=model, max_tokens=64, messages=[{"role": "user", "content": "x y"}]) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    assert text == "echo: x y" and final.stop_reason == "end_turn"
    _check_upstream(mock, TARGETS[model][1])


@pytest.mark.parametrize("model", TARGETS, ids=IDS)
def test_genai_sdk_to_provider(gw, mock, model):
    g = gw.genai()
    r = g.models.generate_content(model=model, contents="hello gem")
    assert r.text == "echo: hello gem"
    _check_upstream(mock, TARGETS[model][0])
    parts = [c.text or "" for c in g.models.generate_content_stream(model=model, contents="p q")]
    assert "".join(parts) == "echo: p q"
    _check_upstream(mock, TARGETS[model][1])

"""Protocol translation I (issue 3), in depth: OpenAI SDK -> `anthropic/...` and Anthropic SDK ->
`openai/...`, plain and streamed, each carrying a system prompt, images (base64/data URL and http
URL), tools, a tool call and a tool-result turn. Each test checks both ends:

- the SDK object the client gets is complete (text, tool calls with parsed arguments, finish/stop
  reason, usage — in streams too), and
- the mock saw a valid request of the provider's own protocol (path, credentials, body shape).

Also: the APISIX seed route (fixed provider, model, key and full-URL override), and errors —
upstream 401/429/500/529 raise each SDK's own exception class, translated and passthrough, and an
unknown model prefix is a 400 in the caller's shape that lists the known providers.

The mock answers deterministically (see Tests/e2e/README.md): `echo: <last user text>`; with
tools, a tool call with arguments {"query": <last user text>} (Anthropic's also says
`calling <tool>` first); after a tool result, `tool said: <result>`. Its usage counts one token
per word, so expected counts are derived with the mock's own `count_tokens`.
"""
from __future__ import annotations

import json

import anthropic
import openai
import pytest

from conftest import CLIENT_KEY, UPSTREAM_KEY, header
from mock.common import count_tokens

CLAUDE = "claude-3-5-sonnet-20240620"
GPT = "gpt-4o-mini"

CONFIG = header() + f"""providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
routes:
  - id: chat
    uri: /v1/chat/completions
    methods: [POST]
    plugins: [{{ai-proxy: {{surface: openai-chat}}}}]
  - id: anthropic
    uri: /anthropic/v1/messages
    methods: [POST]
    plugins: [{{ai-proxy: {{surface: anthropic-messages}}}}]
"""

ROUTE_KEY = "sk-ant-route-key"
SEED_CONFIG = header() + f"""routes:
  - id: chat-to-claude
    uri: /v1/chat/completions
    methods: [POST]
    plugins:
      - ai-proxy:
          surface: openai-chat
          provider: anthropic
          model: {CLAUDE}
          api_key: {ROUTE_KEY}
          override: {{endpoint: "{{{{MOCK}}}}/v1/messages"}}
"""

# A 1x1 transparent PNG.
PNG_B64 = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
IMG_URL = "https://example.com/cat.jpg"
SYSTEM = "You are terse."

WEATHER_SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
LOOKUP_SCHEMA = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
OA_TOOLS = [
    {"type": "function", "function": {"name": "lookup", "description": "Search the web.", "parameters": LOOKUP_SCHEMA}},
    {"type": "function", "function": {"name": "weather", "description": "Weather now.", "parameters": WEATHER_SCHEMA}},
]
AN_TOOLS = [
    {"name": "lookup", "description": "Search the web.", "input_schema": LOOKUP_SCHEMA},
    {"name": "weather", "description": "Weather now.", "input_schema": WEATHER_SCHEMA},
]


@pytest.fixture
def gw(start_gateway):
    return start_gateway(CONFIG)


# --------------------------------------------------------------------------- helpers

def _no_client_credentials(rec):
    """The client's key never reaches the provider, in any header."""
    for name, value in rec.headers.as_dict().items():
        assert CLIENT_KEY not in value, f"client key leaked upstream in {name}: {value}"


def _check_anthropic_request(rec, *, stream: bool):
    """A valid Anthropic Messages request, as api.anthropic.com requires it."""
    assert rec.method == "POST" and rec.path == "/v1/messages", rec.path
    assert rec.headers.get("x-api-key") == UPSTREAM_KEY, rec.headers
    assert rec.headers.get("anthropic-version") == "2023-06-01", rec.headers
    assert rec.headers.get("authorization") is None, rec.headers
    _no_client_credentials(rec)
    b = rec.body
    assert isinstance(b, dict), rec.raw[:300]
    assert b["model"] == CLAUDE
    assert isinstance(b.get("max_tokens"), int) and b["max_tokens"] > 0, b
    assert bool(b.get("stream")) is stream, b
    assert "stream_options" not in b and "n" not in b, b  # OpenAI-only fields Anthropic rejects
    msgs = b["messages"]
    assert msgs and msgs[0]["role"] == "user", msgs
    for m in msgs:
        assert m["role"] in ("user", "assistant"), f"role {m['role']!r} is not Anthropic's: {msgs}"
    for a, c in zip(msgs, msgs[1:]):
        assert a["role"] != c["role"], f"roles do not alternate: {[m['role'] for m in msgs]}"
    return b


def _blocks(msg):
    c = msg["content"]
    return [{"type": "text", "text": c}] if isinstance(c, str) else c


def _check_openai_request(rec, *, stream: bool):
    """A valid OpenAI Chat Completions request."""
    assert rec.method == "POST" and rec.path == "/v1/chat/completions", rec.path
    assert rec.headers.get("authorization") == f"Bearer {UPSTREAM_KEY}", rec.headers
    assert rec.headers.get("x-api-key") is None and rec.headers.get("anthropic-version") is None, rec.headers
    _no_client_credentials(rec)
    b = rec.body
    assert isinstance(b, dict), rec.raw[:300]
    assert b["model"] == GPT
    assert bool(b.get("stream")) is stream, b
    for m in b["messages"]:
        assert m["role"] in ("system", "developer", "user", "assistant", "tool"), m
    return b


def _text(content) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if p.get("type") == "text")


# OpenAI-side conversation: system, user with text + data-URL image + http image, the assistant's
# tool call, its result, and the answer the test expects: "tool said: <result>".
def _oa_conversation(call_id="call_w1"):
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": [
            {"type": "text", "text": "what is the weather where this is"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
            {"type": "image_url", "image_url": {"url": IMG_URL}},
        ]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": "weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": call_id, "content": "sunny 21C"},
    ]


def _check_oa_conversation_upstream(b, call_id="call_w1"):
    """The Anthropic body for _oa_conversation(): system on top, images as sources, the call as
    a tool_use block and its result as a tool_result block leading the next user turn."""
    assert b.get("system") in (SYSTEM, [{"type": "text", "text": SYSTEM}]), b.get("system")
    msgs = b["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"], msgs
    u = _blocks(msgs[0])
    assert {"type": "text", "text": "what is the weather where this is"} in u, u
    images = [x for x in u if x["type"] == "image"]
    assert [i["source"] for i in images] == [
        {"type": "base64", "media_type": "image/png", "data": PNG_B64},
        {"type": "url", "url": IMG_URL},
    ], images
    uses = [x for x in _blocks(msgs[1]) if x["type"] == "tool_use"]
    assert uses == [{"type": "tool_use", "id": call_id, "name": "weather", "input": {"city": "Paris"}}], msgs[1]
    res = _blocks(msgs[2])
    assert res[0]["type"] == "tool_result" and res[0]["tool_use_id"] == call_id, res
    assert _text(res[0]["content"]) == "sunny 21C", res
    tools = b["tools"]
    assert [t["name"] for t in tools] == ["lookup", "weather"], tools
    assert tools[1] == {"name": "weather", "description": "Weather now.", "input_schema": WEATHER_SCHEMA}, tools
    for t in tools:
        assert "function" not in t and "parameters" not in t and "type" not in t, t


def _anthropic_prompt_tokens(b) -> int:
    """What the mock reports as input_tokens for body `b` (its own count, see mock.anthropic_api)."""
    from mock.common import text_of
    sys_text = text_of(b.get("system")) if b.get("system") else ""
    return count_tokens(sys_text, *[text_of(m.get("content")) for m in b["messages"]])


# =========================================================================== OpenAI SDK -> anthropic

def test_openai_sdk_to_anthropic_full_conversation(gw, mock):
    oa = gw.openai()
    r = oa.chat.completions.create(
        model=f"anthropic/{CLAUDE}", messages=_oa_conversation(), tools=OA_TOOLS, max_tokens=300,
        temperature=0.3, top_p=0.9, stop=["END"], user="user-42")
    # the SDK object
    assert r.object == "chat.completion" and r.id
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].message.content == "tool said: sunny 21C"
    assert not r.choices[0].message.tool_calls
    assert r.choices[0].finish_reason == "stop"
    assert r.model == CLAUDE
    # the upstream request
    rec = mock.last
    b = _check_anthropic_request(rec, stream=False)
    _check_oa_conversation_upstream(b)
    assert b["max_tokens"] == 300
    assert b["temperature"] == pytest.approx(0.3) and b["top_p"] == pytest.approx(0.9)
    assert b["stop_sequences"] == ["END"], b
    assert b["metadata"] == {"user_id": "user-42"}, b
    for f in ("stop", "user", "max_completion_tokens"):
        assert f not in b, f"OpenAI field {f!r} sent to Anthropic: {b}"
    # usage: the mock's counts, in OpenAI's names
    prompt = _anthropic_prompt_tokens(b)
    assert r.usage.prompt_tokens == prompt
    assert r.usage.completion_tokens == count_tokens("tool said: sunny 21C")
    assert r.usage.total_tokens == prompt + r.usage.completion_tokens


def test_openai_sdk_to_anthropic_tool_call(gw, mock):
    r = gw.openai().chat.completions.create(
        model=f"anthropic/{CLAUDE}", tools=OA_TOOLS, tool_choice="required",
        messages=[{"role": "system", "content": SYSTEM},
                  {"role": "user", "content": [
                      {"type": "text", "text": "find moles"},
                      {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}}]}])
    msg = r.choices[0].message
    assert r.choices[0].finish_reason == "tool_calls"
    assert msg.content == "calling lookup"
    assert len(msg.tool_calls) == 1, msg
    call = msg.tool_calls[0]
    assert call.type == "function" and call.function.name == "lookup"
    assert call.id.startswith("toolu_mock"), call.id  # the provider's id, kept for the tool-result turn
    assert isinstance(call.function.arguments, str)
    assert json.loads(call.function.arguments) == {"query": "find moles"}
    assert r.usage.completion_tokens > 0 and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    b = _check_anthropic_request(mock.last, stream=False)
    assert b["max_tokens"] == 4096, "documented default max_tokens when the OpenAI client sends none"
    assert b["system"] in (SYSTEM, [{"type": "text", "text": SYSTEM}])
    assert b["tool_choice"] == {"type": "any"}, b.get("tool_choice")
    assert b["tools"][0]["input_schema"] == LOOKUP_SCHEMA


@pytest.mark.parametrize("choice,parallel,expected", [
    ("auto", None, {"type": "auto"}),
    ("none", None, {"type": "none"}),
    ("required", None, {"type": "any"}),
    ({"type": "function", "function": {"name": "weather"}}, None, {"type": "tool", "name": "weather"}),
    ("auto", False, {"type": "auto", "disable_parallel_tool_use": True}),
    (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
], ids=["auto", "none", "required", "named", "auto-noparallel", "noparallel-only"])
def test_openai_tool_choice_maps_to_anthropic(gw, mock, choice, parallel, expected):
    kw = {}
    if choice is not None:
        kw["tool_choice"] = choice
    if parallel is not None:
        kw["parallel_tool_calls"] = parallel
    r = gw.openai().chat.completions.create(
        model=f"anthropic/{CLAUDE}", tools=OA_TOOLS, messages=[{"role": "user", "content": "paris"}], **kw)
    b = _check_anthropic_request(mock.last, stream=False)
    assert b.get("tool_choice") == expected, b.get("tool_choice")
    assert "parallel_tool_calls" not in b
    # the answer follows the choice (the mock honours Anthropic's tool_choice)
    if expected["type"] == "none":
        assert r.choices[0].message.content == "echo: paris" and not r.choices[0].message.tool_calls
        assert r.choices[0].finish_reason == "stop"
    else:
        name = expected.get("name", "lookup")
        assert r.choices[0].finish_reason == "tool_calls"
        assert [c.function.name for c in r.choices[0].message.tool_calls] == [name]
        assert json.loads(r.choices[0].message.tool_calls[0].function.arguments) == {"query": "paris"}


def test_openai_parallel_tool_results_merge_into_one_user_turn(gw, mock):
    """Two calls, two `tool` messages in a row: one user turn of two tool_result blocks."""
    msgs = [
        {"role": "user", "content": "weather in paris and rome"},
        {"role": "assistant", "content": "Checking both.", "tool_calls": [
            {"id": "call_a", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Paris"}'}},
            {"id": "call_b", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Rome"}'}}]},
        {"role": "tool", "tool_call_id": "call_a", "content": "sunny"},
        {"role": "tool", "tool_call_id": "call_b", "content": "rainy"},
    ]
    r = gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", tools=OA_TOOLS, messages=msgs)
    assert r.choices[0].message.content == "tool said: sunny rainy"
    b = _check_anthropic_request(mock.last, stream=False)
    m = b["messages"]
    assert [x["role"] for x in m] == ["user", "assistant", "user"], m
    a = _blocks(m[1])
    assert a[0] == {"type": "text", "text": "Checking both."}, a
    assert [(x["id"], x["input"]) for x in a if x["type"] == "tool_use"] == [
        ("call_a", {"city": "Paris"}), ("call_b", {"city": "Rome"})], a
    res = _blocks(m[2])
    assert [(x["type"], x["tool_use_id"], _text(x["content"])) for x in res] == [
        ("tool_result", "call_a", "sunny"), ("tool_result", "call_b", "rainy")], res


def test_openai_sdk_to_anthropic_stream_full_conversation(gw, mock):
    s = gw.openai().chat.completions.create(
        model=f"anthropic/{CLAUDE}", messages=_oa_conversation(), tools=OA_TOOLS, max_tokens=200,
        stream=True, stream_options={"include_usage": True})
    chunks = list(s)
    assert chunks, "empty stream"
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1, "one id per stream"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "tool said: sunny 21C"
    assert chunks[0].choices and chunks[0].choices[0].delta.role == "assistant"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    usage = [c.usage for c in chunks if c.usage]
    assert len(usage) == 1 and not chunks[-1].choices and chunks[-1].usage, "usage comes last, alone"
    b = _check_anthropic_request(mock.last, stream=True)
    _check_oa_conversation_upstream(b)
    assert b["max_tokens"] == 200
    u = usage[0]
    assert u.prompt_tokens == _anthropic_prompt_tokens(b)
    assert u.completion_tokens == count_tokens("tool said: sunny 21C")
    assert u.total_tokens == u.prompt_tokens + u.completion_tokens


def test_openai_sdk_to_anthropic_stream_without_include_usage_has_no_usage_chunk(gw, mock):
    chunks = list(gw.openai().chat.completions.create(
        model=f"anthropic/{CLAUDE}", stream=True, messages=[{"role": "user", "content": "one two"}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: one two"
    assert not any(c.usage for c in chunks), "usage chunk the client did not ask for"
    assert all(c.choices for c in chunks)
    _check_anthropic_request(mock.last, stream=True)


def test_openai_sdk_to_anthropic_stream_tool_call(gw, mock):
    s = gw.openai().chat.completions.create(
        model=f"anthropic/{CLAUDE}", tools=OA_TOOLS, stream=True, stream_options={"include_usage": True},
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": "find voles"}])
    chunks = list(s)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "calling lookup"
    calls: dict[int, dict] = {}
    for c in chunks:
        for tc in (c.choices[0].delta.tool_calls or []) if c.choices else []:
            cur = calls.setdefault(tc.index, {"id": None, "name": None, "args": ""})
            if tc.id:
                assert cur["id"] is None, "tool call id sent twice"
                cur["id"] = tc.id
            if tc.function and tc.function.name:
                cur["name"] = tc.function.name
            if tc.function and tc.function.arguments:
                cur["args"] += tc.function.arguments
    assert list(calls) == [0], calls
    assert calls[0]["id"] and calls[0]["id"].startswith("toolu_mock")
    assert calls[0]["name"] == "lookup"
    assert json.loads(calls[0]["args"]) == {"query": "find voles"}
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["tool_calls"]
    usage = [c.usage for c in chunks if c.usage]
    assert len(usage) == 1 and usage[0].completion_tokens > 0 and usage[0].prompt_tokens > 0
    b = _check_anthropic_request(mock.last, stream=True)
    assert b["tools"][0] == {"name": "lookup", "description": "Search the web.", "input_schema": LOOKUP_SCHEMA}


def test_openai_sdk_to_anthropic_cached_usage(gw, mock):
    """Anthropic's input_tokens excludes cache reads/writes; OpenAI's prompt_tokens includes them."""
    mock.script("/v1/messages", body={
        "id": "msg_fixed", "type": "message", "role": "assistant", "model": CLAUDE,
        "content": [{"type": "text", "text": "cached hello"}], "stop_reason": "max_tokens", "stop_sequence": None,
        "usage": {"input_tokens": 11, "output_tokens": 7, "cache_creation_input_tokens": 2,
                  "cache_read_input_tokens": 5}})
    r = gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", messages=[{"role": "user", "content": "x"}])
    assert r.id == "msg_fixed", "the provider's id is kept (docs/translation-openai-anthropic.md)"
    assert r.choices[0].message.content == "cached hello"
    assert r.choices[0].finish_reason == "length"
    assert r.usage.prompt_tokens == 18
    assert r.usage.completion_tokens == 7
    assert r.usage.total_tokens == 25
    assert r.usage.prompt_tokens_details.cached_tokens == 5


# =========================================================================== Anthropic SDK -> openai

def _an_conversation(tool_id="toolu_w1"):
    return [
        {"role": "user", "content": [
            {"type": "text", "text": "what is the weather where this is"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
            {"type": "image", "source": {"type": "url", "url": IMG_URL}},
        ]},
        {"role": "assistant", "content": [
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": tool_id, "name": "weather", "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_id, "content": "sunny 21C"}]},
    ]


def _check_an_conversation_upstream(b, tool_id="toolu_w1"):
    msgs = b["messages"]
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "tool"], msgs
    assert _text(msgs[0]["content"]) == SYSTEM
    parts = msgs[1]["content"]
    assert isinstance(parts, list), parts
    assert {"type": "text", "text": "what is the weather where this is"} in parts, parts
    urls = [p["image_url"]["url"] for p in parts if p.get("type") == "image_url"]
    assert urls == [f"data:image/png;base64,{PNG_B64}", IMG_URL], parts
    a = msgs[2]
    assert _text(a.get("content") or "") == "Let me check."
    assert len(a["tool_calls"]) == 1, a
    tc = a["tool_calls"][0]
    assert tc["id"] == tool_id and tc["type"] == "function" and tc["function"]["name"] == "weather", tc
    assert isinstance(tc["function"]["arguments"], str), "OpenAI arguments are a JSON string"
    assert json.loads(tc["function"]["arguments"]) == {"city": "Paris"}
    t = msgs[3]
    assert t["tool_call_id"] == tool_id and _text(t["content"]) == "sunny 21C", t
    assert b["tools"] == [{"type": "function", "function": {
        "name": "lookup", "description": "Search the web.", "parameters": LOOKUP_SCHEMA}},
        {"type": "function", "function": {
            "name": "weather", "description": "Weather now.", "parameters": WEATHER_SCHEMA}}], b["tools"]
    for f in ("system", "stop_sequences", "metadata", "anthropic_version"):
        assert f not in b, f"Anthropic field {f!r} sent to OpenAI: {b}"


def _openai_prompt_tokens(b) -> int:
    from mock.common import text_of
    return count_tokens(*[text_of(m.get("content")) for m in b["messages"]])


def test_anthropic_sdk_to_openai_full_conversation(gw, mock):
    r = gw.anthropic().messages.create(
        model=f"openai/{GPT}", max_tokens=300, system=SYSTEM, tools=AN_TOOLS, messages=_an_conversation(),
        stop_sequences=["END"], metadata={"user_id": "user-7"},
        extra_body={"temperature": 0.5})  # anthropic 2.x's create() has no temperature parameter
    assert r.type == "message" and r.role == "assistant" and r.id
    assert [b.type for b in r.content] == ["text"]
    assert r.content[0].text == "tool said: sunny 21C"
    assert r.stop_reason == "end_turn"
    b = _check_openai_request(mock.last, stream=False)
    _check_an_conversation_upstream(b)
    assert (b.get("max_tokens") or b.get("max_completion_tokens")) == 300, b
    assert b["temperature"] == pytest.approx(0.5)
    assert b["stop"] in (["END"], "END"), b
    assert b["user"] == "user-7", b
    prompt = _openai_prompt_tokens(b)
    assert r.usage.input_tokens == prompt
    assert r.usage.output_tokens == count_tokens("tool said: sunny 21C")


def test_anthropic_sdk_to_openai_tool_call(gw, mock):
    r = gw.anthropic().messages.create(
        model=f"openai/{GPT}", max_tokens=100, system=SYSTEM, tools=AN_TOOLS,
        tool_choice={"type": "tool", "name": "weather"},
        messages=[{"role": "user", "content": [
            {"type": "text", "text": "weather in oslo"},
            {"type": "image", "source": {"type": "url", "url": IMG_URL}}]}])
    assert r.stop_reason == "tool_use"
    uses = [b for b in r.content if b.type == "tool_use"]
    assert len(uses) == 1, r.content
    assert uses[0].name == "weather"
    assert uses[0].id.startswith("call_mock"), uses[0].id
    assert uses[0].input == {"query": "weather in oslo"}  # a parsed object, not a JSON string
    assert not [b for b in r.content if b.type == "text" and not b.text], "empty text block"
    assert r.usage.output_tokens > 0 and r.usage.input_tokens > 0
    b = _check_openai_request(mock.last, stream=False)
    assert b["tool_choice"] == {"type": "function", "function": {"name": "weather"}}, b.get("tool_choice")


@pytest.mark.parametrize("choice,expected,parallel", [
    ({"type": "auto"}, "auto", None),
    ({"type": "any"}, "required", None),
    ({"type": "none"}, "none", None),
    ({"type": "tool", "name": "lookup"}, {"type": "function", "function": {"name": "lookup"}}, None),
    ({"type": "auto", "disable_parallel_tool_use": True}, "auto", False),
], ids=["auto", "any", "none", "tool", "noparallel"])
def test_anthropic_tool_choice_maps_to_openai(gw, mock, choice, expected, parallel):
    r = gw.anthropic().messages.create(model=f"openai/{GPT}", max_tokens=50, tools=AN_TOOLS, tool_choice=choice,
                                       messages=[{"role": "user", "content": "oslo"}])
    b = _check_openai_request(mock.last, stream=False)
    assert b.get("tool_choice") == expected, b.get("tool_choice")
    assert b.get("parallel_tool_calls") == parallel, b
    if expected == "none":
        assert r.stop_reason == "end_turn" and r.content[0].text == "echo: oslo"
    else:
        assert r.stop_reason == "tool_use"
        assert [x.input for x in r.content if x.type == "tool_use"] == [{"query": "oslo"}]


def test_anthropic_sdk_to_openai_stream_full_conversation(gw, mock):
    an = gw.anthropic()
    with an.messages.stream(model=f"openai/{GPT}", max_tokens=300, system=SYSTEM, tools=AN_TOOLS,
                            messages=_an_conversation()) as s:
        events = list(s)
        final = s.get_final_message()
    types = [e.type for e in events]
    assert types[0] == "message_start" and "message_stop" in types, types
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta" and e.delta.type == "text_delta")
    assert text == "tool said: sunny 21C"
    assert [b.type for b in final.content] == ["text"] and final.content[0].text == "tool said: sunny 21C"
    assert final.stop_reason == "end_turn"
    rec = mock.last
    b = _check_openai_request(rec, stream=True)
    _check_an_conversation_upstream(b)
    assert b.get("stream_options", {}).get("include_usage") is True, \
        "an Anthropic client's stream needs usage: the gateway must ask OpenAI for it"
    assert final.usage.input_tokens == _openai_prompt_tokens(b)
    assert final.usage.output_tokens == count_tokens("tool said: sunny 21C")


def test_anthropic_sdk_to_openai_stream_tool_call(gw, mock):
    an = gw.anthropic()
    with an.messages.stream(model=f"openai/{GPT}", max_tokens=100, system=SYSTEM, tools=AN_TOOLS,
                            messages=[{"role": "user", "content": "find shrews"}]) as s:
        events = list(s)
        final = s.get_final_message()
    starts = [e for e in events if e.type == "content_block_start"]
    assert [e.content_block.type for e in starts] == ["tool_use"], starts
    assert starts[0].content_block.name == "lookup" and starts[0].content_block.id.startswith("call_mock")
    frags = "".join(e.delta.partial_json for e in events
                    if e.type == "content_block_delta" and e.delta.type == "input_json_delta")
    assert json.loads(frags) == {"query": "find shrews"}
    assert final.stop_reason == "tool_use"
    uses = [b for b in final.content if b.type == "tool_use"]
    assert len(uses) == 1 and uses[0].input == {"query": "find shrews"} and uses[0].name == "lookup"
    assert final.usage.output_tokens > 0 and final.usage.input_tokens > 0
    _check_openai_request(mock.last, stream=True)


def test_anthropic_sdk_to_openai_cached_usage(gw, mock):
    mock.script("/v1/chat/completions", body={
        "id": "chatcmpl-fixed", "object": "chat.completion", "created": 1, "model": GPT,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "short"}, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 4, "total_tokens": 24,
                  "prompt_tokens_details": {"cached_tokens": 6}}})
    r = gw.anthropic().messages.create(model=f"openai/{GPT}", max_tokens=4, messages=[{"role": "user", "content": "x"}])
    assert r.content[0].text == "short"
    assert r.stop_reason == "max_tokens"
    assert r.usage.input_tokens == 14 and r.usage.cache_read_input_tokens == 6 and r.usage.output_tokens == 4


# =========================================================================== the APISIX seed

def test_apisix_seed_route_openai_client_to_anthropic(start_gateway, mock):
    gw = start_gateway(SEED_CONFIG)
    r = gw.openai().chat.completions.create(
        model="gpt-4", max_tokens=500,
        messages=[{"role": "system", "content": "You are a professional translator."},
                  {"role": "user", "content": "Translate from English to French: I love programming."}])
    assert r.object == "chat.completion"
    assert r.choices[0].message.content == "echo: Translate from English to French: I love programming."
    assert r.choices[0].finish_reason == "stop"
    assert r.usage and r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    rec = mock.last
    assert rec.path == "/v1/messages"
    assert rec.headers.get("x-api-key") == ROUTE_KEY
    assert rec.headers.get("anthropic-version") == "2023-06-01"
    assert rec.headers.get("authorization") is None
    _no_client_credentials(rec)
    b = rec.body
    assert b["model"] == CLAUDE, "the route's model replaces the client's gpt-4"
    assert b["system"] in ("You are a professional translator.",
                           [{"type": "text", "text": "You are a professional translator."}])
    assert b["max_tokens"] == 500
    assert [m["role"] for m in b["messages"]] == ["user"]
    # raw HTTP: the gateway says where the request went
    raw = gw.http("POST", "/v1/chat/completions", {"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]},
                  headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert raw.status == 200 and raw.json()["object"] == "chat.completion"
    assert raw.headers.get("x-tollgate-provider") == "anthropic", raw.headers
    assert raw.headers.get("x-tollgate-model") == CLAUDE, raw.headers
    assert raw.headers.get("x-request-id")


def test_apisix_seed_route_stream(start_gateway, mock):
    gw = start_gateway(SEED_CONFIG)
    chunks = list(gw.openai().chat.completions.create(
        model="gpt-4", max_tokens=500, stream=True, stream_options={"include_usage": True},
        messages=[{"role": "system", "content": "You are a professional translator."},
                  {"role": "user", "content": "bonjour monde"}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: bonjour monde"
    assert [c.usage for c in chunks if c.usage][0].completion_tokens == count_tokens("echo: bonjour monde")
    rec = mock.last
    assert rec.path == "/v1/messages" and rec.body["model"] == CLAUDE and rec.body["stream"] is True
    assert rec.headers.get("x-api-key") == ROUTE_KEY and rec.headers.get("anthropic-version") == "2023-06-01"


# =========================================================================== errors

OA_CLASSES = {401: openai.AuthenticationError, 429: openai.RateLimitError, 500: openai.InternalServerError,
              529: openai.InternalServerError}
AN_CLASSES = {401: anthropic.AuthenticationError, 429: anthropic.RateLimitError,
              500: anthropic.InternalServerError, 529: anthropic.OverloadedError}
AN_TYPES = {401: "authentication_error", 429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}


def _assert_openai_error_body(e, status, message):
    assert e.status_code == status
    body = e.response.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    for k in ("message", "type", "param", "code"):
        assert k in err, err
    assert message in err["message"], err
    assert e.response.headers.get("x-request-id")


def _assert_anthropic_error_body(e, status, message):
    assert e.status_code == status
    body = e.response.json()
    assert body.get("type") == "error", body
    assert body["error"]["type"] == AN_TYPES.get(status, body["error"]["type"]), body
    assert message in body["error"]["message"], body


@pytest.mark.parametrize("status", [401, 429, 500, 529])
@pytest.mark.parametrize("upstream", ["anthropic", "openai"], ids=["translated", "passthrough"])
def test_openai_sdk_upstream_errors(gw, mock, upstream, status):
    model = f"anthropic/{CLAUDE}" if upstream == "anthropic" else f"openai/{GPT}"
    path = "/v1/messages" if upstream == "anthropic" else "/v1/chat/completions"
    mock.script(path, status=status, message=f"upstream says {status}")
    with pytest.raises(OA_CLASSES[status]) as ei:
        gw.openai().chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])
    _assert_openai_error_body(ei.value, status, f"upstream says {status}")
    assert mock.last.path == path and mock.last.answered_status == status
    if status == 429 and upstream == "anthropic":
        err = ei.value.response.json()["error"]
        assert (err["type"], err["code"]) == ("rate_limit_error", "rate_limit_exceeded"), err


@pytest.mark.parametrize("status", [401, 429, 500, 529])
@pytest.mark.parametrize("upstream", ["openai", "anthropic"], ids=["translated", "passthrough"])
def test_anthropic_sdk_upstream_errors(gw, mock, upstream, status):
    model = f"openai/{GPT}" if upstream == "openai" else f"anthropic/{CLAUDE}"
    path = "/v1/chat/completions" if upstream == "openai" else "/v1/messages"
    mock.script(path, status=status, message=f"upstream says {status}")
    with pytest.raises(AN_CLASSES[status]) as ei:
        gw.anthropic().messages.create(model=model, max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    _assert_anthropic_error_body(ei.value, status, f"upstream says {status}")
    assert mock.last.path == path and mock.last.answered_status == status


def test_rate_limit_on_translated_streams(gw, mock):
    """A 429 before the stream starts raises at create(), for either SDK."""
    mock.script("/v1/messages", status=429, message="slow down please")
    with pytest.raises(openai.RateLimitError) as ei:
        gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", stream=True,
                                            messages=[{"role": "user", "content": "hi"}])
    _assert_openai_error_body(ei.value, 429, "slow down please")
    mock.script("/v1/chat/completions", status=429, message="slow down too")
    with pytest.raises(anthropic.RateLimitError) as ei2:
        with gw.anthropic().messages.stream(model=f"openai/{GPT}", max_tokens=10,
                                            messages=[{"role": "user", "content": "hi"}]) as s:
            list(s)
    _assert_anthropic_error_body(ei2.value, 429, "slow down too")


def test_rate_limit_retry_after_is_kept(gw, mock):
    mock.script("/v1/messages", status=429, message="wait", headers={"retry-after": "7"})
    with pytest.raises(openai.RateLimitError) as ei:
        gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", messages=[{"role": "user", "content": "hi"}])
    assert ei.value.response.headers.get("retry-after") == "7"


def test_unknown_prefix_is_400_listing_providers_openai_sdk(gw, mock):
    with pytest.raises(openai.BadRequestError) as ei:
        gw.openai().chat.completions.create(model="nosuch/gpt-9", messages=[{"role": "user", "content": "hi"}])
    _assert_openai_error_body(ei.value, 400, "nosuch")
    msg = ei.value.response.json()["error"]["message"]
    for p in ("openai", "anthropic", "gemini", "ollama", "azure", "mistral"):
        assert p in msg, f"known provider {p!r} not listed: {msg}"
    assert ei.value.response.json()["error"]["type"] == "invalid_request_error"
    assert not mock.requests, "an unknown provider must not reach any upstream"


def test_unknown_prefix_is_400_listing_providers_anthropic_sdk(gw, mock):
    with pytest.raises(anthropic.BadRequestError) as ei:
        gw.anthropic().messages.create(model="nosuch/claude-9", max_tokens=10,
                                       messages=[{"role": "user", "content": "hi"}])
    body = ei.value.response.json()
    assert ei.value.status_code == 400
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error", body
    for p in ("openai", "anthropic", "gemini", "nosuch"):
        assert p in body["error"]["message"], body
    assert not mock.requests


# =========================================================================== streams cut by the provider

def test_openai_sdk_stream_cut_by_anthropic_raises(gw, mock):
    """message_start, a text block start, then the connection drops: the OpenAI client gets the
    text so far, then an error chunk (openai-python raises), never a clean finish."""
    mock.script("/v1/messages", close_after_events=4)
    s = gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", stream=True,
                                            messages=[{"role": "user", "content": "a b c d e f"}])
    got = []
    with pytest.raises(openai.APIError):
        for c in s:
            got.append(c)
    assert not _finishes_of(got), "a cut stream must not look finished"
    assert "".join(c.choices[0].delta.content or "" for c in got if c.choices).startswith("echo:")


def test_anthropic_sdk_stream_cut_by_openai_raises(gw, mock):
    mock.script("/v1/chat/completions", close_after_events=3)
    with pytest.raises(anthropic.APIStatusError) as ei:
        with gw.anthropic().messages.stream(model=f"openai/{GPT}", max_tokens=20,
                                            messages=[{"role": "user", "content": "a b c d e f"}]) as s:
            for _ in s:
                pass
    assert ei.value.body is not None


def _finishes_of(chunks):
    return [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]


# =========================================================================== mixed turns and reasoning

def test_openai_tool_result_then_user_text_is_one_user_turn(gw, mock):
    msgs = [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_x", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Oslo"}'}}]},
        {"role": "tool", "tool_call_id": "call_x", "content": "snow"},
        {"role": "user", "content": "and tomorrow?"},
    ]
    r = gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", tools=OA_TOOLS, tool_choice="none",
                                            messages=msgs)
    assert r.choices[0].message.content
    m = _check_anthropic_request(mock.last, stream=False)["messages"]
    assert [x["role"] for x in m] == ["user", "assistant", "user"], m
    last = _blocks(m[2])
    assert [b["type"] for b in last] == ["tool_result", "text"], last
    assert last[0]["tool_use_id"] == "call_x" and last[1]["text"] == "and tomorrow?"


def test_anthropic_tool_result_with_text_and_error_flag_to_openai(gw, mock):
    msgs = [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Oslo"}},
                                          {"type": "tool_use", "id": "toolu_2", "name": "weather", "input": {"city": "Rome"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "snow"}]},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": "no data", "is_error": True},
            {"type": "text", "text": "summarise"}]},
    ]
    r = gw.anthropic().messages.create(model=f"openai/{GPT}", max_tokens=50, tools=AN_TOOLS,
                                       tool_choice={"type": "none"}, messages=msgs)
    assert r.content[0].text == "echo: summarise"
    m = _check_openai_request(mock.last, stream=False)["messages"]
    assert [x["role"] for x in m] == ["user", "assistant", "tool", "tool", "user"], m
    assert [c["id"] for c in m[1]["tool_calls"]] == ["toolu_1", "toolu_2"]
    assert (m[2]["tool_call_id"], _text(m[2]["content"])) == ("toolu_1", "snow")
    assert m[3]["tool_call_id"] == "toolu_2" and "no data" in _text(m[3]["content"])
    assert _text(m[4]["content"]) == "summarise"


def test_openai_reasoning_effort_to_anthropic_thinking_and_back(gw, mock):
    mock.script("/v1/messages", body={
        "id": "msg_think", "type": "message", "role": "assistant", "model": CLAUDE,
        "content": [{"type": "thinking", "thinking": "let me think", "signature": "sig=="},
                    {"type": "text", "text": "42"}],
        "stop_reason": "end_turn", "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 9}})
    r = gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", reasoning_effort="low", temperature=0.2,
                                            messages=[{"role": "user", "content": "answer?"}])
    assert r.choices[0].message.content == "42"
    extra = r.choices[0].message.model_extra or {}
    assert extra.get("reasoning_content") == "let me think", r.choices[0].message
    b = _check_anthropic_request(mock.last, stream=False)
    assert b["thinking"] == {"type": "enabled", "budget_tokens": 1024}, b
    assert b["max_tokens"] > 1024 and "temperature" not in b, b


def test_anthropic_thinking_to_openai_reasoning_and_back(gw, mock):
    """Thinking asked of an OpenAI model goes to its Responses API (#16): Chat Completions
    returns no reasoning. The effort comes from the budget, the limit from max_tokens, and the
    reasoning summary comes back as the thinking block."""
    r = gw.anthropic().messages.create(model=f"openai/{GPT}", max_tokens=8000,
                                       thinking={"type": "enabled", "budget_tokens": 2048},
                                       messages=[{"role": "user", "content": "answer?"}])
    assert [b.type for b in r.content] == ["thinking", "text"], r.content
    assert r.content[0].thinking and r.content[1].text, r.content
    rec = mock.last
    assert rec.path == "/v1/responses", rec.path
    assert rec.body["reasoning"]["effort"] == "low" and rec.body["reasoning"]["summary"] == "auto", rec.body
    assert rec.body.get("max_output_tokens") == 8000, rec.body

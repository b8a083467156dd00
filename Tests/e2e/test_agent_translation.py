"""Agent-grade translation (issue 16; spec section 5, "Reasoning on the OpenAI Chat surface"):
signed thinking across turns, reasoning budgets, prompt caching, structured output, files,
hosted web search, several streamed tool calls, reasoning models, Gemini thought signatures.

Each test drives a real SDK (openai, anthropic, google-genai) through the gateway to the mock
and checks both ends: what the provider received (the mock's recorded body) and what the SDK got.

The mock plays the providers' rules where it matters here (Tests/e2e/mock/anthropic_api.py):
with `thinking` enabled, Anthropic answers with a signed thinking block first (signature:
`mint_signature(text)`), checks the signatures of replayed thinking blocks, requires the last
assistant turn of a tool loop to start with its thinking block, refuses a budget below 1024 or
not below `max_tokens`, and refuses a forced `tool_choice` — each a 400, as Anthropic answers.

OpenAI-chat thinking follows LiteLLM's convention: `message.reasoning_content` (text) and
`message.thinking_blocks` ([{type: thinking, thinking, signature}, {type: redacted_thinking,
data}]); streamed, each delta carries `reasoning_content` and `thinking_blocks` pieces (thinking
text in pieces, the signature in a piece of its own), reassembled as LiteLLM's
stream_chunk_builder does (`_reassemble`).
"""
from __future__ import annotations

import base64
import json

import anthropic
import openai
import pytest
from google.genai import types as gt

from conftest import UPSTREAM_KEY, header
from mock.common import mint_signature

CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-4o-mini"
GEMINI = "gemini-2.0-flash"

CONFIG = header() + f"""providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  gemini: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  ollama: {{endpoint: "{{{{MOCK}}}}"}}
routes:
  - id: fallback
    uri: /fb/v1/chat/completions
    plugins: [{{ai-proxy: {{surface: openai-chat, fallbacks: [gemini/{GEMINI}]}}}}]
  - id: v1
    uri: /v1/*
    plugins: [{{ai-proxy: {{}}}}]
  - id: anthropic
    uri: /anthropic/*
    plugins: [{{ai-proxy: {{}}}}]
  - id: genai
    uri: /genai/*
    plugins: [{{ai-proxy: {{}}}}]
"""

LOOKUP = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
WEATHER = {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
           "required": ["city"]}
OA_TOOLS = [{"type": "function", "function": {"name": "lookup", "description": "Search.", "parameters": LOOKUP}},
            {"type": "function", "function": {"name": "weather", "description": "Weather now.", "parameters": WEATHER}}]
AN_TOOLS = [{"name": "lookup", "description": "Search.", "input_schema": LOOKUP},
            {"name": "weather", "description": "Weather now.", "input_schema": WEATHER}]

# opaque, with '+', '/' and '=' like Anthropic's
REDACTED = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pabTTq8w6EKoICC8q=="

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "temp_c": {"type": "number"}},
          "required": ["city", "temp_c"], "additionalProperties": False}

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PDF_B64 = base64.b64encode(PDF).decode()
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


@pytest.fixture
def gw(start_gateway):
    return start_gateway(CONFIG)


# --------------------------------------------------------------------------- helpers

def _anthropic(mock):
    """The requests Anthropic received, oldest first."""
    return mock.matching("*/v1/messages")


def _history(message) -> dict:
    """An assistant message as an agent puts it back into the conversation: everything the SDK
    object holds (extra fields such as thinking_blocks included), without nulls."""
    d = message.model_dump(exclude_none=True)
    if not d.get("annotations"):
        d.pop("annotations", None)
    return d


def _reassemble(chunks) -> dict:
    """One assistant message from OpenAI chat stream chunks, as LiteLLM's stream_chunk_builder
    builds it: content and reasoning_content concatenated; thinking_blocks from the deltas'
    pieces (thinking text gathered until a piece brings the signature, redacted blocks whole);
    tool calls by index (id and name once, arguments concatenated)."""
    content, reasoning, blocks, calls, psf = [], [], [], {}, {}
    text, sig = [], None
    finishes, usage = [], None

    def flush():
        nonlocal text, sig
        if text or sig:
            blocks.append({"type": "thinking", "thinking": "".join(text), "signature": sig})
        text, sig = [], None

    for c in chunks:
        if c.usage:
            usage = c.usage
        if not c.choices:
            continue
        ch = c.choices[0]
        if ch.finish_reason:
            finishes.append(ch.finish_reason)
        d = ch.delta.model_dump()
        content.append(d.get("content") or "")
        reasoning.append(d.get("reasoning_content") or "")
        psf.update(d.get("provider_specific_fields") or {})
        for b in d.get("thinking_blocks") or []:
            if b.get("type") == "redacted_thinking":
                flush()
                blocks.append({"type": "redacted_thinking", "data": b.get("data")})
                continue
            if b.get("thinking"):
                text.append(b["thinking"])
            if b.get("signature"):
                sig = b["signature"]
                flush()
        for tc in d.get("tool_calls") or []:
            cur = calls.setdefault(tc["index"], {"id": None, "type": "function",
                                                 "function": {"name": None, "arguments": ""}})
            if tc.get("id"):
                assert cur["id"] is None, f"tool call {tc['index']}: id sent twice"
                cur["id"] = tc["id"]
            fn = tc.get("function") or {}
            if fn.get("name"):
                cur["function"]["name"] = fn["name"]
            cur["function"]["arguments"] += fn.get("arguments") or ""
    flush()
    msg = {"role": "assistant", "content": "".join(content) or None}
    if any(reasoning):
        msg["reasoning_content"] = "".join(reasoning)
    if blocks:
        msg["thinking_blocks"] = blocks
    if psf:
        msg["provider_specific_fields"] = psf
    if calls:
        msg["tool_calls"] = [calls[i] for i in sorted(calls)]
    return {"message": msg, "indexes": sorted(calls), "finishes": finishes, "usage": usage}


def _signed(thought: str) -> dict:
    return {"type": "thinking", "thinking": thought, "signature": mint_signature(thought)}


def _has_key(obj, key: str) -> bool:
    """`key` appears anywhere in a JSON value."""
    if isinstance(obj, dict):
        return key in obj or any(_has_key(v, key) for v in obj.values())
    if isinstance(obj, list):
        return any(_has_key(v, key) for v in obj)
    return False


def _anthropic_schema(rec):
    """The JSON schema an Anthropic request asks structured output for: GA `output_config.format`,
    or the beta `output_format` (then with its `anthropic-beta: structured-outputs-2025-11-13`)."""
    b = rec.body
    fmt = (b.get("output_config") or {}).get("format")
    if fmt is None and "output_format" in b:
        fmt = b["output_format"]
        assert "structured-outputs-2025-11-13" in (rec.headers.get("anthropic-beta") or ""), \
            f"output_format sent without its beta header: {rec.headers}"
    assert isinstance(fmt, dict), f"no structured output format reached Anthropic: {b}"
    assert fmt.get("type") == "json_schema", fmt
    return fmt.get("schema")


def _part(p: dict, camel: str, snake: str):
    return p.get(camel, p.get(snake))


# =========================================================================== 1. signed thinking, two turns

@pytest.mark.parametrize("redacted", [False, True], ids=["signed", "with-redacted"])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_thinking_tool_loop_openai_sdk_to_anthropic(gw, mock, stream, redacted):
    """OpenAI SDK (reasoning_effort) to Claude, a tool loop over two turns: the answer carries
    reasoning_content and thinking_blocks with the signature (and the redacted block); sent back
    with the tool result, the blocks lead the assistant turn Anthropic gets, byte-exact."""
    if redacted:
        mock.script("*/v1/messages", redacted_thinking=REDACTED)
    oa = gw.openai()
    kw = dict(model=f"anthropic/{CLAUDE}", reasoning_effort="low", tools=OA_TOOLS)
    if stream:
        kw.update(stream=True, stream_options={"include_usage": True})
    thought = "thinking about: weather in oslo"
    expected = [_signed(thought)] + ([{"type": "redacted_thinking", "data": REDACTED}] if redacted else [])

    msgs = [{"role": "user", "content": "weather in oslo"}]
    r1 = oa.chat.completions.create(messages=msgs, **kw)
    if stream:
        got = _reassemble(list(r1))
        m1, finish = got["message"], got["finishes"]
        assert finish == ["tool_calls"], finish
    else:
        assert r1.choices[0].finish_reason == "tool_calls"
        m1 = _history(r1.choices[0].message)
    assert m1.get("reasoning_content") == thought, m1
    assert m1.get("thinking_blocks") == expected, f"thinking_blocks lost or changed: {m1}"
    assert m1["content"] == "calling lookup"
    [call] = m1["tool_calls"]
    assert call["id"].startswith("toolu_mock") and call["function"]["name"] == "lookup"
    first = _anthropic(mock)[-1].body
    assert first["thinking"]["type"] == "enabled", first

    msgs += [m1, {"role": "tool", "tool_call_id": call["id"], "content": "snow -3C"}]
    r2 = oa.chat.completions.create(messages=msgs, **kw)
    text = "".join(c.choices[0].delta.content or "" for c in r2 if c.choices) if stream else r2.choices[0].message.content
    assert text == "tool said: snow -3C"
    second = _anthropic(mock)[-1]
    assert len(_anthropic(mock)) == 2
    b = second.body
    assert b["thinking"]["type"] == "enabled", b
    assert [m["role"] for m in b["messages"]] == ["user", "assistant", "user"], b["messages"]
    blocks = b["messages"][1]["content"]
    n = len(expected)
    assert blocks[:n] == expected, f"the signed blocks do not lead the assistant turn: {blocks}"
    assert [x["type"] for x in blocks[n:]] == ["text", "tool_use"], blocks
    assert blocks[-1]["id"] == call["id"]
    sig = mint_signature(thought)
    assert sig in second.raw.decode() or sig.replace("/", "\\/") in second.raw.decode(), \
        "signature not byte-exact on the wire"
    res = b["messages"][2]["content"]
    assert res[0]["type"] == "tool_result" and res[0]["tool_use_id"] == call["id"], res


def test_thinking_round_trip_responses_sdk_to_anthropic(gw, mock):
    """Responses SDK to Claude: the signed thinking comes back as a reasoning item (summary text,
    the signature as encrypted_content); the output items sent back as input reach Anthropic as
    the signed block leading the assistant turn."""
    oa = gw.openai()
    kw = dict(model=f"anthropic/{CLAUDE}", reasoning={"effort": "low"}, max_output_tokens=3000, store=False,
              include=["reasoning.encrypted_content"],
              tools=[{"type": "function", "name": "lookup", "description": "Search.", "parameters": LOOKUP}])
    r1 = oa.responses.create(input=[{"role": "user", "content": "weather in oslo"}], **kw)
    thought = "thinking about: weather in oslo"
    kinds = [o.type for o in r1.output]
    assert kinds[0] == "reasoning" and "function_call" in kinds, kinds
    rs = r1.output[0]
    assert "".join(s.text for s in rs.summary) == thought, rs
    assert rs.encrypted_content, f"no encrypted_content to carry the signature: {rs}"
    call = next(o for o in r1.output if o.type == "function_call")
    history = [{"role": "user", "content": "weather in oslo"}]
    history += [o.model_dump(exclude_none=True) for o in r1.output]
    history += [{"type": "function_call_output", "call_id": call.call_id, "output": "snow -3C"}]
    r2 = oa.responses.create(input=history, **kw)
    assert r2.output_text == "tool said: snow -3C"
    b = _anthropic(mock)[-1].body
    assistant = b["messages"][1]
    assert assistant["role"] == "assistant" and assistant["content"][0] == _signed(thought), assistant


# =========================================================================== 2. reasoning budget

@pytest.mark.parametrize("field,limit", [("max_tokens", 1500), ("max_tokens", 4000), ("max_tokens", 20000),
                                         ("max_completion_tokens", 1500)])
def test_reasoning_budget_always_chosen_and_monotone(gw, mock, field, limit):
    """reasoning_effort low/medium/high to Claude: a thinking budget is sent whenever one fits
    (>= 1024 and below the client's limit, which is kept), never less for more effort."""
    budgets = []
    for effort in ("low", "medium", "high"):
        gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", reasoning_effort=effort,
                                            messages=[{"role": "user", "content": "think"}], **{field: limit})
        b = _anthropic(mock)[-1].body
        t = b.get("thinking") or {}
        assert t.get("type") == "enabled", f"effort {effort} with {field}={limit}: no thinking sent: {b}"
        assert b["max_tokens"] == limit, f"the client's limit changed: {b['max_tokens']}"
        assert 1024 <= t["budget_tokens"] < limit, t
        budgets.append(t["budget_tokens"])
    assert budgets == sorted(budgets), f"budget not monotone in effort (low, medium, high): {budgets}"


def test_responses_reasoning_budget_below_2048(gw, mock):
    """Responses reasoning.effort with max_output_tokens 1500 to Claude: a valid budget for
    every effort, monotone."""
    budgets = []
    for effort in ("low", "medium", "high"):
        gw.openai().responses.create(model=f"anthropic/{CLAUDE}", input="think", reasoning={"effort": effort},
                                     max_output_tokens=1500)
        b = _anthropic(mock)[-1].body
        t = b.get("thinking") or {}
        assert t.get("type") == "enabled", f"effort {effort}, max_output_tokens 1500: no thinking sent: {b}"
        assert b["max_tokens"] == 1500 and 1024 <= t["budget_tokens"] < 1500, b
        budgets.append(t["budget_tokens"])
    assert budgets == sorted(budgets), budgets


@pytest.mark.parametrize("choice", ["required", {"type": "function", "function": {"name": "weather"}}],
                         ids=["required", "named"])
def test_forced_tool_choice_with_reasoning_is_resolved(gw, mock, choice):
    """tool_choice required/named together with reasoning_effort: Anthropic never gets a forced
    tool_choice with thinking enabled (it refuses that), and the request succeeds."""
    r = gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", reasoning_effort="medium", tools=OA_TOOLS,
                                            tool_choice=choice, messages=[{"role": "user", "content": "oslo"}])
    assert r.choices[0].message.tool_calls or r.choices[0].message.content, r
    b = _anthropic(mock)[-1].body
    forced = (b.get("tool_choice") or {}).get("type") in ("any", "tool")
    thinking = (b.get("thinking") or {}).get("type") == "enabled"
    assert not (forced and thinking), f"forced tool_choice sent with thinking: {b.get('tool_choice')} {b.get('thinking')}"
    assert [t["name"] for t in b["tools"]] == ["lookup", "weather"], b["tools"]


# =========================================================================== 3. prompt caching

CC = {"type": "ephemeral"}
CC_1H = {"type": "ephemeral", "ttl": "1h"}
SYSTEM = "You are a careful assistant. " * 20
DOC = "A long reference document. " * 20


def _cached_request():
    messages = [
        {"role": "system", "content": [{"type": "text", "text": SYSTEM, "cache_control": CC_1H}]},
        {"role": "user", "content": [{"type": "text", "text": DOC, "cache_control": CC},
                                     {"type": "text", "text": "what does it say"}]},
    ]
    tools = [OA_TOOLS[0], dict(OA_TOOLS[1], cache_control=CC)]
    return messages, tools


def test_cache_control_maps_to_anthropic(gw, mock):
    """cache_control on OpenAI system parts, content parts and tools reaches Anthropic on the
    same blocks, ttl kept."""
    messages, tools = _cached_request()
    gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", messages=messages, tools=tools)
    b = _anthropic(mock)[-1].body
    system = b["system"] if isinstance(b["system"], list) else [{"type": "text", "text": b["system"]}]
    assert system == [{"type": "text", "text": SYSTEM, "cache_control": CC_1H}], system
    user = b["messages"][0]["content"]
    assert user == [{"type": "text", "text": DOC, "cache_control": CC},
                    {"type": "text", "text": "what does it say"}], user
    assert "cache_control" not in b["tools"][0] and b["tools"][1].get("cache_control") == CC, b["tools"]


@pytest.mark.parametrize("via", ["openai-sdk-to-gemini", "anthropic-sdk-to-openai", "anthropic-sdk-to-gemini"])
def test_cache_control_stripped_for_providers_without_it(gw, mock, via):
    """A request with cache_control sent to a provider that has none carries it nowhere."""
    if via == "openai-sdk-to-gemini":
        messages, tools = _cached_request()
        gw.openai().chat.completions.create(model=f"gemini/{GEMINI}", messages=messages, tools=tools)
    else:
        model = f"openai/{GPT}" if via.endswith("openai") else f"gemini/{GEMINI}"
        gw.anthropic().messages.create(
            model=model, max_tokens=100, system=[{"type": "text", "text": SYSTEM, "cache_control": CC_1H}],
            tools=[dict(AN_TOOLS[0], cache_control=CC)],
            messages=[{"role": "user", "content": [{"type": "text", "text": DOC, "cache_control": CC}]}])
    rec = mock.last
    assert rec.provider == ("openai" if via.endswith("openai") else "gemini"), rec.path
    assert not _has_key(rec.body, "cache_control") and not _has_key(rec.body, "cacheControl"), rec.body


def test_cache_control_stripped_on_fallback(start_gateway, mock):
    """Anthropic fails (529), the fallback is Gemini: the first attempt carried cache_control,
    the fallback's request carries none, and the client gets the fallback's answer."""
    gw = start_gateway(CONFIG)
    mock.script("*/v1/messages", status=529, message="overloaded")
    messages, tools = _cached_request()
    r = gw.openai(prefix="/fb/v1").chat.completions.create(model=f"anthropic/{CLAUDE}", messages=messages,
                                                           tools=tools, tool_choice="none")
    text = r.choices[0].message.content
    assert text.startswith("echo: ") and text.endswith("what does it say"), text
    assert [x.provider for x in mock.requests] == ["anthropic", "gemini"], [x.path for x in mock.requests]
    assert _has_key(mock.requests[0].body, "cache_control")
    assert not _has_key(mock.requests[1].body, "cache_control"), mock.requests[1].body
    assert not _has_key(mock.requests[1].body, "cacheControl"), mock.requests[1].body


CACHE_USAGE = {"input_tokens": 10, "cache_creation_input_tokens": 200, "cache_read_input_tokens": 3000,
               "output_tokens": 7}


def _cache_write(usage_dict: dict):
    """Cache-write tokens in OpenAI chat usage: `prompt_tokens_details.cache_write_tokens` (the
    OpenAI SDK's field) or LiteLLM's top-level `cache_creation_input_tokens`."""
    d = usage_dict.get("prompt_tokens_details") or {}
    w = d.get("cache_write_tokens")
    return w if w is not None else usage_dict.get("cache_creation_input_tokens")


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_cache_usage_on_openai_chat(gw, mock, stream):
    """Anthropic's cache reads and writes reach OpenAI chat usage, whole and streamed:
    prompt_tokens counts all input, cached_tokens the reads, the writes are given too."""
    mock.script("*/v1/messages", usage=CACHE_USAGE)
    kw = dict(model=f"anthropic/{CLAUDE}", messages=[{"role": "user", "content": "hi"}])
    if stream:
        chunks = list(gw.openai().chat.completions.create(stream=True, stream_options={"include_usage": True}, **kw))
        [u] = [c.usage for c in chunks if c.usage]
    else:
        u = gw.openai().chat.completions.create(**kw).usage
    assert (u.prompt_tokens, u.completion_tokens, u.total_tokens) == (3210, 7, 3217), u
    assert u.prompt_tokens_details and u.prompt_tokens_details.cached_tokens == 3000, u
    assert _cache_write(u.model_dump()) == 200, f"cache-write tokens missing from usage: {u.model_dump()}"


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_cache_usage_on_responses(gw, mock, stream):
    """Responses usage from Anthropic: input_tokens counts all input, input_tokens_details has
    cached_tokens (reads) and cache_write_tokens (writes)."""
    mock.script("*/v1/messages", usage=CACHE_USAGE)
    kw = dict(model=f"anthropic/{CLAUDE}", input="hi")
    if stream:
        events = list(gw.openai().responses.create(stream=True, **kw))
        u = next(e for e in events if e.type == "response.completed").response.usage
    else:
        u = gw.openai().responses.create(**kw).usage
    assert (u.input_tokens, u.output_tokens) == (3210, 7), u
    d = u.input_tokens_details.model_dump()
    assert d.get("cached_tokens") == 3000 and d.get("cache_write_tokens") == 200, d


def test_cache_usage_on_genai(gw, mock):
    """GenAI usage from Anthropic: promptTokenCount counts all input, cachedContentTokenCount the reads."""
    mock.script("*/v1/messages", usage=CACHE_USAGE)
    g = gw.genai()  # kept: the client closes its connection pool when collected
    r = g.models.generate_content(model=f"anthropic/{CLAUDE}", contents="hi")
    u = r.usage_metadata
    assert (u.prompt_token_count, u.cached_content_token_count, u.candidates_token_count) == (3210, 3000, 7), u


# =========================================================================== 4. structured output

def _assert_fits(text: str):
    data = json.loads(text)
    assert set(data) == {"city", "temp_c"}, data


@pytest.mark.parametrize("client", ["openai-chat", "responses", "genai"])
def test_structured_output_to_anthropic(gw, mock, client):
    """OpenAI json_schema response_format, Responses text.format and Gemini responseJsonSchema
    reach Claude as its structured output format with the same schema."""
    model = f"anthropic/{CLAUDE}"
    prompt = "weather in oslo as json"
    if client == "openai-chat":
        r = gw.openai().chat.completions.create(
            model=model, messages=[{"role": "user", "content": prompt}],
            response_format={"type": "json_schema", "json_schema": {"name": "weather", "schema": SCHEMA, "strict": True}})
        text = r.choices[0].message.content
    elif client == "responses":
        r = gw.openai().responses.create(model=model, input=prompt, text={"format": {
            "type": "json_schema", "name": "weather", "schema": SCHEMA, "strict": True}})
        text = r.output_text
    else:
        g = gw.genai()
        r = g.models.generate_content(model=model, contents=prompt, config=gt.GenerateContentConfig(
            response_mime_type="application/json", response_json_schema=SCHEMA))
        text = r.text
    assert _anthropic_schema(_anthropic(mock)[-1]) == SCHEMA
    _assert_fits(text)


@pytest.mark.parametrize("target", ["openai", "gemini"])
def test_structured_output_from_anthropic(gw, mock, target):
    """Anthropic output_config.format json_schema reaches OpenAI as response_format json_schema
    and Gemini as responseMimeType application/json with the schema."""
    model = f"openai/{GPT}" if target == "openai" else f"gemini/{GEMINI}"
    gw.anthropic().messages.create(model=model, max_tokens=200,
                                   messages=[{"role": "user", "content": "weather in oslo as json"}],
                                   output_config={"format": {"type": "json_schema", "schema": SCHEMA}})
    b = mock.last.body
    if target == "openai":
        rf = b.get("response_format") or {}
        assert rf.get("type") == "json_schema", f"no response_format reached OpenAI: {b}"
        assert rf["json_schema"].get("schema") == SCHEMA and rf["json_schema"].get("name"), rf
    else:
        gen = b.get("generationConfig") or {}
        assert gen.get("responseMimeType") == "application/json", gen
        assert gen.get("responseJsonSchema") == SCHEMA or \
            set((gen.get("responseSchema") or {}).get("properties") or {}) == {"city", "temp_c"}, gen


# =========================================================================== 5. files

def _pdf_part_openai(name="memo.pdf"):
    return {"type": "file", "file": {"filename": name, "file_data": f"data:application/pdf;base64,{PDF_B64}"}}


def _document_blocks(content):
    return [b for b in content if isinstance(b, dict) and b.get("type") == "document"]


def test_openai_file_part_to_anthropic_document(gw, mock):
    """An OpenAI chat `file` part (base64 PDF) reaches Claude as a `document` block."""
    r = gw.openai().chat.completions.create(model=f"anthropic/{CLAUDE}", messages=[{"role": "user", "content": [
        {"type": "text", "text": "summarise this"}, _pdf_part_openai()]}])
    assert r.choices[0].message.content == "echo: summarise this"
    docs = _document_blocks(_anthropic(mock)[-1].body["messages"][0]["content"])
    assert [d["source"] for d in docs] == [{"type": "base64", "media_type": "application/pdf", "data": PDF_B64}], docs


def test_openai_file_part_to_gemini_inline_data(gw, mock):
    """An OpenAI chat `file` part (base64 PDF) reaches Gemini as inlineData application/pdf."""
    r = gw.openai().chat.completions.create(model=f"gemini/{GEMINI}", messages=[{"role": "user", "content": [
        {"type": "text", "text": "summarise this"}, _pdf_part_openai()]}])
    assert r.choices[0].message.content == "echo: summarise this"
    parts = mock.last.body["contents"][0]["parts"]
    inline = [_part(p, "inlineData", "inline_data") for p in parts if _part(p, "inlineData", "inline_data")]
    assert [(_part(i, "mimeType", "mime_type"), i["data"]) for i in inline] == [("application/pdf", PDF_B64)], parts


def test_responses_input_file_to_anthropic_document(gw, mock):
    """A Responses `input_file` (base64 PDF) reaches Claude as a `document` block."""
    r = gw.openai().responses.create(model=f"anthropic/{CLAUDE}", input=[{"role": "user", "content": [
        {"type": "input_text", "text": "summarise this"},
        {"type": "input_file", "filename": "memo.pdf", "file_data": f"data:application/pdf;base64,{PDF_B64}"}]}])
    assert r.output_text == "echo: summarise this"
    docs = _document_blocks(_anthropic(mock)[-1].body["messages"][0]["content"])
    assert [d["source"] for d in docs] == [{"type": "base64", "media_type": "application/pdf", "data": PDF_B64}], docs


def test_anthropic_document_to_openai_file_part(gw, mock):
    """An Anthropic `document` block (base64 PDF) reaches OpenAI chat as a `file` part."""
    r = gw.anthropic().messages.create(model=f"openai/{GPT}", max_tokens=100, messages=[{"role": "user", "content": [
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF_B64}},
        {"type": "text", "text": "summarise this"}]}])
    assert r.content[0].text == "echo: summarise this"
    parts = mock.last.body["messages"][-1]["content"]
    files = [p["file"] for p in parts if isinstance(p, dict) and p.get("type") == "file"]
    assert len(files) == 1, parts
    assert files[0].get("file_data") in (PDF_B64, f"data:application/pdf;base64,{PDF_B64}"), files


def test_image_in_anthropic_tool_result_reaches_openai(gw, mock):
    """An image inside an Anthropic tool_result is not dropped for OpenAI: the tool message keeps
    the text, the image follows in a user message after the tool messages."""
    msgs = [
        {"role": "user", "content": "take a screenshot"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_s1", "name": "lookup",
                                           "input": {"query": "screen"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_s1", "content": [
            {"type": "text", "text": "here it is"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}]}]},
    ]
    gw.anthropic().messages.create(model=f"openai/{GPT}", max_tokens=100, tools=AN_TOOLS, messages=msgs)
    m = mock.last.body["messages"]
    t = next(i for i, x in enumerate(m) if x["role"] == "tool")
    assert m[t]["tool_call_id"] == "toolu_s1" and "here it is" in json.dumps(m[t]["content"]), m[t]
    later = [p for x in m[t + 1:] if x["role"] == "user" and isinstance(x["content"], list) for p in x["content"]]
    urls = [p["image_url"]["url"] for p in later if p.get("type") == "image_url"]
    assert urls == [f"data:image/png;base64,{PNG_B64}"], f"the tool result's image was dropped: {m}"


# =========================================================================== 6. hosted web search

def test_responses_web_search_to_anthropic_server_tool(gw, mock):
    """Responses tool {type: web_search} reaches Claude as its web_search_20250305 server tool;
    the answer's text comes back."""
    r = gw.openai().responses.create(model=f"anthropic/{CLAUDE}", input="news in oslo",
                                     tools=[{"type": "web_search"}])
    tools = _anthropic(mock)[-1].body.get("tools") or []
    assert [(t.get("type"), t.get("name")) for t in tools] == [("web_search_20250305", "web_search")], tools
    assert r.output_text == "echo: news in oslo"


def test_responses_web_search_to_gemini_google_search(gw, mock):
    """Responses tool {type: web_search} reaches Gemini as its google_search tool."""
    r = gw.openai().responses.create(model=f"gemini/{GEMINI}", input="news in oslo", tools=[{"type": "web_search"}])
    tools = mock.last.body.get("tools") or []
    assert any("googleSearch" in t or "google_search" in t for t in tools), tools
    assert r.output_text == "echo: news in oslo"


def test_anthropic_web_search_to_gemini_google_search(gw, mock):
    """Anthropic's web_search_20250305 server tool reaches Gemini as google_search."""
    r = gw.anthropic().messages.create(model=f"gemini/{GEMINI}", max_tokens=100,
                                       tools=[{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}],
                                       messages=[{"role": "user", "content": "news in oslo"}])
    tools = mock.last.body.get("tools") or []
    assert any("googleSearch" in t or "google_search" in t for t in tools), tools
    assert "".join(b.text for b in r.content if b.type == "text") == "echo: news in oslo"


def test_hosted_tool_without_equivalent_is_400_naming_it(gw, mock):
    """A hosted tool the target cannot run is a 400 in the caller's shape naming the tool type,
    and nothing is sent upstream."""
    with pytest.raises(openai.BadRequestError) as ei:
        gw.openai().responses.create(model=f"anthropic/{CLAUDE}", input="find it",
                                     tools=[{"type": "file_search", "vector_store_ids": ["vs_1"]}])
    assert "file_search" in ei.value.response.json()["error"]["message"], ei.value.response.text
    with pytest.raises(anthropic.BadRequestError) as ei2:
        gw.anthropic().messages.create(model="ollama/llama3.1:8b", max_tokens=50,
                                       tools=[{"type": "web_search_20250305", "name": "web_search"}],
                                       messages=[{"role": "user", "content": "news"}])
    body = ei2.value.response.json()
    assert body["type"] == "error" and "web_search" in body["error"]["message"], body
    assert not mock.requests, [r.path for r in mock.requests]


# =========================================================================== 7. several streamed tool calls

CALLS = [{"id": "call_w8x", "name": "weather", "arguments": {"city": "Oslo", "unit": "celsius"}},
         {"id": "call_l9y", "name": "lookup", "arguments": {"query": "oslo events this weekend"}}]


def test_interleaved_tool_calls_openai_to_anthropic_sdk(gw, mock):
    """OpenAI streams two tool calls with interleaved argument deltas (one chunk carries both):
    the Anthropic SDK gets two tool_use blocks with their ids, names and whole inputs."""
    mock.script("*/chat/completions", calls=CALLS)
    with gw.anthropic().messages.stream(model=f"openai/{GPT}", max_tokens=200, tools=AN_TOOLS,
                                        messages=[{"role": "user", "content": "plan my weekend"}]) as s:
        events = list(s)
        final = s.get_final_message()
    uses = [b for b in final.content if b.type == "tool_use"]
    assert [(u.id, u.name, u.input) for u in uses] == [(c["id"], c["name"], c["arguments"]) for c in CALLS], final.content
    starts = [e for e in events if e.type == "content_block_start" and e.content_block.type == "tool_use"]
    assert len({e.index for e in starts}) == 2, starts
    assert final.stop_reason == "tool_use"


def test_interleaved_tool_calls_openai_to_genai_sdk(gw, mock):
    """OpenAI streams two interleaved tool calls: the google-genai SDK gets two function calls
    with their names and whole arguments, in order."""
    mock.script("*/chat/completions", calls=CALLS)
    string = gt.Schema(type=gt.Type.STRING)
    decl = gt.Tool(function_declarations=[
        gt.FunctionDeclaration(name="weather", parameters=gt.Schema(
            type=gt.Type.OBJECT, properties={"city": string, "unit": string}, required=["city"])),
        gt.FunctionDeclaration(name="lookup", parameters=gt.Schema(
            type=gt.Type.OBJECT, properties={"query": string}, required=["query"]))])
    g = gw.genai()
    chunks = list(g.models.generate_content_stream(
        model=f"openai/{GPT}", contents="plan my weekend", config=gt.GenerateContentConfig(tools=[decl])))
    fcs = [p.function_call for c in chunks if c.candidates for p in (c.candidates[0].content.parts or [])
           if p.function_call]
    assert [(f.name, f.args) for f in fcs] == [(c["name"], c["arguments"]) for c in CALLS], fcs
    assert all(f.id in (None, c["id"]) for f, c in zip(fcs, CALLS)), [f.id for f in fcs]


def test_several_tool_calls_anthropic_to_openai_sdk(gw, mock):
    """Anthropic streams a text block and two tool_use blocks: the OpenAI SDK stream has both
    calls at indexes 0 and 1 with their ids, names and arguments."""
    calls = [dict(c, id=c["id"].replace("call_", "toolu_")) for c in CALLS]
    mock.script("*/v1/messages", calls=calls)
    got = _reassemble(list(gw.openai().chat.completions.create(
        model=f"anthropic/{CLAUDE}", tools=OA_TOOLS, stream=True, messages=[{"role": "user", "content": "plan"}])))
    assert got["indexes"] == [0, 1], got
    tcs = got["message"]["tool_calls"]
    assert [(t["id"], t["function"]["name"], json.loads(t["function"]["arguments"])) for t in tcs] == \
        [(c["id"], c["name"], c["arguments"]) for c in calls], tcs
    assert got["message"]["content"] == "calling weather, lookup"
    assert got["finishes"] == ["tool_calls"]


def test_several_tool_calls_gemini_to_openai_sdk(gw, mock):
    """Gemini streams two function calls in separate chunks: the OpenAI SDK stream has them at
    indexes 0 and 1, each with its own id, name and arguments."""
    mock.script("*/models/*", calls=[{"name": c["name"], "arguments": c["arguments"]} for c in CALLS])
    got = _reassemble(list(gw.openai().chat.completions.create(
        model=f"gemini/{GEMINI}", tools=OA_TOOLS, stream=True, messages=[{"role": "user", "content": "plan"}])))
    assert got["indexes"] == [0, 1], got
    tcs = got["message"]["tool_calls"]
    assert [(t["function"]["name"], json.loads(t["function"]["arguments"])) for t in tcs] == \
        [(c["name"], c["arguments"]) for c in CALLS], tcs
    assert all(t["id"] for t in tcs) and tcs[0]["id"] != tcs[1]["id"], tcs
    assert got["finishes"] == ["tool_calls"]


# =========================================================================== 8. reasoning models, usage

@pytest.mark.parametrize("model", ["o4-mini", "gpt-5"])
def test_anthropic_thinking_to_openai_reasoning_model_uses_responses(gw, mock, model):
    """Anthropic SDK with thinking to an OpenAI reasoning model: the call goes to /v1/responses
    (Chat Completions returns no reasoning) and the answer starts with a thinking block holding
    the reasoning summary."""
    r = gw.anthropic().messages.create(model=f"openai/{model}", max_tokens=8000,
                                       thinking={"type": "enabled", "budget_tokens": 2048},
                                       messages=[{"role": "user", "content": "why is the sky blue"}])
    rec = mock.last
    assert rec.path == "/v1/responses", f"reasoning model called at {rec.path}"
    assert rec.body["model"] == model and (rec.body.get("reasoning") or {}).get("effort"), rec.body
    assert rec.body.get("max_output_tokens") == 8000, rec.body
    assert [b.type for b in r.content] == ["thinking", "text"], r.content
    assert r.content[0].thinking == "reasoning about: why is the sky blue"
    assert r.content[1].text == "echo: why is the sky blue"


def test_anthropic_thinking_to_openai_reasoning_model_stream(gw, mock):
    """The same, streamed: thinking deltas then text deltas reach the Anthropic SDK."""
    with gw.anthropic().messages.stream(model="openai/o4-mini", max_tokens=8000,
                                        thinking={"type": "enabled", "budget_tokens": 2048},
                                        messages=[{"role": "user", "content": "why is the sky blue"}]) as s:
        final = s.get_final_message()
    assert mock.last.path == "/v1/responses" and mock.last.body.get("stream") is True, mock.last.path
    assert [b.type for b in final.content] == ["thinking", "text"], final.content
    assert final.content[0].thinking == "reasoning about: why is the sky blue"
    assert final.content[1].text == "echo: why is the sky blue"


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("effort", [None, "low"], ids=["plain", "reasoning"])
def test_no_invented_reasoning_tokens(gw, mock, stream, effort):
    """OpenAI chat usage from Anthropic (which gives no reasoning-token figure) has no
    completion_tokens_details.reasoning_tokens, whole and streamed."""
    kw = dict(model=f"anthropic/{CLAUDE}", messages=[{"role": "user", "content": "hi"}])
    if effort:
        kw["reasoning_effort"] = effort
    if stream:
        chunks = list(gw.openai().chat.completions.create(stream=True, stream_options={"include_usage": True}, **kw))
        [u] = [c.usage for c in chunks if c.usage]
    else:
        u = gw.openai().chat.completions.create(**kw).usage
    details = (u.model_dump().get("completion_tokens_details") or {})
    assert details.get("reasoning_tokens") is None, f"reasoning_tokens invented: {u.model_dump()}"
    assert u.completion_tokens > 0


# =========================================================================== 9. Gemini thought_signature

GSIG = base64.b64encode(b"\x12\x9f\xfe gemini-thought-signature \xfb\xff" * 4).decode()


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_gemini_thought_signature_on_text_part_round_trips_openai_chat(gw, mock, stream):
    """Gemini's thoughtSignature on a text (non-function-call) part survives the OpenAI chat
    round trip: the assistant message sent back reaches Gemini with the signature on that part."""
    mock.script("*/models/*", parts=[{"text": "pondering the sum", "thought": True},
                                     {"text": "It is 4.", "thoughtSignature": GSIG}])
    oa = gw.openai()
    kw = dict(model="gemini/gemini-3-pro-preview", reasoning_effort="low")
    msgs = [{"role": "user", "content": "2+2?"}]
    if stream:
        m1 = _reassemble(list(oa.chat.completions.create(stream=True, messages=msgs, **kw)))["message"]
    else:
        m1 = _history(oa.chat.completions.create(messages=msgs, **kw).choices[0].message)
    assert m1["content"] == "It is 4.", m1
    msgs += [m1, {"role": "user", "content": "and 3+3?"}]
    oa.chat.completions.create(messages=msgs, **kw)
    contents = mock.last.body["contents"]
    assert [c.get("role") for c in contents] == ["user", "model", "user"], contents
    signed = [p for p in contents[1]["parts"] if _part(p, "thoughtSignature", "thought_signature")]
    assert [(p.get("text"), _part(p, "thoughtSignature", "thought_signature")) for p in signed] == \
        [("It is 4.", GSIG)], f"thought signature lost: {contents[1]}"


# =========================================================================== 9. stream round trips (session seven)

def test_thinking_round_trip_genai_sdk_stream_to_anthropic(gw, mock):
    """google-genai SDK streaming from Claude with thoughts on: the thought arrives as thought
    parts and Anthropic's signature on a last, empty thought part; the model turn sent back (all
    its streamed parts) reaches Anthropic as the one signed block, byte-exact."""
    g = gw.genai()
    cfg = gt.GenerateContentConfig(max_output_tokens=4000,
                                   thinking_config=gt.ThinkingConfig(thinking_budget=2048, include_thoughts=True))
    chunks = list(g.models.generate_content_stream(model=f"anthropic/{CLAUDE}", contents="weather in oslo", config=cfg))
    parts = [p for c in chunks if c.candidates for p in (c.candidates[0].content.parts or [])]
    thought = "thinking about: weather in oslo"
    assert "".join(p.text or "" for p in parts if p.thought) == thought, parts
    signed = [p for p in parts if p.thought_signature]
    assert len(signed) == 1 and signed[0].thought, parts
    history = [gt.Content(role="user", parts=[gt.Part(text="weather in oslo")]),
               gt.Content(role="model", parts=parts),
               gt.Content(role="user", parts=[gt.Part(text="and tomorrow?")])]
    g.models.generate_content(model=f"anthropic/{CLAUDE}", contents=history, config=cfg)
    b = _anthropic(mock)[-1].body
    assistant = b["messages"][1]
    assert assistant["role"] == "assistant" and assistant["content"][0] == _signed(thought), assistant


def test_redacted_thinking_round_trip_responses_sdk_stream_to_anthropic(gw, mock):
    """Responses SDK streaming from Claude with a redacted block: it arrives as a reasoning item
    of its own (the marked data in encrypted_content); the output items sent back reach Anthropic
    as the signed block and the redacted block, in order."""
    mock.script("*/v1/messages", redacted_thinking=REDACTED)
    oa = gw.openai()
    kw = dict(model=f"anthropic/{CLAUDE}", reasoning={"effort": "low"}, max_output_tokens=3000, store=False,
              include=["reasoning.encrypted_content"],
              tools=[{"type": "function", "name": "lookup", "description": "Search.", "parameters": LOOKUP}])
    events = list(oa.responses.create(input=[{"role": "user", "content": "weather in oslo"}], stream=True, **kw))
    items = [e.item for e in events if e.type == "response.output_item.done"]
    kinds = [i.type for i in items]
    assert kinds[:2] == ["reasoning", "reasoning"] and "function_call" in kinds, kinds
    assert items[1].encrypted_content == "redacted-thinking:" + REDACTED, items[1]
    call = next(i for i in items if i.type == "function_call")
    history = [{"role": "user", "content": "weather in oslo"}]
    history += [i.model_dump(exclude_none=True) for i in items]
    history += [{"type": "function_call_output", "call_id": call.call_id, "output": "snow -3C"}]
    r2 = oa.responses.create(input=history, **kw)
    assert r2.output_text == "tool said: snow -3C"
    thought = "thinking about: weather in oslo"
    content = _anthropic(mock)[-1].body["messages"][1]["content"]
    assert content[:2] == [_signed(thought), {"type": "redacted_thinking", "data": REDACTED}], content

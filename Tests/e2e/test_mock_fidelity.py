"""The mock upstream must be faithful to what the real SDKs parse: each provider surface is
exercised here with its own SDK pointed straight at the mock (no gateway involved). If an SDK
upgrade changes what it sends or expects, these fail first."""
from __future__ import annotations

import http.client
import json
import socket
import time

import anthropic
import openai
import pytest

from conftest import genai_client, http_request

TOOLS_OA = [{"type": "function", "function": {
    "name": "lookup", "description": "look something up",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}]


@pytest.fixture
def oa(mock):
    return openai.OpenAI(base_url=mock.url + "/v1", api_key="sk-test", max_retries=0, timeout=10)


@pytest.fixture
def an(mock):
    return anthropic.Anthropic(base_url=mock.url, api_key="sk-ant-test", max_retries=0, timeout=10)


@pytest.fixture
def gg(mock):
    return genai_client(mock.url, "g-test")


# --------------------------------------------------------------------------- OpenAI chat

def test_openai_chat_nonstream(oa, mock):
    r = oa.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello there"}])
    assert r.choices[0].message.content == "echo: hello there"
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.prompt_tokens == 2 and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    rec = mock.last
    assert rec.path == "/v1/chat/completions" and rec.method == "POST"
    assert rec.headers["authorization"] == "Bearer sk-test" and rec.auth() == "sk-test"
    assert rec.body["model"] == "gpt-4o-mini"


def test_openai_chat_stream_with_usage(oa):
    stream = oa.chat.completions.create(model="gpt-4o-mini", stream=True, stream_options={"include_usage": True},
                                        messages=[{"role": "user", "content": "one two three"}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: one two three"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 4


def test_openai_chat_stream_helper(oa):
    with oa.chat.completions.stream(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]) as s:
        for _ in s:
            pass
        final = s.get_final_completion()
    assert final.choices[0].message.content == "echo: hi"


def test_openai_chat_tool_call_nonstream_and_result(oa):
    msgs = [{"role": "user", "content": "weather in Oslo"}]
    r = oa.chat.completions.create(model="gpt-4o-mini", messages=msgs, tools=TOOLS_OA)
    call = r.choices[0].message.tool_calls[0]
    assert r.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "lookup" and json.loads(call.function.arguments) == {"query": "weather in Oslo"}
    msgs += [r.choices[0].message.model_dump(exclude_none=True),
             {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]
    r2 = oa.chat.completions.create(model="gpt-4o-mini", messages=msgs, tools=TOOLS_OA)
    assert r2.choices[0].message.content == "tool said: sunny"


def test_openai_chat_tool_call_stream(oa):
    with oa.chat.completions.stream(model="gpt-4o-mini", tools=TOOLS_OA,
                                    messages=[{"role": "user", "content": "find cats"}]) as s:
        for _ in s:
            pass
        final = s.get_final_completion()
    call = final.choices[0].message.tool_calls[0]
    assert call.function.name == "lookup" and json.loads(call.function.arguments) == {"query": "find cats"}


# --------------------------------------------------------------------------- OpenAI responses, embeddings, models

def test_openai_responses_nonstream_and_stream(oa):
    r = oa.responses.create(model="gpt-4o-mini", input="say hi")
    assert r.output_text == "echo: say hi" and r.status == "completed" and r.usage.input_tokens == 2
    deltas, final = [], None
    for ev in oa.responses.create(model="gpt-4o-mini", input=[{"role": "user", "content": "a b"}], stream=True):
        if ev.type == "response.output_text.delta":
            deltas.append(ev.delta)
        elif ev.type == "response.completed":
            final = ev.response
    assert "".join(deltas) == "echo: a b" and final.output_text == "echo: a b"


def test_openai_responses_stream_helper_and_tools(oa):
    tools = [{"type": "function", "name": "lookup", "parameters": {"type": "object", "properties": {}}}]
    r = oa.responses.create(model="gpt-4o-mini", input="find dogs", tools=tools)
    fc = r.output[0]
    assert fc.type == "function_call" and json.loads(fc.arguments) == {"query": "find dogs"}
    r2 = oa.responses.create(model="gpt-4o-mini", tools=tools, input=[
        {"role": "user", "content": "find dogs"}, fc.model_dump(exclude_none=True),
        {"type": "function_call_output", "call_id": fc.call_id, "output": "3 dogs"}])
    assert r2.output_text == "tool said: 3 dogs"
    with oa.responses.stream(model="gpt-4o-mini", input="streamed") as s:
        final = s.get_final_response()
    assert final.output_text == "echo: streamed"


def test_openai_embeddings_base64_default_and_float(oa, mock):
    e = oa.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
    assert mock.last.body.get("encoding_format") == "base64"  # the SDK's default
    assert len(e.data) == 2 and len(e.data[0].embedding) == 8 and e.data[0].embedding != e.data[1].embedding
    f = oa.embeddings.create(model="text-embedding-3-small", input="a", encoding_format="float", dimensions=4)
    assert len(f.data[0].embedding) == 4
    assert f.data[0].embedding == pytest.approx(e.data[0].embedding[:4], abs=1e-6)


def test_openai_models(oa, mock):
    ids = [m.id for m in oa.models.list()]
    assert "gpt-4o-mini" in ids and mock.last.method == "GET" and mock.last.path == "/v1/models"


def test_openai_error_shapes(oa, mock):
    mock.script("/v1/chat/completions", status=429, message="slow down", headers={"retry-after": "1"})
    with pytest.raises(openai.RateLimitError) as ei:
        oa.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert ei.value.status_code == 429 and ei.value.body["message"] == "slow down"
    assert ei.value.response.headers["retry-after"] == "1"
    mock.script("/v1/chat/completions", status=503)
    with pytest.raises(openai.InternalServerError):
        oa.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    # the scripts were used up: the next call succeeds
    assert oa.chat.completions.create(model="m", messages=[{"role": "user", "content": "ok"}]).choices


def test_azure_openai_sdk(mock):
    az = openai.AzureOpenAI(azure_endpoint=mock.url, api_version="2024-10-21", api_key="az-key", max_retries=0)
    r = az.chat.completions.create(model="my-gpt4o", messages=[{"role": "user", "content": "azure?"}])
    assert r.choices[0].message.content == "echo: azure?"
    rec = mock.last
    assert rec.path == "/openai/deployments/my-gpt4o/chat/completions" and rec.provider == "azure"
    assert rec.query["api-version"] == "2024-10-21" and rec.headers["api-key"] == "az-key"
    s = az.chat.completions.create(model="my-gpt4o", stream=True, messages=[{"role": "user", "content": "s"}])
    assert "".join(c.choices[0].delta.content or "" for c in s if c.choices) == "echo: s"


# --------------------------------------------------------------------------- Anthropic

def test_anthropic_messages_nonstream(an, mock):
    r = an.messages.create(model="claude-3-5-sonnet-20240620", max_tokens=64, system="be brief",
                           messages=[{"role": "user", "content": "hello claude"}])
    assert r.content[0].text == "echo: hello claude" and r.stop_reason == "end_turn"
    assert r.usage.input_tokens == 4
    rec = mock.last
    # anthropic>=2.x sends api_key as "Authorization: Bearer"; older ones used x-api-key
    assert rec.path == "/v1/messages" and rec.auth() == "sk-ant-test"
    assert rec.headers.get("anthropic-version")


def test_anthropic_messages_stream(an):
    with an.messages.stream(model="claude-3-5-sonnet-20240620", max_tokens=64,
                            messages=[{"role": "user", "content": [{"type": "text", "text": "x y"}]}]) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    assert text == "echo: x y" and final.content[0].text == "echo: x y"
    assert final.stop_reason == "end_turn" and final.usage.output_tokens == 3


def test_anthropic_tool_use_nonstream_and_stream(an):
    tools = [{"name": "lookup", "description": "d", "input_schema": {"type": "object", "properties": {}}}]
    msgs = [{"role": "user", "content": "find owls"}]
    r = an.messages.create(model="claude-3-5-sonnet-20240620", max_tokens=64, tools=tools, messages=msgs)
    tu = [b for b in r.content if b.type == "tool_use"][0]
    assert r.stop_reason == "tool_use" and tu.input == {"query": "find owls"}
    with an.messages.stream(model="claude-3-5-sonnet-20240620", max_tokens=64, tools=tools, messages=msgs) as s:
        final = s.get_final_message()
    tu2 = [b for b in final.content if b.type == "tool_use"][0]
    assert tu2.name == "lookup" and tu2.input == {"query": "find owls"} and final.stop_reason == "tool_use"
    msgs += [{"role": "assistant", "content": [b.model_dump() for b in r.content]},
             {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tu.id, "content": "2 owls"}]}]
    r3 = an.messages.create(model="claude-3-5-sonnet-20240620", max_tokens=64, tools=tools, messages=msgs)
    assert r3.content[0].text == "tool said: 2 owls"


def test_anthropic_count_tokens_and_errors(an, mock):
    n = an.messages.count_tokens(model="claude-3-5-sonnet-20240620",
                                 messages=[{"role": "user", "content": "one two three"}])
    assert n.input_tokens == 3 and mock.last.path == "/v1/messages/count_tokens"
    mock.script("/v1/messages", status=429, message="too many")
    with pytest.raises(anthropic.RateLimitError) as ei:
        an.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert ei.value.body["error"]["type"] == "rate_limit_error"


# --------------------------------------------------------------------------- Gemini

def test_gemini_generate_and_stream(gg, mock):
    r = gg.models.generate_content(model="gemini-2.0-flash", contents="hello gemini")
    assert r.text == "echo: hello gemini" and r.usage_metadata.prompt_token_count == 2
    rec = mock.last
    assert rec.path == "/v1beta/models/gemini-2.0-flash:generateContent"
    assert rec.headers["x-goog-api-key"] == "g-test"
    parts = [c.text for c in gg.models.generate_content_stream(model="gemini-2.0-flash", contents="a b c")]
    assert "".join(parts) == "echo: a b c" and len(parts) == 4
    assert mock.last.path.endswith(":streamGenerateContent") and mock.last.query["alt"] == "sse"


def test_gemini_function_call_and_errors(gg, mock):
    from google.genai import errors, types
    tool = types.Tool(function_declarations=[types.FunctionDeclaration(
        name="lookup", parameters=types.Schema(type="OBJECT", properties={"query": types.Schema(type="STRING")}))])
    r = gg.models.generate_content(model="gemini-2.0-flash", contents="find bats",
                                   config=types.GenerateContentConfig(tools=[tool],
                                   automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True)))
    assert r.function_calls[0].name == "lookup" and r.function_calls[0].args == {"query": "find bats"}
    mock.script("*:generateContent", status=429, message="quota")
    with pytest.raises(errors.ClientError) as ei:
        gg.models.generate_content(model="gemini-2.0-flash", contents="x")
    assert ei.value.code == 429 and ei.value.status == "RESOURCE_EXHAUSTED"


def test_gemini_embed(gg, mock):
    r = gg.models.embed_content(model="text-embedding-004", contents=["a", "b"])
    assert len(r.embeddings) == 2 and len(r.embeddings[0].values) == 8
    assert mock.last.path.endswith(":batchEmbedContents")


# --------------------------------------------------------------------------- Ollama (no SDK: raw HTTP)

def test_ollama_chat_ndjson_and_embed(mock):
    body = {"model": "llama3.1:8b", "messages": [{"role": "user", "content": "hey llama"}]}
    r = http_request(mock.url, "POST", "/api/chat", body)
    lines = [json.loads(x) for x in r.body.decode().splitlines()]
    assert r.headers["content-type"] == "application/x-ndjson"
    assert "".join(x["message"]["content"] for x in lines) == "echo: hey llama"
    assert lines[-1]["done"] is True and lines[-1]["eval_count"] == 3
    r = http_request(mock.url, "POST", "/api/chat", dict(body, stream=False))
    assert r.json()["message"]["content"] == "echo: hey llama"
    e = http_request(mock.url, "POST", "/api/embed", {"model": "all-minilm", "input": ["a", "b"]}).json()
    assert len(e["embeddings"]) == 2


# --------------------------------------------------------------------------- scripted behaviours

def test_sse_gap_spreads_events(oa, mock):
    mock.script("/v1/chat/completions", gap=0.2)
    t0, times = time.monotonic(), []
    for c in oa.chat.completions.create(model="m", stream=True, messages=[{"role": "user", "content": "a b c"}]):
        times.append(time.monotonic() - t0)
    # role, 'echo:', ' a', ' b', ' c', finish -> 6 chunks, 5 gaps of 0.2 s before the last
    assert len(times) == 6 and times[-1] - times[0] >= 0.8


def test_delay_and_full_url_path_recorded(mock):
    mock.script("*", delay=0.3)
    t0 = time.monotonic()
    r = http_request(mock.url, "POST", "/custom/prefix/v1/chat/completions?x=1",
                     {"model": "m", "messages": [{"role": "user", "content": "p"}]})
    assert r.status == 200 and time.monotonic() - t0 >= 0.3
    assert mock.last.path == "/custom/prefix/v1/chat/completions" and mock.last.query == {"x": "1"}


def test_close_and_hang_and_disconnect_detection(mock):
    mock.script("*", close=True)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        http_request(mock.url, "POST", "/v1/chat/completions", {"model": "m", "messages": []}, timeout=5)
    # hang: the mock notices when the client goes away
    mock.script("*", hang=True)
    s = socket.create_connection(("127.0.0.1", mock.port))
    payload = b'{"model":"m","messages":[{"role":"user","content":"h"}]}'
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))
    assert mock.wait_for(lambda m: len(m.requests) == 2, 5)
    time.sleep(0.3)
    s.close()
    assert mock.requests[-1].finished.wait(5) and mock.requests[-1].disconnected


def test_stream_disconnect_detected_and_close_after_events(oa, mock):
    mock.script("/v1/chat/completions", gap=0.2)
    stream = oa.chat.completions.create(model="m", stream=True,
                                        messages=[{"role": "user", "content": " ".join("w" * 30)}])
    next(iter(stream))
    stream.close()
    assert mock.last.finished.wait(5) and mock.last.disconnected and not mock.last.completed
    mock.script("/v1/chat/completions", close_after_events=2)
    with pytest.raises(Exception):
        list(oa.chat.completions.create(model="m", stream=True, messages=[{"role": "user", "content": "a b c"}]))
    assert mock.last.events_sent == 2


def test_keep_alive_reuses_connection(oa, mock):
    for i in range(3):
        oa.chat.completions.create(model="m", messages=[{"role": "user", "content": str(i)}])
    assert len({r.conn_id for r in mock.requests}) == 1

"""Protocol translation II (issue 4): every provider and every surface, with the real SDKs.

OpenAI SDK -> gemini, vertex, azure, ollama, mistral (plain and streamed; tool calls for gemini);
Anthropic SDK -> gemini; google-genai SDK at /genai -> gemini natively, -> anthropic/..., ->
openai/...; Responses (create and stream) -> openai (passthrough) and -> anthropic (translated);
embeddings (passthrough, -> gemini, -> ollama; base64 and float); models.list; the AzureOpenAI
client at <gateway>/openai with x-bf-azure-endpoint; count_tokens (anthropic passthrough, and an
estimate for other models). Each upstream request is checked for path, credentials and body
shape, and each surface answers errors in its own shape.
"""
from __future__ import annotations

import json

import anthropic
import openai
import pytest
from google.genai import errors as genai_errors
from google.genai import types as gt

from conftest import CLIENT_KEY, UPSTREAM_KEY, header
from mock.common import count_tokens, embedding, text_of

VERTEX_TOKEN = "ya29.vertex-token"
AZURE_KEY = "azure-key-123"
MISTRAL_KEY = "mistral-key-9"
AZURE_VERSION = "2024-10-21"
CLAUDE = "claude-3-5-sonnet-20240620"
GPT = "gpt-4o-mini"
GEM = "gemini-2.0-flash"

CONFIG = header() + f"""providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}, models: [{GPT}, text-embedding-3-small]}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}, models: [{CLAUDE}]}}
  gemini: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  vertex: {{endpoint: "{{{{MOCK}}}}", api_key: {VERTEX_TOKEN}, project: proj-7, region: europe-west4}}
  azure:
    endpoint: "{{{{MOCK}}}}"
    api_key: {AZURE_KEY}
    api_version: {AZURE_VERSION}
    deployments: {{gpt-4o: my-gpt4o-deployment}}
  ollama: {{endpoint: "{{{{MOCK}}}}"}}
  mistral: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {MISTRAL_KEY}}}
pricing:
  mistral/mistral-small-latest: {{input: 0.1, output: 0.3}}
routes:
  - {{id: chat, uri: /v1/chat/completions, methods: [POST], plugins: [{{ai-proxy: {{surface: openai-chat}}}}]}}
  - {{id: responses, uri: /v1/responses, methods: [POST], plugins: [{{ai-proxy: {{surface: openai-responses}}}}]}}
  - {{id: embeddings, uri: /v1/embeddings, methods: [POST], plugins: [{{ai-proxy: {{surface: openai-embeddings}}}}]}}
  - {{id: models, uri: /v1/models, methods: [GET], plugins: [{{ai-proxy: {{surface: openai-models}}}}]}}
  - {{id: azure-chat, uri: /openai/openai/deployments/*, methods: [POST], plugins: [{{ai-proxy: {{surface: azure-chat}}}}]}}
  - {{id: anthropic, uri: /anthropic/v1/messages, methods: [POST], plugins: [{{ai-proxy: {{surface: anthropic-messages}}}}]}}
  - id: count-tokens
    uri: /anthropic/v1/messages/count_tokens
    methods: [POST]
    plugins: [{{ai-proxy: {{surface: anthropic-count-tokens}}}}]
  - {{id: genai, uri: /genai/v1beta/models/*, methods: [POST], plugins: [{{ai-proxy: {{surface: genai}}}}]}}
"""

TOOLS_OA = [{"type": "function", "function": {
    "name": "lookup", "description": "Search.",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}]
TOOLS_AN = [{"name": "lookup", "description": "Search.",
             "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}]
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


@pytest.fixture
def gw(start_gateway):
    return start_gateway(CONFIG)


def _no_client_key(rec):
    for name, value in rec.headers.as_dict().items():
        assert CLIENT_KEY not in value, f"client key leaked upstream in {name}"
    assert CLIENT_KEY not in json.dumps(rec.query)


def _oa_text(chunks):
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def _oa_finishes(chunks):
    return [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]


def _oa_stream_calls(chunks):
    calls: dict[int, dict] = {}
    for c in chunks:
        for tc in (c.choices[0].delta.tool_calls or []) if c.choices else []:
            cur = calls.setdefault(tc.index, {"id": None, "name": None, "args": ""})
            cur["id"] = cur["id"] or tc.id
            if tc.function and tc.function.name:
                cur["name"] = tc.function.name
            if tc.function and tc.function.arguments:
                cur["args"] += tc.function.arguments
    return calls


def _gemini_body_ok(b):
    """A valid generateContent body: no OpenAI/Anthropic fields, contents with Gemini roles."""
    assert isinstance(b, dict)
    for f in ("model", "messages", "stream", "max_tokens", "stream_options", "system"):
        assert f not in b, f"{f!r} is not a Gemini field: {b}"
    for c in b["contents"]:
        assert c["role"] in ("user", "model", "function"), c
        assert c["parts"], c
    return b


# =========================================================================== OpenAI SDK -> gemini

def test_openai_sdk_to_gemini_plain_and_stream(gw, mock):
    oa = gw.openai()
    r = oa.chat.completions.create(
        model=f"gemini/{GEM}", max_tokens=64, temperature=0.2, stop=["ZZ"],
        messages=[{"role": "system", "content": "Be brief."},
                  {"role": "user", "content": [{"type": "text", "text": "what is this"},
                                               {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}}]}])
    assert r.object == "chat.completion"
    assert r.choices[0].message.content == "echo: what is this"
    assert r.choices[0].finish_reason == "stop"
    rec = mock.last
    assert rec.path == f"/v1beta/models/{GEM}:generateContent"
    assert rec.headers.get("x-goog-api-key") == UPSTREAM_KEY and rec.headers.get("authorization") is None
    _no_client_key(rec)
    b = _gemini_body_ok(rec.body)
    assert b["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert b["contents"] == [{"role": "user", "parts": [
        {"text": "what is this"}, {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}]}]
    g = b["generationConfig"]
    assert g["maxOutputTokens"] == 64 and g["temperature"] == pytest.approx(0.2) and g["stopSequences"] == ["ZZ"]
    prompt = count_tokens("Be brief.", "what is this")
    assert r.usage.prompt_tokens == prompt
    assert r.usage.completion_tokens == count_tokens("echo: what is this")
    assert r.usage.total_tokens == prompt + r.usage.completion_tokens

    chunks = list(oa.chat.completions.create(model=f"gemini/{GEM}", stream=True, stream_options={"include_usage": True},
                                             messages=[{"role": "user", "content": "a b c"}]))
    assert _oa_text(chunks) == "echo: a b c"
    assert _oa_finishes(chunks) == ["stop"]
    usage = [c.usage for c in chunks if c.usage]
    assert len(usage) == 1 and usage[0].prompt_tokens == 3 and usage[0].completion_tokens == 4
    rec = mock.last
    assert rec.path == f"/v1beta/models/{GEM}:streamGenerateContent" and rec.query.get("alt") == "sse"
    assert rec.headers.get("x-goog-api-key") == UPSTREAM_KEY
    _gemini_body_ok(rec.body)


def test_openai_sdk_to_gemini_tool_call_and_result(gw, mock):
    oa = gw.openai()
    r = oa.chat.completions.create(model=f"gemini/{GEM}", tools=TOOLS_OA, tool_choice="required",
                                   messages=[{"role": "user", "content": "find moles"}])
    assert r.choices[0].finish_reason == "tool_calls"
    call = r.choices[0].message.tool_calls[0]
    assert call.function.name == "lookup" and call.id
    assert json.loads(call.function.arguments) == {"query": "find moles"}
    b = _gemini_body_ok(mock.last.body)
    decl = b["tools"][0]["functionDeclarations"][0]
    assert decl["name"] == "lookup" and decl["description"] == "Search."
    assert decl["parameters"]["properties"]["query"]["type"].lower() == "string"
    assert b["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}

    # the tool-result turn, echoing the call (and its id) as the SDK got it
    r2 = oa.chat.completions.create(model=f"gemini/{GEM}", tools=TOOLS_OA, messages=[
        {"role": "user", "content": "find moles"},
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump(exclude_none=True)]},
        {"role": "tool", "tool_call_id": call.id, "content": "moles are mammals"}])
    assert r2.choices[0].message.content.startswith("tool said: ")
    assert "moles are mammals" in r2.choices[0].message.content
    assert r2.choices[0].finish_reason == "stop"
    b2 = _gemini_body_ok(mock.last.body)
    c = b2["contents"]
    assert [x["role"] for x in c[:2]] == ["user", "model"] and c[2]["role"] in ("user", "function"), c
    assert c[1]["parts"][0]["functionCall"]["name"] == "lookup"
    assert c[1]["parts"][0]["functionCall"]["args"] == {"query": "find moles"}
    fr = c[2]["parts"][0]["functionResponse"]
    assert fr["name"] == "lookup", "a functionResponse names the function, not the call id"
    assert "moles are mammals" in json.dumps(fr["response"])


def test_openai_sdk_to_gemini_stream_tool_call(gw, mock):
    chunks = list(gw.openai().chat.completions.create(
        model=f"gemini/{GEM}", tools=TOOLS_OA, stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "find voles"}]))
    calls = _oa_stream_calls(chunks)
    assert list(calls) == [0] and calls[0]["name"] == "lookup" and calls[0]["id"]
    assert json.loads(calls[0]["args"]) == {"query": "find voles"}
    assert _oa_finishes(chunks) == ["tool_calls"]
    assert [c.usage for c in chunks if c.usage][0].prompt_tokens == 2
    assert mock.last.path.endswith(":streamGenerateContent")


# =========================================================================== vertex, azure, ollama, mistral

VERTEX_PATH = f"/v1/projects/proj-7/locations/europe-west4/publishers/google/models/{GEM}"


def test_openai_sdk_to_vertex(gw, mock):
    oa = gw.openai()
    r = oa.chat.completions.create(model=f"vertex/{GEM}", messages=[
        {"role": "system", "content": "sys"}, {"role": "user", "content": "hi vertex"}])
    assert r.choices[0].message.content == "echo: hi vertex" and r.choices[0].finish_reason == "stop"
    assert r.usage.prompt_tokens == count_tokens("sys", "hi vertex")
    rec = mock.last
    assert rec.path == f"{VERTEX_PATH}:generateContent", rec.path
    assert rec.headers.get("authorization") == f"Bearer {VERTEX_TOKEN}"
    assert rec.headers.get("x-goog-api-key") is None
    _no_client_key(rec)
    b = _gemini_body_ok(rec.body)
    assert b["systemInstruction"]["parts"] == [{"text": "sys"}]

    chunks = list(oa.chat.completions.create(model=f"vertex/{GEM}", stream=True,
                                             messages=[{"role": "user", "content": "x y"}]))
    assert _oa_text(chunks) == "echo: x y" and _oa_finishes(chunks) == ["stop"]
    rec = mock.last
    assert rec.path == f"{VERTEX_PATH}:streamGenerateContent" and rec.query.get("alt") == "sse"
    assert rec.headers.get("authorization") == f"Bearer {VERTEX_TOKEN}"


def test_openai_sdk_to_azure_deployment_map(gw, mock):
    oa = gw.openai()
    r = oa.chat.completions.create(model="azure/gpt-4o", messages=[{"role": "user", "content": "hi azure"}])
    assert r.choices[0].message.content == "echo: hi azure"
    rec = mock.last
    assert rec.path == "/openai/deployments/my-gpt4o-deployment/chat/completions", rec.path
    assert rec.query.get("api-version") == AZURE_VERSION
    assert rec.headers.get("api-key") == AZURE_KEY and rec.headers.get("authorization") is None
    _no_client_key(rec)
    assert rec.body["messages"] == [{"role": "user", "content": "hi azure"}]
    # a model with no deployment entry is its own deployment; streamed this time
    chunks = list(oa.chat.completions.create(model="azure/gpt-35-turbo", stream=True,
                                             stream_options={"include_usage": True},
                                             messages=[{"role": "user", "content": "s t"}]))
    assert _oa_text(chunks) == "echo: s t" and _oa_finishes(chunks) == ["stop"]
    assert [c.usage for c in chunks if c.usage][0].completion_tokens == 3
    rec = mock.last
    assert rec.path == "/openai/deployments/gpt-35-turbo/chat/completions"
    assert rec.query.get("api-version") == AZURE_VERSION and rec.headers.get("api-key") == AZURE_KEY
    assert rec.body["stream"] is True


def test_openai_sdk_to_ollama(gw, mock):
    oa = gw.openai()
    r = oa.chat.completions.create(model="ollama/llama3.1:8b", max_tokens=32, temperature=0.1, messages=[
        {"role": "system", "content": "sys"},
        {"role": "user", "content": [{"type": "text", "text": "look"},
                                     {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}}]}])
    assert r.choices[0].message.content == "echo: look" and r.choices[0].finish_reason == "stop"
    prompt = count_tokens("sys", "look")
    assert r.usage.prompt_tokens == prompt, "prompt_eval_count"
    assert r.usage.completion_tokens == count_tokens("echo: look"), "eval_count"
    rec = mock.last
    assert rec.path == "/api/chat"
    assert rec.headers.get("authorization") is None and rec.auth() is None, "ollama takes no key"
    _no_client_key(rec)
    b = rec.body
    assert b["model"] == "llama3.1:8b" and b["stream"] is False
    assert b["messages"][0] == {"role": "system", "content": "sys"}
    u = b["messages"][1]
    assert u["role"] == "user" and u["content"] == "look" and u["images"] == [PNG_B64], u
    assert b["options"]["num_predict"] == 32 and b["options"]["temperature"] == pytest.approx(0.1)

    chunks = list(oa.chat.completions.create(model="ollama/llama3.1:8b", stream=True,
                                             stream_options={"include_usage": True},
                                             messages=[{"role": "user", "content": "n d j"}]))
    assert _oa_text(chunks) == "echo: n d j" and _oa_finishes(chunks) == ["stop"]
    usage = [c.usage for c in chunks if c.usage]
    assert len(usage) == 1 and usage[0].prompt_tokens == 3 and usage[0].completion_tokens == 4
    assert mock.last.path == "/api/chat" and mock.last.body["stream"] is True
    assert mock.last.finished.wait(5)  # the mock records completion after its last write
    assert mock.last.answered_status == 200 and mock.last.completed


def test_openai_sdk_to_ollama_tool_call(gw, mock):
    r = gw.openai().chat.completions.create(model="ollama/llama3.1:8b", tools=TOOLS_OA,
                                            messages=[{"role": "user", "content": "find owls"}])
    assert r.choices[0].finish_reason == "tool_calls"
    call = r.choices[0].message.tool_calls[0]
    assert call.function.name == "lookup" and call.id
    assert json.loads(call.function.arguments) == {"query": "find owls"}
    assert mock.last.body["tools"][0]["function"]["name"] == "lookup"


def test_openai_sdk_to_mistral(gw, mock):
    oa = gw.openai()
    r = oa.chat.completions.create(model="mistral/mistral-small-latest", messages=[{"role": "user", "content": "bonjour"}])
    assert r.choices[0].message.content == "echo: bonjour" and r.usage.total_tokens > 0
    rec = mock.last
    assert rec.path == "/v1/chat/completions"
    assert rec.headers.get("authorization") == f"Bearer {MISTRAL_KEY}"
    _no_client_key(rec)
    assert rec.body["model"] == "mistral-small-latest", "the provider prefix is stripped"
    chunks = list(oa.chat.completions.create(model="mistral/mistral-small-latest", stream=True,
                                             messages=[{"role": "user", "content": "un deux"}]))
    assert _oa_text(chunks) == "echo: un deux" and _oa_finishes(chunks) == ["stop"]
    assert not any(c.usage for c in chunks), "no usage chunk the client did not ask for"
    assert mock.last.body["model"] == "mistral-small-latest" and mock.last.body["stream"] is True


# =========================================================================== Anthropic SDK -> gemini

def test_anthropic_sdk_to_gemini(gw, mock):
    an = gw.anthropic()
    r = an.messages.create(model=f"gemini/{GEM}", max_tokens=50, system="sys prompt",
                           messages=[{"role": "user", "content": "hello gem"}])
    assert r.content[0].text == "echo: hello gem" and r.stop_reason == "end_turn"
    assert r.usage.input_tokens == count_tokens("sys prompt", "hello gem")
    assert r.usage.output_tokens == count_tokens("echo: hello gem")
    rec = mock.last
    assert rec.path == f"/v1beta/models/{GEM}:generateContent" and rec.headers.get("x-goog-api-key") == UPSTREAM_KEY
    assert rec.headers.get("x-api-key") is None and rec.headers.get("anthropic-version") is None
    b = _gemini_body_ok(rec.body)
    assert b["systemInstruction"]["parts"] == [{"text": "sys prompt"}]
    assert b["generationConfig"]["maxOutputTokens"] == 50

    # tool call, then its result
    r2 = an.messages.create(model=f"gemini/{GEM}", max_tokens=50, tools=TOOLS_AN,
                            messages=[{"role": "user", "content": "find bats"}])
    assert r2.stop_reason == "tool_use"
    use = [x for x in r2.content if x.type == "tool_use"][0]
    assert use.name == "lookup" and use.input == {"query": "find bats"} and use.id
    with an.messages.stream(model=f"gemini/{GEM}", max_tokens=50, tools=TOOLS_AN, messages=[
            {"role": "user", "content": "find bats"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": use.id, "name": "lookup", "input": use.input}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "bats fly"}]}]) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    assert "bats fly" in text and text.startswith("tool said: ")
    assert final.stop_reason == "end_turn" and final.usage.output_tokens > 0
    rec = mock.last
    assert rec.path == f"/v1beta/models/{GEM}:streamGenerateContent" and rec.query.get("alt") == "sse"
    fr = _gemini_body_ok(rec.body)["contents"][2]["parts"][0]["functionResponse"]
    assert fr["name"] == "lookup"


# =========================================================================== google-genai at /genai

def test_genai_sdk_to_gemini_native(gw, mock):
    g = gw.genai()
    cfg = gt.GenerateContentConfig(system_instruction="be nice", max_output_tokens=40, temperature=0.4)
    r = g.models.generate_content(model=GEM, contents="native call", config=cfg)
    assert r.text == "echo: native call"
    assert r.candidates[0].finish_reason == gt.FinishReason.STOP
    assert r.usage_metadata.prompt_token_count == count_tokens("be nice", "native call")
    rec = mock.last
    assert rec.path == f"/v1beta/models/{GEM}:generateContent"
    assert rec.headers.get("x-goog-api-key") == UPSTREAM_KEY, "the configured key, not the client's"
    _no_client_key(rec)
    assert rec.body["systemInstruction"]["parts"][0]["text"] == "be nice"
    assert rec.body["generationConfig"]["maxOutputTokens"] == 40
    parts = list(g.models.generate_content_stream(model=GEM, contents="s t u"))
    assert "".join(p.text or "" for p in parts) == "echo: s t u"
    assert parts[-1].usage_metadata.candidates_token_count == 4
    rec = mock.last
    assert rec.path == f"/v1beta/models/{GEM}:streamGenerateContent" and rec.query.get("alt") == "sse"
    assert rec.headers.get("x-goog-api-key") == UPSTREAM_KEY


LOOKUP_DECL = gt.FunctionDeclaration(name="lookup", description="Search.", parameters=gt.Schema(
    type=gt.Type.OBJECT, properties={"query": gt.Schema(type=gt.Type.STRING)}, required=["query"]))


@pytest.mark.parametrize("model,path", [
    (f"anthropic/{CLAUDE}", "/v1/messages"),
    (f"openai/{GPT}", "/v1/chat/completions"),
], ids=["anthropic", "openai"])
def test_genai_sdk_to_translated_provider(gw, mock, model, path):
    g = gw.genai()
    cfg = gt.GenerateContentConfig(system_instruction="be nice", max_output_tokens=40)
    r = g.models.generate_content(model=model, contents="over there", config=cfg)
    assert r.text == "echo: over there"
    assert r.candidates[0].finish_reason == gt.FinishReason.STOP
    um = r.usage_metadata
    assert um.prompt_token_count == count_tokens("be nice", "over there")
    assert um.candidates_token_count == count_tokens("echo: over there")
    assert um.total_token_count == um.prompt_token_count + um.candidates_token_count
    rec = mock.last
    assert rec.path == path
    _no_client_key(rec)
    b = rec.body
    assert b["model"] == model.split("/", 1)[1]
    if path == "/v1/messages":
        assert rec.headers.get("x-api-key") == UPSTREAM_KEY and rec.headers.get("anthropic-version") == "2023-06-01"
        assert b["system"] in ("be nice", [{"type": "text", "text": "be nice"}]) and b["max_tokens"] == 40
        assert b["messages"] == [{"role": "user", "content": "over there"}] or \
            text_of(b["messages"][0]["content"]) == "over there"
    else:
        assert rec.headers.get("authorization") == f"Bearer {UPSTREAM_KEY}"
        assert b["messages"][0]["role"] == "system" and text_of(b["messages"][0]["content"]) == "be nice"
        assert (b.get("max_tokens") or b.get("max_completion_tokens")) == 40

    parts = list(g.models.generate_content_stream(model=model, contents="p q r", config=cfg))
    assert "".join(p.text or "" for p in parts) == "echo: p q r"
    assert parts[-1].candidates[0].finish_reason == gt.FinishReason.STOP
    assert mock.last.path == path and mock.last.body["stream"] is True
    if path == "/v1/messages":  # the OpenAI case: test_genai_stream_to_openai_reports_usage
        assert parts[-1].usage_metadata and parts[-1].usage_metadata.candidates_token_count == 4

    # a function call comes back as a Gemini functionCall with parsed args
    tcfg = gt.GenerateContentConfig(tools=[gt.Tool(function_declarations=[LOOKUP_DECL])],
                                    automatic_function_calling=gt.AutomaticFunctionCallingConfig(disable=True))
    r3 = g.models.generate_content(model=model, contents="find cats", config=tcfg)
    assert r3.function_calls and r3.function_calls[0].name == "lookup"
    assert r3.function_calls[0].args == {"query": "find cats"}
    tb = mock.last.body
    if path == "/v1/messages":
        assert tb["tools"][0]["name"] == "lookup" and tb["tools"][0]["input_schema"]["type"] == "object"
    else:
        assert tb["tools"][0]["function"]["name"] == "lookup"
        assert tb["tools"][0]["function"]["parameters"]["properties"]["query"]["type"] == "string"


def test_genai_stream_to_openai_reports_usage(gw, mock):
    client = gw.genai()  # held: a collected client closes its HTTP session mid-stream
    parts = list(client.models.generate_content_stream(model=f"openai/{GPT}", contents="p q r"))
    assert "".join(p.text or "" for p in parts) == "echo: p q r"
    um = parts[-1].usage_metadata
    assert um.prompt_token_count == 3 and um.candidates_token_count == 4 and um.total_token_count == 7


def test_responses_stream_to_openai_compatible_reports_usage(gw, mock):
    with gw.openai().responses.stream(model="mistral/mistral-small-latest", input="one two") as s:
        list(s)
        final = s.get_final_response()
    assert final.output_text == "echo: one two"
    assert mock.last.path == "/v1/chat/completions" and mock.last.body["stream"] is True
    assert final.usage.input_tokens == 2 and final.usage.output_tokens == 3 and final.usage.total_tokens == 5


def test_responses_create_to_openai_compatible(gw, mock):
    """Non-streamed, the same translation carries usage (the provider always sends it)."""
    r = gw.openai().responses.create(model="mistral/mistral-small-latest", instructions="sys", input="one two")
    assert r.output_text == "echo: one two" and r.status == "completed"
    assert r.usage.input_tokens == count_tokens("sys", "one two") and r.usage.output_tokens == 3
    rec = mock.last
    assert rec.path == "/v1/chat/completions" and rec.headers.get("authorization") == f"Bearer {MISTRAL_KEY}"
    assert rec.body["messages"][0]["role"] == "system" and rec.body["model"] == "mistral-small-latest"
    assert "input" not in rec.body and "instructions" not in rec.body


# =========================================================================== Responses

def test_responses_create_passthrough_openai(gw, mock):
    oa = gw.openai()
    r = oa.responses.create(model=f"openai/{GPT}", instructions="be short", input="hello responses")
    assert r.object == "response" and r.status == "completed"
    assert r.output_text == "echo: hello responses"
    # the mock's own count (for a string input it counts the input only): passed through as is
    assert r.usage.input_tokens == count_tokens("hello responses")
    assert r.usage.output_tokens == count_tokens("echo: hello responses")
    rec = mock.last
    assert rec.path == "/v1/responses" and rec.headers.get("authorization") == f"Bearer {UPSTREAM_KEY}"
    _no_client_key(rec)
    assert rec.body["model"] == GPT and rec.body["input"] == "hello responses" and rec.body["instructions"] == "be short"


def test_responses_stream_passthrough_openai(gw, mock):
    with gw.openai().responses.stream(model=f"openai/{GPT}", input="one two") as s:
        events = list(s)
        final = s.get_final_response()
    types = [e.type for e in events]
    assert types[0] == "response.created" and types[-1] == "response.completed", types
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "echo: one two"
    assert final.output_text == "echo: one two" and final.usage.output_tokens == 3
    assert mock.last.path == "/v1/responses" and mock.last.body["stream"] is True


def test_responses_create_to_anthropic(gw, mock):
    oa = gw.openai()
    r = oa.responses.create(model=f"anthropic/{CLAUDE}", instructions="be short", input="hola claude",
                            max_output_tokens=77)
    assert r.object == "response" and r.status == "completed"
    assert r.output_text == "echo: hola claude"
    msgs = [o for o in r.output if o.type == "message"]
    assert len(msgs) == 1 and msgs[0].role == "assistant" and msgs[0].content[0].type == "output_text"
    assert r.usage.input_tokens == count_tokens("be short", "hola claude")
    assert r.usage.output_tokens == count_tokens("echo: hola claude")
    assert r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens
    rec = mock.last
    assert rec.path == "/v1/messages"
    assert rec.headers.get("x-api-key") == UPSTREAM_KEY and rec.headers.get("anthropic-version") == "2023-06-01"
    _no_client_key(rec)
    b = rec.body
    assert b["model"] == CLAUDE and b["max_tokens"] == 77
    assert b["system"] in ("be short", [{"type": "text", "text": "be short"}])
    assert text_of(b["messages"][0]["content"]) == "hola claude" and b["messages"][0]["role"] == "user"
    for f in ("input", "instructions", "max_output_tokens"):
        assert f not in b

    # a function call
    r2 = oa.responses.create(model=f"anthropic/{CLAUDE}", input="find eels", tools=[
        {"type": "function", "name": "lookup", "description": "Search.", "parameters": TOOLS_OA[0]["function"]["parameters"]}])
    calls = [o for o in r2.output if o.type == "function_call"]
    assert len(calls) == 1 and calls[0].name == "lookup" and calls[0].call_id
    assert json.loads(calls[0].arguments) == {"query": "find eels"}
    assert mock.last.body["tools"][0]["input_schema"]["properties"]["query"] == {"type": "string"}

    # and its output fed back
    r3 = oa.responses.create(model=f"anthropic/{CLAUDE}", input=[
        {"role": "user", "content": "find eels"},
        {"type": "function_call", "call_id": calls[0].call_id, "name": "lookup", "arguments": calls[0].arguments},
        {"type": "function_call_output", "call_id": calls[0].call_id, "output": "eels swim"}])
    assert r3.output_text == "tool said: eels swim"
    m = mock.last.body["messages"]
    assert [x["role"] for x in m] == ["user", "assistant", "user"], m
    assert m[1]["content"][0]["type"] == "tool_use" and m[1]["content"][0]["id"] == calls[0].call_id
    assert m[2]["content"][0] == {"type": "tool_result", "tool_use_id": calls[0].call_id, "content": "eels swim"} or \
        (m[2]["content"][0]["type"] == "tool_result" and text_of(m[2]["content"][0]["content"]) == "eels swim")


def test_responses_stream_to_anthropic(gw, mock):
    with gw.openai().responses.stream(model=f"anthropic/{CLAUDE}", instructions="sys", input="alpha beta") as s:
        events = list(s)
        final = s.get_final_response()
    types = [e.type for e in events]
    assert types[:2] == ["response.created", "response.in_progress"], types
    assert types[-1] == "response.completed", types
    for t in ("response.output_item.added", "response.content_part.added", "response.output_text.delta",
              "response.output_text.done", "response.content_part.done", "response.output_item.done"):
        assert t in types, f"{t} missing: {types}"
    seq = [e.sequence_number for e in events]
    assert seq == sorted(seq) and len(set(seq)) == len(seq), "sequence numbers increase"
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "echo: alpha beta"
    done = [e for e in events if e.type == "response.output_text.done"][0]
    assert done.text == "echo: alpha beta"
    assert final.status == "completed" and final.output_text == "echo: alpha beta"
    assert final.usage.input_tokens == count_tokens("sys", "alpha beta")
    assert final.usage.output_tokens == count_tokens("echo: alpha beta")
    rec = mock.last
    assert rec.path == "/v1/messages" and rec.body["stream"] is True and rec.body["model"] == CLAUDE

    with gw.openai().responses.stream(model=f"anthropic/{CLAUDE}", input="find rays", tools=[
            {"type": "function", "name": "lookup", "parameters": TOOLS_OA[0]["function"]["parameters"]}]) as s:
        events = list(s)
        final = s.get_final_response()
    args = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    assert json.loads(args) == {"query": "find rays"}
    calls = [o for o in final.output if o.type == "function_call"]
    assert len(calls) == 1 and calls[0].name == "lookup" and json.loads(calls[0].arguments) == {"query": "find rays"}


# =========================================================================== embeddings

def test_embeddings_passthrough_openai(gw, mock):
    oa = gw.openai()
    r = oa.embeddings.create(model="openai/text-embedding-3-small", input=["red fox", "blue whale"])
    assert [d.index for d in r.data] == [0, 1]
    for d, t in zip(r.data, ["red fox", "blue whale"]):
        assert d.embedding == pytest.approx(embedding(t, 8), abs=1e-6)
    assert r.usage.prompt_tokens == 4
    rec = mock.last
    assert rec.path == "/v1/embeddings" and rec.headers.get("authorization") == f"Bearer {UPSTREAM_KEY}"
    assert rec.body["model"] == "text-embedding-3-small" and rec.body["encoding_format"] == "base64"
    f = oa.embeddings.create(model="openai/text-embedding-3-small", input="red fox", encoding_format="float")
    assert f.data[0].embedding == pytest.approx(embedding("red fox", 8), abs=1e-6)


@pytest.mark.parametrize("fmt", ["base64", "float"])
def test_embeddings_to_gemini(gw, mock, fmt):
    kw = {} if fmt == "base64" else {"encoding_format": "float"}
    raw = gw.http("POST", "/v1/embeddings", {"model": "gemini/text-embedding-004", "input": ["red fox", "owl"],
                                             **({"encoding_format": fmt})},
                  headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert raw.status == 200, raw.body
    emb0 = raw.json()["data"][0]["embedding"]
    assert isinstance(emb0, str if fmt == "base64" else list), f"{fmt}: got {type(emb0).__name__}"
    r = gw.openai().embeddings.create(model="gemini/text-embedding-004", input=["red fox", "owl"], dimensions=8, **kw)
    assert r.object == "list" and len(r.data) == 2
    for d, t in zip(r.data, ["red fox", "owl"]):
        assert d.object == "embedding"
        assert d.embedding == pytest.approx(embedding(t, 8), abs=1e-6)
    assert r.model == "text-embedding-004"
    rec = mock.last
    assert rec.path == "/v1beta/models/text-embedding-004:batchEmbedContents", rec.path
    assert rec.headers.get("x-goog-api-key") == UPSTREAM_KEY and rec.headers.get("authorization") is None
    _no_client_key(rec)
    reqs = rec.body["requests"]
    assert [q["content"]["parts"][0]["text"] for q in reqs] == ["red fox", "owl"]
    assert all(q["model"] == "models/text-embedding-004" for q in reqs)
    assert all(q.get("outputDimensionality") == 8 for q in reqs)
    assert "input" not in rec.body and "encoding_format" not in rec.body


@pytest.mark.parametrize("fmt", ["base64", "float"])
def test_embeddings_to_ollama(gw, mock, fmt):
    kw = {} if fmt == "base64" else {"encoding_format": "float"}
    r = gw.openai().embeddings.create(model="ollama/nomic-embed-text", input=["aa bb", "cc"], **kw)
    assert [d.embedding for d in r.data] == [pytest.approx(embedding("aa bb", 8), abs=1e-6),
                                             pytest.approx(embedding("cc", 8), abs=1e-6)]
    assert r.usage.prompt_tokens == 3, "prompt_eval_count"
    rec = mock.last
    assert rec.path == "/api/embed" and rec.auth() is None
    assert rec.body["model"] == "nomic-embed-text" and rec.body["input"] == ["aa bb", "cc"]


# =========================================================================== models, azure client, count_tokens

def test_models_list(gw, mock):
    ms = gw.openai().models.list()
    ids = {m.id for m in ms.data}
    for want in (f"openai/{GPT}", "openai/text-embedding-3-small", f"anthropic/{CLAUDE}", "mistral/mistral-small-latest"):
        assert want in ids, f"{want} missing from {sorted(ids)}"
    owners = {m.id: m.owned_by for m in ms.data}
    assert owners[f"anthropic/{CLAUDE}"] == "anthropic"
    assert all(m.object == "model" for m in ms.data)


def test_azure_openai_client_with_endpoint_header(gw, mock):
    az = openai.AzureOpenAI(azure_endpoint=gw.url + "/openai", api_key=CLIENT_KEY, api_version=AZURE_VERSION,
                            max_retries=0, timeout=30, default_headers={"x-bf-azure-endpoint": mock.url})
    r = az.chat.completions.create(model="prod-gpt4o", messages=[{"role": "user", "content": "via azure sdk"}])
    assert r.choices[0].message.content == "echo: via azure sdk" and r.choices[0].finish_reason == "stop"
    rec = mock.last
    assert rec.path == "/openai/deployments/prod-gpt4o/chat/completions", rec.path
    assert rec.query.get("api-version") == AZURE_VERSION
    assert rec.headers.get("api-key") == AZURE_KEY
    assert rec.headers.get("x-bf-azure-endpoint") is None, "gateway header forwarded upstream"
    _no_client_key(rec)
    chunks = list(az.chat.completions.create(model="prod-gpt4o", stream=True,
                                             messages=[{"role": "user", "content": "azure stream"}]))
    assert _oa_text(chunks) == "echo: azure stream"
    assert mock.last.path == "/openai/deployments/prod-gpt4o/chat/completions" and mock.last.body["stream"] is True


def test_azure_endpoint_header_picks_the_resource(start_gateway, mock):
    """The provider's own endpoint is dead; only the header's resource can answer."""
    cfg = CONFIG.replace(f'endpoint: "{{{{MOCK}}}}"\n    api_key: {AZURE_KEY}', f'endpoint: "{{{{DEAD}}}}"\n    api_key: {AZURE_KEY}')
    assert cfg != CONFIG
    gw = start_gateway(cfg)
    az = openai.AzureOpenAI(azure_endpoint=gw.url + "/openai", api_key=CLIENT_KEY, api_version=AZURE_VERSION,
                            max_retries=0, timeout=30, default_headers={"x-bf-azure-endpoint": mock.url})
    r = az.chat.completions.create(model="dep1", messages=[{"role": "user", "content": "routed"}])
    assert r.choices[0].message.content == "echo: routed"
    assert mock.last.path == "/openai/deployments/dep1/chat/completions"
    # without the header the configured (dead) resource is used: 502 in OpenAI's shape
    az2 = openai.AzureOpenAI(azure_endpoint=gw.url + "/openai", api_key=CLIENT_KEY, api_version=AZURE_VERSION,
                             max_retries=0, timeout=30)
    with pytest.raises(openai.InternalServerError) as ei:
        az2.chat.completions.create(model="dep1", messages=[{"role": "user", "content": "x"}])
    assert ei.value.status_code == 502 and "error" in ei.value.response.json()


def test_count_tokens_anthropic_passthrough(gw, mock):
    an = gw.anthropic()
    r = an.messages.count_tokens(model=CLAUDE, system="sys words here",
                                 messages=[{"role": "user", "content": "count these four words"}])
    assert r.input_tokens == count_tokens("sys words here", "count these four words")
    rec = mock.last
    assert rec.path == "/v1/messages/count_tokens"
    assert rec.headers.get("x-api-key") == UPSTREAM_KEY and rec.headers.get("anthropic-version") == "2023-06-01"
    _no_client_key(rec)
    assert rec.body["model"] == CLAUDE and rec.body["system"] == "sys words here"
    r2 = an.messages.count_tokens(model=f"anthropic/{CLAUDE}", messages=[{"role": "user", "content": "a b"}])
    assert r2.input_tokens == 2 and mock.last.body["model"] == CLAUDE, "prefix stripped"


def test_count_tokens_estimate_for_openai_model(gw, mock):
    text = "The quick brown fox jumps over the lazy dog. " * 10
    r = gw.anthropic().messages.count_tokens(model=f"openai/{GPT}", system="be brief",
                                             messages=[{"role": "user", "content": text}])
    n = len(text) + len("be brief")
    assert n // 8 <= r.input_tokens <= n // 2, r.input_tokens
    assert not mock.requests, "an estimate calls no upstream"


# =========================================================================== errors, each in its surface's shape

def test_genai_errors_in_gemini_shape(gw, mock):
    raw = gw.http("POST", "/genai/v1beta/models/nosuch%2Fthing:generateContent",
                  {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}, headers={"x-goog-api-key": CLIENT_KEY})
    assert raw.status == 400, raw.body
    err = raw.json()
    assert set(err) == {"error"} and set(err["error"]) >= {"code", "message", "status"}, err
    assert err["error"]["code"] == 400 and err["error"]["status"] == "INVALID_ARGUMENT"
    assert "openai" in err["error"]["message"] and "anthropic" in err["error"]["message"]
    g = gw.genai()
    with pytest.raises(genai_errors.ClientError) as ei:
        g.models.generate_content(model="nosuch/thing", contents="hi")
    assert ei.value.code == 400 and ei.value.status == "INVALID_ARGUMENT"
    assert not mock.requests

    for model, path in ((f"anthropic/{CLAUDE}", "/v1/messages"), (GEM, f"/v1beta/models/{GEM}:generateContent"),
                        (f"openai/{GPT}", "/v1/chat/completions")):
        mock.script(path, status=429, message=f"too fast {model}")
        with pytest.raises(genai_errors.ClientError) as ei:
            g.models.generate_content(model=model, contents="hi")
        assert ei.value.code == 429 and ei.value.status == "RESOURCE_EXHAUSTED", (model, ei.value)
        assert f"too fast {model}" in ei.value.message
    mock.script("/v1/messages", status=529, message="overloaded")
    with pytest.raises(genai_errors.ServerError) as ei:
        g.models.generate_content(model=f"anthropic/{CLAUDE}", contents="hi")
    assert ei.value.code == 529 and ei.value.status == "UNAVAILABLE"


def test_responses_and_embeddings_errors_in_openai_shape(gw, mock):
    oa = gw.openai()
    mock.script("/v1/messages", status=429, message="responses too fast")
    with pytest.raises(openai.RateLimitError) as ei:
        oa.responses.create(model=f"anthropic/{CLAUDE}", input="hi")
    assert ei.value.response.json()["error"]["message"] == "responses too fast"
    mock.script("*:batchEmbedContents", status=401, message="bad gemini key")
    with pytest.raises(openai.AuthenticationError) as ei:
        oa.embeddings.create(model="gemini/text-embedding-004", input="x")
    body = ei.value.response.json()
    assert set(body["error"]) >= {"message", "type", "param", "code"} and "bad gemini key" in body["error"]["message"]
    with pytest.raises(openai.BadRequestError) as ei:
        oa.embeddings.create(model="nosuch/emb", input="x")
    assert "known providers" in ei.value.response.json()["error"]["message"]
    mock.script("/api/chat", status=404, message="model 'llama9' not found")
    with pytest.raises(openai.NotFoundError) as ei:
        oa.chat.completions.create(model="ollama/llama9", messages=[{"role": "user", "content": "x"}])
    assert "llama9" in ei.value.response.json()["error"]["message"]


def test_count_tokens_and_azure_errors_in_their_shape(gw, mock):
    with pytest.raises(anthropic.BadRequestError) as ei:
        gw.anthropic().messages.count_tokens(model="nosuch/m", messages=[{"role": "user", "content": "x"}])
    assert ei.value.response.json()["type"] == "error"
    assert ei.value.response.json()["error"]["type"] == "invalid_request_error"
    mock.script("/openai/deployments/*", status=401, message="bad azure key")
    az = openai.AzureOpenAI(azure_endpoint=gw.url + "/openai", api_key=CLIENT_KEY, api_version=AZURE_VERSION,
                            max_retries=0, timeout=30, default_headers={"x-bf-azure-endpoint": mock.url})
    with pytest.raises(openai.AuthenticationError) as ei:
        az.chat.completions.create(model="dep", messages=[{"role": "user", "content": "x"}])
    assert ei.value.response.json()["error"]["message"] == "bad azure key"


def test_genai_function_response_pairs_with_call_for_anthropic(gw, mock):
    """Gemini calls carry no id: the gateway must give the call and its result the same id, or
    Anthropic rejects the tool_result."""
    g = gw.genai()
    cfg = gt.GenerateContentConfig(tools=[gt.Tool(function_declarations=[LOOKUP_DECL])],
                                   automatic_function_calling=gt.AutomaticFunctionCallingConfig(disable=True))
    contents = [
        gt.Content(role="user", parts=[gt.Part(text="find newts")]),
        gt.Content(role="model", parts=[gt.Part(function_call=gt.FunctionCall(name="lookup", args={"query": "newts"}))]),
        gt.Content(role="user", parts=[gt.Part(function_response=gt.FunctionResponse(
            name="lookup", response={"result": "newts are amphibians"}))]),
    ]
    r = g.models.generate_content(model=f"anthropic/{CLAUDE}", contents=contents, config=cfg)
    assert r.text.startswith("tool said: ") and "newts are amphibians" in r.text
    m = mock.last.body["messages"]
    assert [x["role"] for x in m] == ["user", "assistant", "user"], m
    use = [b for b in m[1]["content"] if b["type"] == "tool_use"][0]
    res = [b for b in m[2]["content"] if b["type"] == "tool_result"][0]
    assert use["name"] == "lookup" and use["input"] == {"query": "newts"}
    assert use["id"] and res["tool_use_id"] == use["id"], (use, res)


def test_anthropic_sdk_errors_from_gemini(gw, mock):
    an = gw.anthropic()
    mock.script(f"/v1beta/models/{GEM}:generateContent", status=429, message="quota gone")
    with pytest.raises(anthropic.RateLimitError) as ei:
        an.messages.create(model=f"gemini/{GEM}", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    body = ei.value.response.json()
    assert body["type"] == "error" and body["error"] == {"type": "rate_limit_error", "message": "quota gone"}
    mock.script(f"/v1beta/models/{GEM}:streamGenerateContent", status=403, message="no access")
    with pytest.raises(anthropic.PermissionDeniedError):
        with an.messages.stream(model=f"gemini/{GEM}", max_tokens=5, messages=[{"role": "user", "content": "x"}]) as s:
            list(s)


def test_embeddings_to_anthropic_is_a_client_error(gw, mock):
    with pytest.raises(openai.BadRequestError) as ei:
        gw.openai().embeddings.create(model=f"anthropic/{CLAUDE}", input="x")
    assert "embeddings" in ei.value.response.json()["error"]["message"].lower()
    assert not mock.requests

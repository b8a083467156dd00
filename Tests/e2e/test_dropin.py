"""Drop-in on every base URL (issue 15; spec sections 5 and 7), with the real SDKs against the
SHIPPED routes.yaml (providers pointed at the mock, keys from the environment: shipped.py).

- every path of section 5 under each base URL the SDKs and Bifrost's docs use: `/v1`, `/openai`,
  `/openai/v1` (chat, Responses, responses/input_tokens, embeddings, legacy completions, models),
  the AzureOpenAI SDK at `<gw>/openai`, `/anthropic` (messages, count_tokens, models), `/genai`
  with `v1`, `v1beta` and the SDK's own default (generateContent, streamGenerateContent,
  countTokens, embedContent, batchEmbedContents, models);
- an unserved Gemini `:method` is a 404 and is not forwarded; an unknown path is a 404 in the
  error shape of its API family;
- model lists: `provider/model` from each keyed provider's list API plus configured `models:`,
  in each family's shape, a dead provider not failing the list;
- presented keys (section 7): the target provider's own header wins over the SDK's dummy key,
  for direct keys and virtual keys alike (own configs: the shipped file allows neither);
- APISIX: a route whose ai-proxy fixes `model` accepts a body without one;
- usage is never invented: Gemini embeddings report none, so none is given.
"""
from __future__ import annotations

import json
import re

import anthropic
import openai
import pytest
from google import genai
from google.genai import types as gt

from conftest import CLIENT_KEY, ROOT, UPSTREAM_KEY, assert_openai_error, header, http_request, run_tollgate
from mock import anthropic_api, openai_api
from mock.common import count_tokens, embedding
from shipped import (ANTHROPIC_KEY, AZURE_KEY, GEMINI_KEY, KEY_ENV, OPENAI_KEY, SHIPPED, shipped_config,
                     shipped_text)

GPT = "gpt-4o-mini"
CLAUDE = "claude-3-5-sonnet-20240620"
GEM = "gemini-2.0-flash"
GEM_EMB = "text-embedding-004"
OA_BASES = ["/v1", "/openai", "/openai/v1"]
# google-genai's api_version: both the gateway serves, and the SDK's own default (None: "v1"
# in google-genai >= 3.x, the path the newest SDK calls)
GENAI_VERSIONS = ["v1", "v1beta", None]


@pytest.fixture
def gw(start_gateway):
    return start_gateway(shipped_config(), env=KEY_ENV)


def _is_list_fetch(rec) -> bool:
    return rec.method == "GET" and rec.path.rstrip("/").endswith("/models")


def forwarded(mock) -> list:
    """What the gateway sent upstream for clients' requests (model-list fetches, which a gateway
    may make on its own at any time, left out)."""
    return [r for r in list(mock.requests) if not _is_list_fetch(r)]


def last_call(mock):
    calls = forwarded(mock)
    assert calls, "the gateway forwarded nothing to the mock"
    return calls[-1]


def no_client_key(rec):
    for name, value in rec.headers.as_dict().items():
        assert CLIENT_KEY not in value, f"client key leaked upstream in {name}"
    assert CLIENT_KEY not in json.dumps(rec.query)


def oa_client(gw, base):
    return openai.OpenAI(base_url=gw.url + base, api_key=CLIENT_KEY, max_retries=0, timeout=30)


def genai_at(gw, version):
    opts = {"base_url": gw.url + "/genai", "timeout": 30_000}
    if version:
        opts["api_version"] = version
    return genai.Client(api_key=CLIENT_KEY, http_options=gt.HttpOptions(**opts))


def _gv_id(v):
    return v or "sdk-default"


# =========================================================================== OpenAI family, each base URL

@pytest.mark.parametrize("base", OA_BASES)
def test_chat_completions_on_every_base(gw, mock, base):
    oa = oa_client(gw, base)
    r = oa.chat.completions.create(model=GPT, messages=[{"role": "user", "content": f"chat at {base}"}])
    assert r.choices[0].message.content == f"echo: chat at {base}"
    rec = last_call(mock)
    assert rec.path == "/v1/chat/completions" and rec.auth() == OPENAI_KEY, (rec.path, rec.headers)
    no_client_key(rec)
    chunks = list(oa.chat.completions.create(model=GPT, stream=True, stream_options={"include_usage": True},
                                             messages=[{"role": "user", "content": "s t"}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: s t"


@pytest.mark.parametrize("base", OA_BASES)
def test_responses_create_on_every_base(gw, mock, base):
    """The docs' own Responses example uses base_url=<gw>/openai."""
    oa = oa_client(gw, base)
    r = oa.responses.create(model=GPT, input=f"responses at {base}")
    assert r.status == "completed" and r.output_text == f"echo: responses at {base}"
    rec = last_call(mock)
    assert rec.path == "/v1/responses" and rec.auth() == OPENAI_KEY, rec.path
    with oa.responses.stream(model=GPT, input="r s") as s:
        text = "".join(e.delta for e in s if e.type == "response.output_text.delta")
    assert text == "echo: r s"


def count_input_tokens(gw, base, **body) -> int:
    """`client.responses.input_tokens.count` where the SDK has it, else the raw call it makes."""
    oa = oa_client(gw, base)
    rt = getattr(oa.responses, "input_tokens", None)
    if rt is not None and hasattr(rt, "count"):
        return rt.count(**body).input_tokens
    raw = gw.http("POST", f"{base}/responses/input_tokens", body, headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert raw.status == 200, raw.body
    return raw.json()["input_tokens"]


@pytest.mark.parametrize("base", OA_BASES)
def test_responses_input_tokens_on_every_base(gw, mock, base):
    n = count_input_tokens(gw, base, model=GPT, input="count these four words")
    assert isinstance(n, int) and n > 0
    calls = forwarded(mock)
    # never a billable Responses call for a count
    assert all(c.path != "/v1/responses" for c in calls), [c.path for c in calls]
    if calls:  # passed through to OpenAI's own count
        assert [c.path for c in calls] == ["/v1/responses/input_tokens"], [c.path for c in calls]
        assert calls[0].auth() == OPENAI_KEY
        assert n == count_tokens("count these four words")


def test_responses_input_tokens_translated_to_anthropic_and_gemini(gw, mock):
    n = count_input_tokens(gw, "/openai", model=f"anthropic/{CLAUDE}", input="five words in this input")
    assert n == count_tokens("five words in this input")
    rec = last_call(mock)
    assert rec.path == "/v1/messages/count_tokens", rec.path
    assert rec.headers.get("x-api-key") == ANTHROPIC_KEY and rec.body["model"] == CLAUDE
    n = count_input_tokens(gw, "/openai", model=f"gemini/{GEM}", input="three more words")
    assert n == count_tokens("three more words")
    rec = last_call(mock)
    assert rec.path.endswith(f"/models/{GEM}:countTokens"), rec.path
    assert not any(":generateContent" in c.path for c in forwarded(mock))


@pytest.mark.parametrize("base", OA_BASES)
def test_embeddings_on_every_base(gw, mock, base):
    r = oa_client(gw, base).embeddings.create(model="text-embedding-3-small", input=["red fox", "owl"])
    assert [d.embedding for d in r.data] == [pytest.approx(embedding("red fox", 8), abs=1e-6),
                                             pytest.approx(embedding("owl", 8), abs=1e-6)]
    rec = last_call(mock)
    assert rec.path == "/v1/embeddings" and rec.auth() == OPENAI_KEY, rec.path


@pytest.mark.parametrize("base", OA_BASES)
def test_legacy_completions_on_every_base(gw, mock, base):
    oa = oa_client(gw, base)
    r = oa.completions.create(model="gpt-3.5-turbo-instruct", prompt=f"complete at {base}", max_tokens=16)
    assert r.object == "text_completion" and r.choices[0].text == f"echo: complete at {base}"
    rec = last_call(mock)
    assert rec.path == "/v1/completions" and rec.auth() == OPENAI_KEY, rec.path
    assert rec.body["prompt"] == f"complete at {base}" and rec.body["model"] == "gpt-3.5-turbo-instruct"
    text = "".join(c.choices[0].text for c in oa.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="p q", stream=True) if c.choices)
    assert text == "echo: p q"


def test_azure_openai_sdk_on_the_shipped_file(gw, mock):
    """The docs' Azure example: AzureOpenAI with azure_endpoint=<gw>/openai and the resource in
    x-bf-azure-endpoint; also the SDK-less path /openai/deployments/... (section 5)."""
    az = openai.AzureOpenAI(azure_endpoint=gw.url + "/openai", api_key=CLIENT_KEY, api_version="2024-02-01",
                            max_retries=0, timeout=30, default_headers={"x-bf-azure-endpoint": mock.url})
    r = az.chat.completions.create(model="gpt-4-deployment", messages=[{"role": "user", "content": "hello azure"}])
    assert r.choices[0].message.content == "echo: hello azure"
    rec = last_call(mock)
    assert rec.path == "/openai/deployments/gpt-4-deployment/chat/completions", rec.path
    assert rec.headers.get("api-key") == AZURE_KEY and rec.query.get("api-version")
    assert rec.headers.get("x-bf-azure-endpoint") is None
    no_client_key(rec)
    raw = gw.http("POST", "/openai/deployments/dep2/chat/completions?api-version=2024-02-01",
                  {"messages": [{"role": "user", "content": "short path"}]},
                  headers={"api-key": CLIENT_KEY, "x-bf-azure-endpoint": mock.url})
    assert raw.status == 200, raw.body
    assert raw.json()["choices"][0]["message"]["content"] == "echo: short path"
    assert last_call(mock).path == "/openai/deployments/dep2/chat/completions"


# =========================================================================== Anthropic family

def test_anthropic_messages_and_count_tokens(gw, mock):
    an = anthropic.Anthropic(base_url=gw.url + "/anthropic", api_key=CLIENT_KEY, max_retries=0, timeout=30)
    r = an.messages.create(model=CLAUDE, max_tokens=100, messages=[{"role": "user", "content": "hello claude"}])
    assert r.content[0].text == "echo: hello claude"
    rec = last_call(mock)
    assert rec.path == "/v1/messages" and rec.headers.get("x-api-key") == ANTHROPIC_KEY
    no_client_key(rec)
    with an.messages.stream(model=CLAUDE, max_tokens=100, messages=[{"role": "user", "content": "a b"}]) as s:
        assert "".join(s.text_stream) == "echo: a b"
    n = an.messages.count_tokens(model=CLAUDE, messages=[{"role": "user", "content": "count me please"}])
    assert n.input_tokens == count_tokens("count me please")
    rec = last_call(mock)
    assert rec.path == "/v1/messages/count_tokens" and rec.headers.get("x-api-key") == ANTHROPIC_KEY


# =========================================================================== Gemini family, v1 and v1beta

def _gemini_path(rec, method: str, model: str = GEM):
    assert re.fullmatch(rf"/v1(beta)?/models/{re.escape(model)}:{method}", rec.path), \
        f"want :{method} for {model}, upstream got {rec.method} {rec.path}"


@pytest.mark.parametrize("version", GENAI_VERSIONS, ids=_gv_id)
def test_genai_generate_and_stream(gw, mock, version):
    g = genai_at(gw, version)
    r = g.models.generate_content(model=GEM, contents="hello gemini")
    assert r.text == "echo: hello gemini"
    rec = last_call(mock)
    _gemini_path(rec, "generateContent")
    assert rec.headers.get("x-goog-api-key") == GEMINI_KEY
    no_client_key(rec)
    parts = [c.text or "" for c in g.models.generate_content_stream(model=GEM, contents="x y z")]
    assert "".join(parts) == "echo: x y z"
    _gemini_path(last_call(mock), "streamGenerateContent")


@pytest.mark.parametrize("version", GENAI_VERSIONS, ids=_gv_id)
def test_genai_count_tokens_is_forwarded_as_count_tokens(gw, mock, version):
    """Issue 15: :countTokens went upstream as a billable :generateContent."""
    g = genai_at(gw, version)  # held: a dropped genai.Client closes its connection pool
    r = g.models.count_tokens(model=GEM, contents="one two three")
    calls = forwarded(mock)
    assert calls, "nothing forwarded"
    for c in calls:
        assert ":generateContent" not in c.path and ":streamGenerateContent" not in c.path, \
            f"countTokens was forwarded as {c.path}"
    _gemini_path(calls[-1], "countTokens")
    assert calls[-1].headers.get("x-goog-api-key") == GEMINI_KEY
    assert r.total_tokens == 3


@pytest.mark.parametrize("version", ["v1", "v1beta"])
def test_genai_embed_content_and_batch(gw, mock, version):
    raw = gw.http("POST", f"/genai/{version}/models/{GEM_EMB}:embedContent",
                  {"content": {"parts": [{"text": "red fox"}]}}, headers={"x-goog-api-key": CLIENT_KEY})
    assert raw.status == 200, raw.body
    assert raw.json()["embedding"]["values"] == pytest.approx(embedding("red fox", 8), abs=1e-6)
    rec = last_call(mock)
    _gemini_path(rec, "embedContent", GEM_EMB)
    assert rec.headers.get("x-goog-api-key") == GEMINI_KEY
    # the SDK's embed_content is batchEmbedContents on the Gemini API
    g = genai_at(gw, version)
    r = g.models.embed_content(model=GEM_EMB, contents=["a b", "c"])
    assert [e.values for e in r.embeddings] == [pytest.approx(embedding("a b", 8), abs=1e-6),
                                                pytest.approx(embedding("c", 8), abs=1e-6)]
    _gemini_path(last_call(mock), "batchEmbedContents", GEM_EMB)


@pytest.mark.parametrize("version", ["v1", "v1beta"])
def test_unserved_gemini_method_is_404_and_not_forwarded(gw, mock, version):
    for method in ("predict", "generateAnswer", "bogusMethod"):
        raw = gw.http("POST", f"/genai/{version}/models/{GEM}:{method}",
                      {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
                      headers={"x-goog-api-key": CLIENT_KEY})
        assert raw.status == 404, f":{method}: {raw.status} {raw.body[:300]!r}"
        _assert_gemini_error(raw, 404)
    assert not forwarded(mock), [f"{r.method} {r.path}" for r in forwarded(mock)]


# =========================================================================== unknown paths: 404 in the family's shape

def _assert_gemini_error(raw, status):
    body = raw.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err.get("code") == status and isinstance(err.get("message"), str) and err["message"], body
    assert err.get("status") == "NOT_FOUND", body


@pytest.mark.parametrize("method,path", [("POST", "/openai/v1/no-such-endpoint"), ("GET", "/openai/no-such-endpoint"),
                                         ("POST", "/v1/no-such-endpoint")])
def test_unknown_openai_path_is_404_in_openai_shape(gw, mock, method, path):
    raw = gw.http(method, path, {"model": GPT} if method == "POST" else None,
                  headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert_openai_error(raw, 404)
    assert not forwarded(mock)


def test_unknown_anthropic_path_is_404_in_anthropic_shape(gw, mock):
    raw = gw.http("POST", "/anthropic/v1/no-such-endpoint", {"model": CLAUDE}, headers={"x-api-key": CLIENT_KEY})
    assert raw.status == 404, raw.body
    body = raw.json()
    assert body.get("type") == "error" and body["error"]["type"] == "not_found_error", body
    assert body["error"]["message"], body
    # the SDK raises its own exception type for it
    an = anthropic.Anthropic(base_url=gw.url + "/anthropic", api_key=CLIENT_KEY, max_retries=0, timeout=30)
    with pytest.raises(anthropic.NotFoundError) as ei:
        an.post("/v1/no-such-endpoint", body={"model": CLAUDE}, cast_to=object)
    assert ei.value.body["error"]["type"] == "not_found_error"
    assert not forwarded(mock)


@pytest.mark.parametrize("path", ["/genai/v1beta/no-such-endpoint", "/genai/v1/no-such-endpoint"])
def test_unknown_genai_path_is_404_in_gemini_shape(gw, mock, path):
    raw = gw.http("POST", path, {"contents": []}, headers={"x-goog-api-key": CLIENT_KEY})
    assert raw.status == 404, raw.body
    _assert_gemini_error(raw, 404)
    assert not forwarded(mock)


# =========================================================================== model lists

LIST_ENV = {"OPENAI_API_KEY": OPENAI_KEY, "ANTHROPIC_API_KEY": ANTHROPIC_KEY, "GEMINI_API_KEY": GEMINI_KEY,
            "MISTRAL_API_KEY": "mistral-key-dead"}
LIST_PROVIDERS = {
    "anthropic": 'endpoint: "{{MOCK}}", models: [claude-opus-4-1-20250805]',   # configured, not in its list API
    "mistral": 'endpoint: "{{DEAD}}/v1"',                                     # has a key, does not answer
}
# what the mock's list APIs name (mock/*_api.py), as the gateway must list them
FROM_LIST_APIS = ([f"openai/{m}" for m in openai_api.MODELS]
                  + [f"anthropic/{m}" for m, _, _ in anthropic_api.MODELS]
                  + ["gemini/gemini-2.0-flash", "gemini/gemini-1.5-pro", "gemini/text-embedding-004"])
CONFIGURED = ["anthropic/claude-opus-4-1-20250805"]


@pytest.fixture
def list_gw(start_gateway):
    return start_gateway(shipped_config(providers=LIST_PROVIDERS), env=LIST_ENV)


def _want_all(ids, where):
    missing = [m for m in FROM_LIST_APIS + CONFIGURED if m not in ids]
    assert not missing, f"{where}: missing {missing} from {sorted(ids)}"


def _list_fetches(mock, provider):
    return [r for r in list(mock.requests) if _is_list_fetch(r) and r.provider == provider]


@pytest.mark.parametrize("base", OA_BASES)
def test_models_list_openai_shape(list_gw, mock, base):
    ms = oa_client(list_gw, base).models.list()
    ids = [m.id for m in ms.data]
    _want_all(ids, f"GET {base}/models")
    assert len(ids) == len(set(ids)), f"duplicates in {ids}"
    for m in ms.data:
        assert m.object == "model" and "/" in m.id, m
        assert m.owned_by == m.id.split("/", 1)[0], m
    # fetched from each provider's own list API, with the provider's key
    for provider, key in (("openai", OPENAI_KEY), ("anthropic", ANTHROPIC_KEY), ("gemini", GEMINI_KEY)):
        fetched = _list_fetches(mock, provider)
        assert fetched, f"no list fetch from {provider}: {[(r.method, r.path) for r in mock.requests]}"
        assert fetched[-1].auth() == key, (provider, fetched[-1].headers)
    # cached: asking again does not ask the providers again
    before = len([r for r in mock.requests if _is_list_fetch(r)])
    assert {m.id for m in oa_client(list_gw, base).models.list().data} == set(ids)
    assert len([r for r in mock.requests if _is_list_fetch(r)]) == before, "model list not cached"


def test_models_list_anthropic_shape(list_gw, mock):
    an = anthropic.Anthropic(base_url=list_gw.url + "/anthropic", api_key=CLIENT_KEY, max_retries=0, timeout=30)
    raw = list_gw.http("GET", "/anthropic/v1/models", headers={"x-api-key": CLIENT_KEY, "anthropic-version": "2023-06-01"})
    assert raw.status == 200, raw.body
    body = raw.json()
    assert isinstance(body.get("data"), list) and "has_more" in body, body
    for m in body["data"]:
        assert m.get("type") == "model" and "/" in m["id"] and "display_name" in m and "created_at" in m, m
    ids = [m.id for m in an.models.list()]
    _want_all(ids, "GET /anthropic/v1/models")


@pytest.mark.parametrize("version", GENAI_VERSIONS, ids=_gv_id)
def test_models_list_gemini_shape(list_gw, mock, version):
    g = genai_at(list_gw, version)
    names = [m.name for m in g.models.list()]
    ids = [n[len("models/"):] if n.startswith("models/") else n for n in names]
    _want_all(ids, f"GET /genai/{version or 'sdk-default'}/models")
    v = version or "v1"
    raw = list_gw.http("GET", f"/genai/{v}/models", headers={"x-goog-api-key": CLIENT_KEY})
    assert raw.status == 200 and isinstance(raw.json().get("models"), list), raw.body
    assert all(m["name"].startswith("models/") for m in raw.json()["models"]), raw.json()


def test_model_list_survives_a_dead_provider_and_failing_list_apis(start_gateway, mock):
    """mistral (keyed) does not answer; every list API on the mock answers 500: the list still
    comes, with the configured models at least."""
    gw = start_gateway(shipped_config(providers=LIST_PROVIDERS), env=LIST_ENV)
    mock.script("/v1beta/models", status=500, message="list broke", times=None)
    mock.script("/v1/models", status=500, message="list broke", times=None)
    r = gw.http("GET", "/v1/models", headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert r.status == 200, r.body
    ids = [m["id"] for m in r.json()["data"]]
    assert "anthropic/claude-opus-4-1-20250805" in ids, ids  # configured models still listed


# =========================================================================== presented keys (section 7)

DIRECT_CONFIG = header() + f"""providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  gemini: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
routes:
  - id: chat
    uri: /v1/chat/completions
    plugins: [{{ai-proxy: {{surface: openai-chat, allow_direct_keys: true}}}}]
  - id: messages
    uri: /anthropic/v1/messages
    plugins: [{{ai-proxy: {{surface: anthropic-messages, allow_direct_keys: true}}}}]
"""


def _headers_without(rec, secret):
    for name, value in rec.headers.as_dict().items():
        assert secret not in value, f"{secret!r} went upstream in {name}"


def test_anthropic_sdk_x_api_key_beats_its_own_bearer_dummy(start_gateway, mock):
    """anthropic >= 2.14 sends `Authorization: Bearer <api_key>`; the docs' direct key is an
    x-api-key extra header: for an Anthropic target x-api-key is the native header and wins."""
    gw = start_gateway(DIRECT_CONFIG)
    an = anthropic.Anthropic(base_url=gw.url + "/anthropic", api_key="dummy-key", max_retries=0, timeout=30)
    r = an.messages.create(model=CLAUDE, max_tokens=10, messages=[{"role": "user", "content": "hi"}],
                           extra_headers={"x-api-key": "sk-ant-direct"})
    assert r.content[0].text == "echo: hi"
    rec = last_call(mock)
    assert rec.headers.get("x-api-key") == "sk-ant-direct", rec.headers
    _headers_without(rec, "dummy-key")
    _headers_without(rec, UPSTREAM_KEY)


def test_openai_sdk_native_header_wins_per_target(start_gateway, mock):
    """The docs' "pass different provider keys per request": the OpenAI SDK always sends its
    own Bearer key; x-api-key is Anthropic's header, x-goog-api-key Gemini's."""
    gw = start_gateway(DIRECT_CONFIG)
    oa = openai.OpenAI(base_url=gw.url + "/v1", api_key="dummy-key", max_retries=0, timeout=30)
    oa.chat.completions.create(model=f"anthropic/{CLAUDE}", messages=[{"role": "user", "content": "c"}],
                               extra_headers={"x-api-key": "sk-ant-direct"})
    rec = last_call(mock)
    assert rec.path == "/v1/messages" and rec.headers.get("x-api-key") == "sk-ant-direct", rec.headers
    _headers_without(rec, "dummy-key")
    oa.chat.completions.create(model=f"gemini/{GEM}", messages=[{"role": "user", "content": "g"}],
                               extra_headers={"x-goog-api-key": "gemini-direct"})
    rec = last_call(mock)
    assert rec.path.endswith(":generateContent") and rec.headers.get("x-goog-api-key") == "gemini-direct", rec.headers
    _headers_without(rec, "dummy-key")
    oa.chat.completions.create(model=GPT, messages=[{"role": "user", "content": "o"}],
                               extra_headers={"Authorization": "Bearer sk-openai-direct", "x-api-key": "sk-ant-other"})
    rec = last_call(mock)
    assert rec.path == "/v1/chat/completions" and rec.auth() == "sk-openai-direct", rec.headers
    _headers_without(rec, "sk-ant-other")


def test_anthropic_sdk_own_key_is_a_direct_key(start_gateway, mock):
    """The docs' `Anthropic(api_key="sk-your-anthropic-key")`: the only key presented (as
    Bearer by the newest SDK) reaches Anthropic as its x-api-key."""
    gw = start_gateway(DIRECT_CONFIG)
    an = anthropic.Anthropic(base_url=gw.url + "/anthropic", api_key="sk-ant-own", max_retries=0, timeout=30)
    an.messages.create(model=CLAUDE, max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    rec = last_call(mock)
    assert rec.headers.get("x-api-key") == "sk-ant-own", rec.headers


VK = "vk-dropin-4c1d9e"
VK_CONFIG = header() + f"""providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
virtual_keys:
  - {{key: {VK}, name: team}}
routes:
  - id: messages
    uri: /anthropic/v1/messages
    plugins: [{{governance: {{required: true}}}}, {{ai-proxy: {{surface: anthropic-messages}}}}]
  - id: chat
    uri: /v1/chat/completions
    plugins: [{{governance: {{required: true}}}}, {{ai-proxy: {{surface: openai-chat}}}}]
"""


def test_virtual_key_in_the_native_header_beats_the_sdk_dummy(start_gateway, mock):
    gw = start_gateway(VK_CONFIG)
    an = anthropic.Anthropic(base_url=gw.url + "/anthropic", api_key="dummy-key", max_retries=0, timeout=30)
    r = an.messages.create(model=CLAUDE, max_tokens=10, messages=[{"role": "user", "content": "vk"}],
                           extra_headers={"x-api-key": VK})
    assert r.content[0].text == "echo: vk"
    rec = last_call(mock)
    assert rec.headers.get("x-api-key") == UPSTREAM_KEY
    _headers_without(rec, VK)
    oa = openai.OpenAI(base_url=gw.url + "/v1", api_key="dummy-key", max_retries=0, timeout=30)
    r = oa.chat.completions.create(model=f"anthropic/{CLAUDE}", messages=[{"role": "user", "content": "vk2"}],
                                   extra_headers={"x-api-key": VK})
    assert r.choices[0].message.content == "echo: vk2"


# =========================================================================== APISIX: fixed model, no model in the body

def _apisix_config() -> str:
    text = (ROOT / "examples" / "routes-apisix-anthropic.yaml").read_text()
    assert "https://api.anthropic.com/v1/messages" in text
    return header() + text.replace("https://api.anthropic.com/v1/messages", "{{MOCK}}/v1/messages")


def test_apisix_fixed_model_route_accepts_a_body_without_model(start_gateway, mock):
    gw = start_gateway(_apisix_config(), env={"ANTHROPIC_API_KEY": ANTHROPIC_KEY})
    body = {"messages": [{"role": "system", "content": "You are a professional translator."},
                         {"role": "user", "content": "Translate the following to French: Hello, how are you?"}],
            "max_tokens": 500}
    raw = gw.http("POST", "/v1/chat/completions", body, headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert raw.status == 200, raw.body
    assert raw.json()["choices"][0]["message"]["content"] == \
        "echo: Translate the following to French: Hello, how are you?"
    rec = last_call(mock)
    assert rec.path == "/v1/messages" and rec.body["model"] == CLAUDE
    assert rec.headers.get("x-api-key") == ANTHROPIC_KEY
    raw = gw.http("POST", "/v1/chat/completions", dict(body, stream=True),
                  headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert raw.status == 200 and b"data: " in raw.body, raw.body[:300]
    assert last_call(mock).body["model"] == CLAUDE and last_call(mock).body["stream"] is True


# =========================================================================== usage is never invented

def test_gemini_embeddings_report_no_usage_rather_than_zeros(gw, mock):
    """Gemini's embed answers carry no token counts; the OpenAI surface must not say 0."""
    raw = gw.http("POST", "/v1/embeddings", {"model": f"gemini/{GEM_EMB}", "input": "red fox",
                                             "encoding_format": "float"},
                  headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert raw.status == 200, raw.body
    body = raw.json()
    assert body["data"][0]["embedding"] == pytest.approx(embedding("red fox", 8), abs=1e-6)
    rec = last_call(mock)
    assert ":embedContent" in rec.path or ":batchEmbedContents" in rec.path, rec.path
    assert body.get("usage") is None, f"usage invented for an answer that had none: {body.get('usage')}"
    r = oa_client(gw, "/openai").embeddings.create(model=f"gemini/{GEM_EMB}", input=["a", "b"])
    assert r.usage is None, r.usage


# =========================================================================== the shipped file itself

def test_shipped_file_is_a_short_table_of_prefix_routes():
    uris = re.findall(r"\buri:\s*([^\s,}]+)", "\n".join(l.split("#")[0] for l in shipped_text().splitlines()))
    for want in ("/v1/*", "/openai/*", "/anthropic/*", "/genai/*"):
        assert want in uris, f"{want} not among the shipped routes' uris {uris}"
    r = run_tollgate("check", "--config", SHIPPED)
    assert r.returncode == 0, r.stdout + r.stderr


def test_check_accepts_no_surface_and_rejects_an_unknown_one(tmp_path):
    ok = ("routes:\n  - id: all\n    uri: /openai/*\n    plugins:\n      - ai-proxy: {}\n")
    p = tmp_path / "ok.yaml"
    p.write_text(ok)
    r = run_tollgate("check", "--config", p)
    assert r.returncode == 0, r.stdout + r.stderr
    bad = ("routes:\n  - id: all\n    uri: /openai/*\n    plugins:\n      - ai-proxy: {surface: openai-chatt}\n")
    p = tmp_path / "bad.yaml"
    p.write_text(bad)
    r = run_tollgate("check", "--config", p)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    m = re.search(r"bad\.yaml:(\d+):(\d+):\s*(.+)", out)
    assert m, f"no FILE:LINE:COL in {out}"
    assert int(m.group(1)) == 5 and "openai-chatt" in m.group(3), out


# =========================================================================== the mock serves what the SDKs call

def test_mock_list_apis_and_new_endpoints_read_by_the_sdks(mock):
    """Mock fidelity for the endpoints this file needs: each SDK straight at the mock."""
    oa = openai.OpenAI(base_url=mock.url + "/v1", api_key="k", max_retries=0, timeout=10)
    assert [m.id for m in oa.models.list()] == openai_api.MODELS
    assert oa.completions.create(model="m", prompt="a b").choices[0].text == "echo: a b"
    rt = getattr(oa.responses, "input_tokens", None)
    if rt is not None:
        assert rt.count(model="m", input="a b c").input_tokens == 3
        assert mock.last.path == "/v1/responses/input_tokens"
    an = anthropic.Anthropic(base_url=mock.url, api_key="k", max_retries=0, timeout=10)
    assert [m.id for m in an.models.list()] == [m for m, _, _ in anthropic_api.MODELS]
    assert mock.last.provider == "anthropic"
    for v in ("v1", "v1beta"):
        g = genai.Client(api_key="k", http_options=gt.HttpOptions(base_url=mock.url, api_version=v))
        assert [m.name for m in g.models.list()] == \
            [f"models/{n}" for n in ("gemini-2.0-flash", "gemini-1.5-pro", "text-embedding-004")]
        assert mock.last.provider == "gemini"
        assert g.models.count_tokens(model=GEM, contents="a b").total_tokens == 2
        assert mock.last.path == f"/{v}/models/{GEM}:countTokens"
    raw = mock_post(mock, f"/v1beta/models/{GEM_EMB}:embedContent", {"content": {"parts": [{"text": "x"}]}})
    assert "usageMetadata" not in raw and raw["embedding"]["values"] == pytest.approx(embedding("x", 8))


def mock_post(mock, path, body):
    r = http_request(mock.url, "POST", path, body)
    assert r.status == 200, r.body
    return r.json()

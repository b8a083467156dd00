"""The cache plugin end to end (spec section 13; the contract is plugins/cache/README.md), with
the real SDKs against the recording mock: what reaches the upstream is counted from the mock's
record, what the client got from `x-tollgate-cache` and the answer itself.

- exact: a repeat reaches the upstream once and answers the same (OpenAI, Anthropic, GenAI SDKs);
  what makes two requests the same (sampling fields, key order, `user`/`metadata`, model, API
  and stream-ness); two virtual keys never share an entry; a cached stream replays as a stream
- `cache-control: no-cache` / `no-store`; tools only with `include_tools`; embeddings pass through
- what is never stored: a non-200, a broken stream, an answer over `max_entry_bytes`
- TTL; a hit charges no tokens (request log, metrics, a token rate limit, access log)
- semantic: a paraphrase hits, an unrelated or merely related prompt misses (the mock's
  bag-of-words embeddings, `text-embedding-bow`, with the cosines computed here)
- entries survive a restart with the SQLite store; `tollgate check` rejects bad options
"""
from __future__ import annotations

import json
import re
import time

import openai
import pytest

from conftest import UPSTREAM_KEY, metric, run_tollgate, wait_until
from mock.common import bow_embedding, cosine

GPT = "gpt-4o-mini"
CLAUDE = "claude-3-5-haiku-latest"
GEM = "gemini-2.0-flash"
VK_A, VK_B = "vk-cache-team-a-0001", "vk-cache-team-b-0002"
LONG = "one two three four five six seven eight nine ten eleven twelve"  # 12 mock tokens

EXACT = "{mode: exact, ttl_seconds: 60}"
BOW_MODEL = "text-embedding-bow"
THRESHOLD = 0.9
SEMANTIC = f"{{mode: semantic, threshold: {THRESHOLD}, embedding_model: openai/{BOW_MODEL}, ttl_seconds: 60}}"

TOOLS = [{"type": "function", "function": {
    "name": "lookup", "description": "Search.",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}]


def config(cache: str = EXACT, *, store: str = "memory", governance: bool = False, telemetry: bool = False,
           keys: str = "", extra_routes: str = "") -> str:
    """Prefix routes (`/v1/*`, `/anthropic/*`, `/genai/*`) with `cache` before ai-proxy, every
    provider at the mock. `governance` (required) and `telemetry` go before the cache on /v1."""
    v1 = ""
    if governance:
        v1 += "      - governance: {required: true}\n"
    if telemetry:
        v1 += "      - telemetry: {}\n"
    return f"""server:
  listen: {{{{LISTEN}}}}
  drain_seconds: 5
admin:
  listen: {{{{ADMIN}}}}
store: {store}
providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  gemini: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
virtual_keys:
  - {{key: {VK_A}, name: team-a}}
  - {{key: {VK_B}, name: team-b}}
{keys}pricing:   # 1 000 USD per 1M tokens: every answer has a visible cost
  openai/{GPT}: {{input: 1000, output: 1000}}
routes:
  - id: chat
    uri: /v1/*
    plugins:
{v1}      - cache: {cache}
      - ai-proxy: {{}}
  - id: anthropic
    uri: /anthropic/*
    plugins:
      - cache: {cache}
      - ai-proxy: {{}}
  - id: genai
    uri: /genai/*
    plugins:
      - cache: {cache}
      - ai-proxy: {{}}
{extra_routes}"""


# --------------------------------------------------------------------------- helpers

def chats(mock) -> list:
    """The chat requests that reached the upstream."""
    return [r for r in mock.requests if r.path.endswith("/chat/completions")]


def embeds(mock) -> list:
    return [r for r in mock.requests if r.path.endswith("/embeddings")]


def msgs(text: str) -> list:
    return [{"role": "user", "content": text}]


def ask(client, text: str = "hello", model: str = GPT, **kw):
    """A whole chat answer: (x-tollgate-cache, ChatCompletion)."""
    raw = client.chat.completions.with_raw_response.create(model=model, messages=msgs(text), **kw)
    return raw.headers.get("x-tollgate-cache"), raw.parse()


def ask_stream(client, text: str = "hello", model: str = GPT, **kw):
    """A streamed chat answer: (x-tollgate-cache, [chunks], text)."""
    raw = client.chat.completions.with_raw_response.create(model=model, messages=msgs(text), stream=True, **kw)
    chunks = list(raw.parse())
    return raw.headers.get("x-tollgate-cache"), chunks, "".join(
        c.choices[0].delta.content or "" for c in chunks if c.choices)


def post(gw, body, headers=None, path: str = "/v1/chat/completions"):
    """A raw POST; `body` may be a str (sent byte for byte, key order kept)."""
    r = gw.http("POST", path, body, headers)
    assert r.status == 200, (r.status, r.body[:500])
    return r.headers.get("x-tollgate-cache"), r.json()


# --------------------------------------------------------------------------- exact: one upstream call

def test_exact_repeat_reaches_upstream_once_and_answers_the_same(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai()
    h1, first = ask(client, "repeat after me")
    assert h1 == "miss"
    assert first.choices[0].message.content == "echo: repeat after me"
    h2, second = ask(client, "repeat after me")
    assert h2 == "hit"
    assert len(chats(mock)) == 1, [r.path for r in mock.requests]
    # answered whole from the entry: the stored answer (the mock gives every answer its own id)
    assert second.model_dump() == first.model_dump()
    # a different prompt is its own entry
    h3, third = ask(client, "something else")
    assert h3 == "miss" and third.choices[0].message.content == "echo: something else"
    assert len(chats(mock)) == 2


def test_anthropic_sdk_exact_hit(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.anthropic()

    def ask_claude():
        raw = client.messages.with_raw_response.create(model=CLAUDE, max_tokens=50, messages=msgs("bonjour"))
        return raw.headers.get("x-tollgate-cache"), raw.parse()

    h1, first = ask_claude()
    h2, second = ask_claude()
    assert (h1, h2) == ("miss", "hit")
    assert first.content[0].text == "echo: bonjour"
    assert second.model_dump() == first.model_dump()
    assert len([r for r in mock.requests if r.path.endswith("/messages")]) == 1, [r.path for r in mock.requests]


def test_genai_sdk_exact_hit(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.genai()

    def ask_gemini():
        r = client.models.generate_content(model=GEM, contents="guten tag")
        headers = {k.lower(): v for k, v in ((r.sdk_http_response.headers or {}) if r.sdk_http_response else {}).items()}
        return headers.get("x-tollgate-cache"), r

    h1, first = ask_gemini()
    h2, second = ask_gemini()
    assert first.text == "echo: guten tag"
    assert second.text == first.text
    assert len([r for r in mock.requests if ":generateContent" in r.path]) == 1, [r.path for r in mock.requests]
    assert (h1, h2) == ("miss", "hit")


# --------------------------------------------------------------------------- what makes two requests the same

def test_sampling_fields_miss_key_order_and_user_hit(start_gateway, mock):
    gw = start_gateway(config())
    base = {"model": GPT, "messages": [{"role": "user", "content": "same or not"}], "temperature": 0.3,
            "max_tokens": 20}
    h, first = post(gw, json.dumps(base))
    assert h == "miss" and len(chats(mock)) == 1

    # the same fields in another order, nested keys too, other whitespace: the body is normalised
    reordered = ('{\n  "max_tokens": 20,\n  "temperature": 0.3,\n'
                 '  "messages": [ {"content": "same or not", "role": "user"} ],\n  "model": "gpt-4o-mini"\n}')
    assert json.loads(reordered) == base
    h, again = post(gw, reordered)
    assert h == "hit", "the same request with its keys in another order missed"
    assert again == first and len(chats(mock)) == 1

    # fields that cannot change the answer: still a hit
    h, again = post(gw, dict(base, user="someone-else", metadata={"team": "x"}))
    assert h == "hit", "a request that differs only in `user`/`metadata` missed"
    assert again == first and len(chats(mock)) == 1

    # a sampling field, the output cap, the model, the prompt: each its own entry
    for i, changed in enumerate([dict(base, temperature=0.7), dict(base, max_tokens=21), dict(base, model="gpt-4o"),
                                 dict(base, messages=[{"role": "user", "content": "same or not?"}])], start=2):
        h, _ = post(gw, changed)
        assert h == "miss", f"a request that differs from the cached one hit: {changed}"
        assert len(chats(mock)) == i

    # the SDK's own request with another temperature misses too, and is itself then cached
    client = gw.openai()
    assert ask(client, "same or not", temperature=0.3, max_tokens=20)[0] == "hit"
    assert ask(client, "same or not", temperature=1.2, max_tokens=20)[0] == "miss"
    assert ask(client, "same or not", temperature=1.2, max_tokens=20)[0] == "hit"
    assert len(chats(mock)) == 6


def test_two_virtual_keys_never_share_an_entry(start_gateway, mock):
    gw = start_gateway(config(governance=True))
    a, b = gw.openai(api_key=VK_A), gw.openai(api_key=VK_B)
    ha1, a1 = ask(a, "shared question")
    hb1, b1 = ask(b, "shared question")
    assert (ha1, hb1) == ("miss", "miss"), "a second virtual key was answered from the first key's entry"
    assert len(chats(mock)) == 2
    ha2, a2 = ask(a, "shared question")
    hb2, b2 = ask(b, "shared question")
    assert (ha2, hb2) == ("hit", "hit")
    assert len(chats(mock)) == 2
    # each key got its own stored answer back (the mock's answer ids differ)
    assert a1.id != b1.id
    assert a2.id == a1.id and b2.id == b1.id
    for rec in chats(mock):
        assert rec.auth() == UPSTREAM_KEY


# --------------------------------------------------------------------------- streams

def test_cached_stream_replays_as_a_stream(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai()
    opts = {"stream_options": {"include_usage": True}}
    h1, chunks1, text1 = ask_stream(client, LONG, **opts)
    assert h1 == "miss" and text1 == f"echo: {LONG}"
    h2, chunks2, text2 = ask_stream(client, LONG, **opts)
    assert h2 == "hit"
    assert len(chats(mock)) == 1
    # the same events, parsed by the SDK as any stream
    assert text2 == text1
    assert [c.model_dump() for c in chunks2] == [c.model_dump() for c in chunks1]
    assert [c.choices[0].finish_reason for c in chunks2 if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert chunks2[-1].usage is not None and chunks2[-1].usage.total_tokens > 0
    # whether it streams is part of the entry: the whole answer to the same prompt is its own
    assert ask_stream(client, "which way")[0] == "miss"
    h3, whole = ask(client, "which way")
    assert h3 == "miss", "a whole request was answered from a stream's entry"
    assert whole.choices[0].message.content == "echo: which way"
    assert len(chats(mock)) == 3
    assert ask(client, "which way")[0] == "hit"
    h4, _, text4 = ask_stream(client, "which way")
    assert h4 == "hit" and text4 == "echo: which way"
    assert len(chats(mock)) == 3


def test_broken_stream_is_not_stored(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai()
    mock.script("*/chat/completions", close_after_events=2)
    try:
        ask_stream(client, "cut short")
    except Exception:  # noqa: BLE001 - an error event (openai.APIError) or a broken connection
        pass
    assert len(chats(mock)) == 1
    h, _, text = ask_stream(client, "cut short")
    assert h == "miss", "a stream the upstream cut was stored and replayed"
    assert text == "echo: cut short"
    assert len(chats(mock)) == 2
    assert ask_stream(client, "cut short")[0] == "hit"
    assert len(chats(mock)) == 2


# --------------------------------------------------------------------------- cache-control

def test_no_cache_skips_the_lookup_and_no_store_skips_storing(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai()
    assert ask(client, "alpha")[0] == "miss"
    assert ask(client, "alpha")[0] == "hit"
    assert len(chats(mock)) == 1

    # no-cache: no lookup, so the upstream is reached again (and its answer stored anew)
    h, fresh = ask(client, "alpha", extra_headers={"cache-control": "no-cache"})
    assert h == "miss" and fresh.choices[0].message.content == "echo: alpha"
    assert len(chats(mock)) == 2
    h, again = ask(client, "alpha")
    assert h == "hit" and len(chats(mock)) == 2

    # no-cache stores: a first request with no-cache is answered from the cache afterwards
    assert ask(client, "beta", extra_headers={"cache-control": "no-cache"})[0] == "miss"
    assert ask(client, "beta")[0] == "hit"
    assert len(chats(mock)) == 3

    # no-store: the lookup still happens (a hit), but a new answer is not stored
    assert ask(client, "alpha", extra_headers={"cache-control": "no-store"})[0] == "hit"
    assert len(chats(mock)) == 3
    assert ask(client, "gamma", extra_headers={"cache-control": "no-store"})[0] == "miss"
    assert len(chats(mock)) == 4
    h, _ = ask(client, "gamma")
    assert h == "miss", "an answer to a `cache-control: no-store` request was stored"
    assert len(chats(mock)) == 5
    assert ask(client, "gamma")[0] == "hit"          # the plain request's answer was stored
    assert len(chats(mock)) == 5

    # both together: no lookup and no storing
    assert ask(client, "alpha", extra_headers={"cache-control": "no-cache, no-store"})[0] == "miss"
    assert len(chats(mock)) == 6
    assert ask(client, "delta", extra_headers={"cache-control": "no-cache, no-store"})[0] == "miss"
    assert ask(client, "delta")[0] == "miss"
    assert len(chats(mock)) == 8


# --------------------------------------------------------------------------- what is never cached

def test_tools_are_cached_only_with_include_tools(start_gateway, mock):
    tools_route = f"""  - id: tools
    uri: /tools/v1/*
    plugins:
      - cache: {{mode: exact, ttl_seconds: 60, include_tools: true}}
      - ai-proxy: {{}}
"""
    gw = start_gateway(config(extra_routes=tools_route))
    default = gw.openai()
    h1, r1 = ask(default, "find cats", tools=TOOLS)
    h2, r2 = ask(default, "find cats", tools=TOOLS)
    assert r1.choices[0].message.tool_calls and r2.choices[0].message.tool_calls
    assert (h1, h2) == ("miss", "miss"), "a request with tools was cached without include_tools"
    assert len(chats(mock)) == 2
    assert r2.choices[0].message.tool_calls[0].id != r1.choices[0].message.tool_calls[0].id

    with_tools = gw.openai(prefix="/tools/v1")
    h3, r3 = ask(with_tools, "find cats", tools=TOOLS)
    h4, r4 = ask(with_tools, "find cats", tools=TOOLS)
    assert (h3, h4) == ("miss", "hit")
    assert len(chats(mock)) == 3
    assert r4.model_dump() == r3.model_dump()
    # `tools` is part of the entry: the same prompt without tools is another request
    h5, r5 = ask(with_tools, "find cats")
    assert h5 == "miss" and r5.choices[0].message.content == "echo: find cats"
    assert len(chats(mock)) == 4


def test_embeddings_pass_through(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai()
    for _ in range(2):
        raw = client.embeddings.with_raw_response.create(model="text-embedding-3-small", input="embed me",
                                                         encoding_format="float")
        assert raw.headers.get("x-tollgate-cache") != "hit"
        assert len(raw.parse().data[0].embedding) == 8
    assert len(embeds(mock)) == 2, "an embeddings request was answered from the cache"


def test_non_200_answer_is_not_stored(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai()
    mock.script("*/chat/completions", status=500, message="upstream broke")
    with pytest.raises(openai.InternalServerError):
        ask(client, "fragile")
    h, r = ask(client, "fragile")
    assert h == "miss", "an error answer was stored"
    assert r.choices[0].message.content == "echo: fragile"
    assert ask(client, "fragile")[0] == "hit"
    assert len(chats(mock)) == 2


def test_answer_over_max_entry_bytes_is_not_stored(start_gateway, mock):
    small = f"""  - id: small
    uri: /small/v1/*
    plugins:
      - cache: {{mode: exact, ttl_seconds: 60, max_entry_bytes: 64}}
      - ai-proxy: {{}}
"""
    gw = start_gateway(config(extra_routes=small))
    client = gw.openai(prefix="/small/v1")
    h1, r1 = ask(client, "too big to keep")
    assert len(r1.model_dump_json()) > 64
    h2, r2 = ask(client, "too big to keep")
    assert (h1, h2) == ("miss", "miss"), "an answer over max_entry_bytes was stored"
    assert len(chats(mock)) == 2
    assert r2.id != r1.id


# --------------------------------------------------------------------------- TTL

def test_entry_expires_after_ttl(start_gateway, mock):
    gw = start_gateway(config("{mode: exact, ttl_seconds: 2}"))
    client = gw.openai()
    assert ask(client, "short lived")[0] == "miss"
    assert ask(client, "short lived")[0] == "hit"
    assert len(chats(mock)) == 1
    time.sleep(3.2)
    h, r = ask(client, "short lived")
    assert h == "miss", "an entry was answered after its ttl_seconds"
    assert r.choices[0].message.content == "echo: short lived"
    assert len(chats(mock)) == 2
    assert ask(client, "short lived")[0] == "hit"  # the fresh answer is stored again
    assert len(chats(mock)) == 2


# --------------------------------------------------------------------------- a hit charges nothing

def test_hit_charges_no_tokens_and_is_logged_and_counted_as_a_hit(start_gateway, mock):
    # 100 tokens a minute. A LONG request uses 12 + 13 = 25 tokens (the mock: a token a word) and
    # reserves ~30 (body bytes / 4) at admission. Were hits charged what the answer says, the
    # fourth request in a row would not fit (3 x 25 + 30 > 100): six hits in a row must pass.
    keys = f"  - {{key: vk-cache-tpm-0003, name: tpm, rate_limit: {{tokens_per_minute: 100}}, budget: {{max_usd: 1, period: 1d}}}}\n"
    gw = start_gateway(config(governance=True, telemetry=True, keys=keys), args=["--log-format", "json"])
    client = gw.openai(api_key="vk-cache-tpm-0003")
    raw = client.chat.completions.with_raw_response.create(model=GPT, messages=msgs(LONG))
    assert raw.headers.get("x-tollgate-cache") == "miss"
    miss_id = raw.headers.get("x-request-id")
    first = raw.parse()
    assert first.usage.total_tokens == 25
    hit_ids = []
    for i in range(6):
        try:
            raw = client.chat.completions.with_raw_response.create(model=GPT, messages=msgs(LONG))
        except openai.RateLimitError as e:
            pytest.fail(f"hit {i + 1} was refused by the token limit, so earlier hits were charged: {e}")
        assert raw.headers.get("x-tollgate-cache") == "hit"
        assert raw.parse().choices[0].message.content == first.choices[0].message.content
        hit_ids.append(raw.headers.get("x-request-id"))
    assert len(chats(mock)) == 1
    # a skipped lookup, for the metric
    client.chat.completions.create(model=GPT, messages=msgs("skip me"), extra_headers={"cache-control": "no-cache"})

    rows = gw.admin("GET", "/admin/logs?vk=tpm").json()["data"]
    assert len(rows) == 8, rows
    by_id = {r["request_id"]: r for r in rows}
    miss = by_id[miss_id]
    assert miss.get("cache") == "miss", miss
    assert miss["input_tokens"] == 12 and miss["output_tokens"] == 13 and miss["cost_usd"] > 0, miss
    for rid in hit_ids:
        row = by_id[rid]
        assert row["status"] == 200 and row["virtual_key"] == "tpm", row
        assert row.get("cache") == "hit", f"a hit's request-log row is not marked as one: {row}"
        assert row["input_tokens"] == 0 and row["output_tokens"] == 0, f"a hit was charged tokens: {row}"
        assert row["cost_usd"] == 0, f"a hit was charged: {row}"

    text = gw.admin("GET", "/metrics").body.decode()
    assert metric(text, "tollgate_cache_lookups_total", route="chat", mode="exact", result="hit") == 6, \
        [l for l in text.splitlines() if "cache" in l]
    assert metric(text, "tollgate_cache_lookups_total", route="chat", mode="exact", result="miss") == 1
    assert metric(text, "tollgate_cache_lookups_total", route="chat", mode="exact", result="skip") == 1
    # tokens and cost counted for the two upstream answers only (12 + 13 and 2 + 3 tokens)
    assert metric(text, "tollgate_tokens_total", virtual_key="tpm", type="input") == 12 + 2
    assert metric(text, "tollgate_tokens_total", virtual_key="tpm", type="output") == 13 + 3
    assert metric(text, "tollgate_cost_usd_total", virtual_key="tpm") == pytest.approx((25 + 5) * 1000 / 1e6)

    # the access log: a hit made no upstream call, so it has no upstream time
    def access_lines():
        found = {}
        for line in gw.logs().splitlines():
            if '"msg":"request"' in line:
                rec = json.loads(line)
                found[rec.get("request_id")] = rec
        return found if {miss_id, *hit_ids} <= found.keys() else None
    lines = wait_until(access_lines, 5)
    assert lines, f"no access-log line for every request:\n{gw.logs()[-3000:]}"
    assert "upstream_ms" in lines[miss_id], lines[miss_id]
    for rid in hit_ids:
        assert not lines[rid].get("upstream_ms"), f"a hit has an upstream time: {lines[rid]}"


# --------------------------------------------------------------------------- semantic

CAPITAL = "What is the capital of France?"
PARAPHRASE = "what's the capital of France"
RELATED = "What is the capital of Spain?"
UNRELATED = "Write a haiku about autumn leaves"


def test_semantic_without_embeddings_goes_upstream_uncached(start_gateway, mock):
    # The embedding model fails: the request is answered from the upstream, marked a miss, and
    # nothing is stored (no embedding to find it by), so the same question goes upstream again.
    gw = start_gateway(config(SEMANTIC))
    client = gw.openai()
    mock.script("*/embeddings", status=500, message="embedder down", times=2)
    for _ in range(2):
        h, r = ask(client, CAPITAL)
        assert h == "miss" and r.choices[0].message.content == f"echo: {CAPITAL}"
    assert len(chats(mock)) == 2
    # Embeddings back: the question is stored and then answered from the cache.
    assert ask(client, CAPITAL)[0] == "miss"
    assert ask(client, PARAPHRASE)[0] == "hit"
    assert len(chats(mock)) == 3


def test_semantic_paraphrase_hits_and_unrelated_prompt_misses(start_gateway, mock):
    # The mock's `text-embedding-bow` is a bag of words without stop words, so the paraphrase has
    # the same bag ({capital, france}), a question about Spain shares one word of two, a haiku none.
    # The threshold sits between them with a wide margin either side.
    emb = {t: bow_embedding(t) for t in (CAPITAL, PARAPHRASE, RELATED, UNRELATED)}
    close, related, far = (cosine(emb[CAPITAL], emb[t]) for t in (PARAPHRASE, RELATED, UNRELATED))
    assert close >= THRESHOLD + 0.05, close
    assert related <= THRESHOLD - 0.3, related
    assert far <= THRESHOLD - 0.5, far

    gw = start_gateway(config(SEMANTIC))
    client = gw.openai()
    h1, first = ask(client, CAPITAL)
    assert h1 == "miss" and first.choices[0].message.content == f"echo: {CAPITAL}"
    h2, para = ask(client, PARAPHRASE)
    assert h2 == "hit", f"a paraphrase (cosine {close:.3f} >= threshold {THRESHOLD}) missed"
    assert para.choices[0].message.content == f"echo: {CAPITAL}"   # the stored answer
    assert len(chats(mock)) == 1
    h3, spain = ask(client, RELATED)
    assert h3 == "miss", f"a related prompt (cosine {related:.3f}) hit"
    assert spain.choices[0].message.content == f"echo: {RELATED}"
    h4, haiku = ask(client, UNRELATED)
    assert h4 == "miss", f"an unrelated prompt (cosine {far:.3f}) hit"
    assert haiku.choices[0].message.content == f"echo: {UNRELATED}"
    assert len(chats(mock)) == 3
    # the other fields must match exactly: the paraphrase with another temperature misses
    h5, _ = ask(client, PARAPHRASE, temperature=0.5)
    assert h5 == "miss"
    assert len(chats(mock)) == 4

    # the gateway asked its own openai provider for the embeddings: the model without its
    # prefix, the provider's key, the prompt's text; once per lookup
    calls = embeds(mock)
    assert calls, "the semantic cache never called the embeddings endpoint"
    for rec in calls:
        assert rec.body["model"] == BOW_MODEL, rec.body
        assert rec.auth() == UPSTREAM_KEY
    asked = json.dumps([rec.body["input"] for rec in calls])
    for t in (CAPITAL, PARAPHRASE, RELATED, UNRELATED):
        assert json.dumps(t)[1:-1] in asked, f"{t!r} was never embedded: {asked}"
    assert len(calls) == 5, f"want one embeddings call per lookup (5), got {len(calls)}"


def test_semantic_stream_paraphrase_replays_the_stored_stream(start_gateway, mock):
    gw = start_gateway(config(SEMANTIC))
    client = gw.openai()
    h1, chunks1, text1 = ask_stream(client, CAPITAL)
    h2, chunks2, text2 = ask_stream(client, PARAPHRASE)
    assert (h1, h2) == ("miss", "hit")
    assert text2 == text1 == f"echo: {CAPITAL}"
    assert len(chats(mock)) == 1


# --------------------------------------------------------------------------- the SQLite store

def test_entries_survive_a_restart_with_the_sqlite_store(start_gateway, mock, tmp_path):
    template = config(store=f"sqlite:{tmp_path / 'cache.db'}")
    gw = start_gateway(template)
    client = gw.openai()
    h, first = ask(client, "remember me")
    assert h == "miss"
    hs, _, stext = ask_stream(client, "remember the stream")
    assert hs == "miss"
    assert len(chats(mock)) == 2
    gw.stop()
    assert gw.proc.returncode == 0, gw.logs()

    gw2 = start_gateway(template)
    client2 = gw2.openai()
    h, again = ask(client2, "remember me")
    assert h == "hit", "an entry stored before a clean restart was lost"
    assert again.model_dump() == first.model_dump()
    hs, _, stext2 = ask_stream(client2, "remember the stream")
    assert hs == "hit" and stext2 == stext
    assert len(chats(mock)) == 2
    assert ask(client2, "new after restart")[0] == "miss"
    assert len(chats(mock)) == 3


# --------------------------------------------------------------------------- tollgate check

CHECK_BASE = """\
store: memory
providers:
  openai: {endpoint: "http://127.0.0.1:9/v1", api_key: sk-x}
routes:
  - id: chat
    uri: /v1/*
    plugins:
      - cache:
          mode: semantic
          threshold: 0.9
          embedding_model: openai/text-embedding-3-small
          ttl_seconds: 60
      - ai-proxy: {}
"""


def _check(tmp_path, text: str, name: str):
    p = tmp_path / name
    p.write_text(text)
    r = run_tollgate("check", "--config", p)
    out = r.stdout + r.stderr
    rx = re.compile(rf"(?:^|[\s/]){re.escape(p.name)}:(\d+):(\d+):\s*(.+)$", re.M)
    return r.returncode, [(int(a), int(b), c) for a, b, c in rx.findall(out)], out


def _line(text: str, needle: str) -> int:
    return next(i for i, l in enumerate(text.splitlines(), 1) if needle in l)


def test_check_accepts_a_valid_cache(tmp_path):
    rc, _, out = _check(tmp_path, CHECK_BASE, "ok.yaml")
    assert rc == 0, out
    exact = re.sub(r"      - cache:\n(          .*\n)+", "      - cache: {mode: exact, ttl_seconds: 60}\n", CHECK_BASE)
    assert "semantic" not in exact and "{mode: exact" in exact
    rc, _, out = _check(tmp_path, exact, "exact.yaml")
    assert rc == 0, out


def test_check_rejects_threshold_out_of_range(tmp_path):
    text = CHECK_BASE.replace("threshold: 0.9", "threshold: 1.5")
    rc, errs, out = _check(tmp_path, text, "threshold.yaml")
    assert rc == 1, out
    line = _line(text, "threshold: 1.5")
    # at the key (column 11) or at its value (column 22)
    at = [(l, c) for l, c, m in errs if "threshold" in m]
    assert (line, 11) in at or (line, 22) in at, f"want {line}:11 or {line}:22 in {errs}\n{out}"


def test_check_rejects_semantic_without_embedding_model(tmp_path):
    text = CHECK_BASE.replace("          embedding_model: openai/text-embedding-3-small\n", "")
    rc, errs, out = _check(tmp_path, text, "noembed.yaml")
    assert rc == 1, out
    first, last = _line(text, "- cache:"), _line(text, "ttl_seconds: 60")
    at = [(l, c, m) for l, c, m in errs if "embedding_model" in m]
    assert at, f"no FILE:LINE:COL error naming embedding_model:\n{out}"
    assert all(first <= l <= last for l, _, _ in at), f"want a line of the cache entry ({first}-{last}): {at}"

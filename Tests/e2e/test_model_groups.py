"""Model groups, load balancing and health (spec section 12, docs/routing.md), end to end with
the real SDKs.

Targets are told apart at the mock by a path prefix: provider `pa` is an OpenAI-compatible
server at `{{MOCK}}/a/v1`, `pb` at `{{MOCK}}/b/v1`, and so on (the mock routes on the path's
ending, so `/a/v1/chat/completions` is its OpenAI chat API, and `rec.path` says which target was
called). Each client request carries its own text, which the mock records, so a client answer is
matched to the upstream call(s) made for it.

Time windows (cooldowns, retry-after) are measured against the mock's own arrival times
(`rec.at`, `time.monotonic()` in this process); assertions are about where requests went, never
about how fast anything was.
"""
from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

from conftest import UPSTREAM_KEY, metric, header, run_tollgate, wait_until

M = "{{MOCK}}"
DEAD = "{{DEAD}}"

# provider -> (path prefix at the mock, the model its group target asks for)
TARGET_OF = {"a": ("pa", "model-a"), "b": ("pb", "model-b"), "c": ("pc", "model-c"), "d": ("pd", "model-d")}


# --------------------------------------------------------------------------- config

def compat(name: str, base: str, key: str = UPSTREAM_KEY) -> str:
    return f'  {name}: {{type: openai-compatible, endpoint: "{base}", api_key: {key}}}\n'


PROVIDERS = (compat("pa", f"{M}/a/v1") + compat("pb", f"{M}/b/v1") + compat("pc", f"{M}/c/v1")
             + compat("pd", f"{M}/d/v1")
             + f'  anthropic: {{endpoint: "{M}", api_key: {UPSTREAM_KEY}}}\n')

ROUTES = """routes:
  - id: v1
    uri: /v1/*
    plugins:
      - ai-proxy: {}
  - id: anthropic
    uri: /anthropic/*
    plugins:
      - ai-proxy: {}
  - id: genai
    uri: /genai/*
    plugins:
      - ai-proxy: {}
"""


def config(groups: str, health: str = "", providers: str = PROVIDERS, routes: str = ROUTES, extra: str = "") -> str:
    """`groups`: the body of `model_groups:` (lines indented by two); `health`: the body of
    `health:` (lines indented by two), or "" for no health block."""
    text = header(drain_seconds=2) + "providers:\n" + providers + "model_groups:\n" + groups
    if health:
        text += "health:\n" + health
    return text + extra + routes


def health(failures: int = 3, cooldown: float = 30, retries: int = 0) -> str:
    return (f"  failures_to_cooldown: {failures}\n"
            f"  cooldown_seconds: {cooldown}\n"
            f"  retries: {retries}\n")


def group(name: str, *targets: tuple[str, int], strategy: str = "", fallbacks: str = "") -> str:
    """A group of `pX/model-X` targets by prefix letter and weight: group("smart", ("a", 3), ("b", 1))."""
    out = f"  {name}:\n"
    if strategy:
        out += f"    strategy: {strategy}\n"
    out += "    targets:\n"
    for letter, weight in targets:
        prov, model = TARGET_OF[letter]
        out += f"      - {{model: {prov}/{model}, weight: {weight}}}\n"
    if fallbacks:
        out += f"    fallbacks: [{fallbacks}]\n"
    return out


# --------------------------------------------------------------------------- helpers

def where(rec) -> str:
    """Which target a mock request reached: the path's first segment for the `pX` providers
    (`/a/v1/chat/completions` -> "a"), "anthropic" for the Anthropic API at the mock's root."""
    first = rec.path.split("/")[1]
    if first in TARGET_OF:
        return first
    if rec.path == "/v1/messages":
        return "anthropic"
    return rec.path


def user_text(rec) -> str:
    """The last user text of a recorded chat / messages request."""
    body = rec.body if isinstance(rec.body, dict) else {}
    for msg in reversed(body.get("messages") or []):
        if msg.get("role") == "user":
            c = msg.get("content")
            if isinstance(c, str):
                return c
            if isinstance(c, list):
                return " ".join(p.get("text", "") for p in c if isinstance(p, dict))
    return ""


def calls_for(mock, text: str) -> list:
    """The mock requests made for one client request (matched on its unique text), in order."""
    return [r for r in list(mock.requests) if user_text(r) == text]


class Ask:
    """One chat request through the OpenAI SDK; never raises. `.ok`, `.provider`, `.model`,
    `.content`, `.status` (the error's status, if any), `.error`."""

    def __init__(self, client, text: str, model: str = "smart", stream: bool = False):
        self.text, self.ok, self.provider, self.model, self.content = text, False, None, None, None
        self.status, self.error = None, None
        msgs = [{"role": "user", "content": text}]
        try:
            if stream:
                with client.chat.completions.with_streaming_response.create(
                        model=model, messages=msgs, stream=True) as raw:
                    self.provider = raw.headers.get("x-tollgate-provider")
                    self.model = raw.headers.get("x-tollgate-model")
                    chunks = list(raw.parse())
                self.content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
                finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
                self.ok = self.content == f"echo: {text}" and finishes == ["stop"]
            else:
                raw = client.chat.completions.with_raw_response.create(model=model, messages=msgs)
                self.provider = raw.headers.get("x-tollgate-provider")
                self.model = raw.headers.get("x-tollgate-model")
                self.content = raw.parse().choices[0].message.content
                self.ok = self.content == f"echo: {text}"
        except openai.APIStatusError as e:
            self.status, self.error = e.status_code, e
        except openai.APIError as e:  # connection errors, broken streams
            self.error = e

    def __repr__(self):
        return (f"Ask({self.text!r}: ok={self.ok} provider={self.provider} model={self.model} "
                f"status={self.status} error={self.error!r})")


_seq = iter(range(1, 10**9))
_seq_lock = threading.Lock()


def uniq(prefix: str = "q") -> str:
    with _seq_lock:
        return f"{prefix}{next(_seq)}"


def ask_until(client, mock, letter: str, limit: int = 60, model: str = "smart") -> list[Ask]:
    """Send requests one by one until the mock has recorded a call at target `letter` for one
    of them (at most `limit` requests); returns every Ask made."""
    asks = []
    for _ in range(limit):
        a = Ask(client, uniq(), model=model)
        asks.append(a)
        if any(where(r) == letter for r in calls_for(mock, a.text)):
            return asks
    raise AssertionError(f"no request reached target {letter!r} in {limit} tries: {asks[-3:]}")


def arrivals(mock, letter: str) -> list[float]:
    return [r.at for r in list(mock.requests) if where(r) == letter]


def sleep_until(t: float):
    left = t - time.monotonic()
    if left > 0:
        time.sleep(left)


def metrics(gw) -> str:
    r = gw.admin("GET", "/metrics")
    assert r.status == 200, r.body[:300]
    return r.body.decode()


# --------------------------------------------------------------------------- 1. weighted split

def test_weighted_group_splits_by_weight_and_names_the_target(start_gateway, mock):
    gw = start_gateway(config(group("smart", ("a", 3), ("b", 1))))
    client = gw.openai()
    n = 400
    with ThreadPoolExecutor(16) as ex:
        asks = list(ex.map(lambda i: Ask(client, f"w{i}"), range(n)))
    bad = [a for a in asks if not a.ok]
    assert not bad, f"{len(bad)} of {n} failed, e.g. {bad[:3]}"
    for a in asks:
        calls = calls_for(mock, a.text)
        assert len(calls) == 1, (a, [c.path for c in calls])
        rec = calls[0]
        # the headers name the target that answered, never the group
        assert (a.provider, a.model) == TARGET_OF[where(rec)], (a, rec.path)
        assert rec.body["model"] == a.model and rec.path.endswith("/v1/chat/completions"), (a, rec.path, rec.body)
    count_a = sum(a.provider == "pa" for a in asks)
    # binomial(400, 3/4): mean 300, sd ~8.66; +-5 sd
    assert 257 <= count_a <= 343, f"weights 3:1 split 400 requests {count_a}:{n - count_a}"
    assert count_a + sum(a.provider == "pb" for a in asks) == n


# --------------------------------------------------------------------------- 2. failures -> cooldown

@pytest.mark.parametrize("failure", ["status500", "close"])
def test_failing_target_is_skipped_during_its_cooldown(start_gateway, mock, failure):
    gw = start_gateway(config(group("smart", ("a", 9), ("b", 1)), health(failures=3, cooldown=2, retries=0)))
    client = gw.openai()
    script = {"status": 500, "message": "boom"} if failure == "status500" else {"close": True}
    # (a request dropped on a reused kept-alive connection is sent once more on a fresh one,
    # test_upstream_keepalive.py: that is still one call, so failures are counted per request)
    mock.script("/a/*", times=None, **script)
    for _ in range(3):
        asks = ask_until(client, mock, "a")
        assert not asks[-1].ok, f"the scripted failure reached the client as a success: {asks[-1]}"
    mock.clear_scripts()  # pa is healthy again, but cooling down
    t3 = arrivals(mock, "a")[-1]  # the third consecutive failure: cooldown for 2 s from about here

    # During the cooldown every request goes to pb, and succeeds.
    n_before = len(mock.requests)
    during = []
    while time.monotonic() < t3 + 1.5:
        during.append(Ask(client, uniq("cool")))
        time.sleep(0.05)
    assert all(a.ok and a.provider == "pb" for a in during), [a for a in during if not (a.ok and a.provider == "pb")][:3]
    assert len(during) >= 5, f"only {len(during)} requests made in the cooldown window"
    reached = [r.path for r in list(mock.requests)[n_before:] if where(r) == "a"]
    assert not reached, f"pa was called during its cooldown: {reached}"

    # After the cooldown pa is used again (weight 9 of 10), and answers.
    sleep_until(t3 + 2.6)
    after = ask_until(client, mock, "a", limit=20)
    assert after[-1].ok and after[-1].provider == "pa", after[-1]


def test_one_failure_after_a_cooldown_starts_the_next_cooldown(start_gateway, mock):
    """Half-open: after its cooldown a target gets one more chance; one failure then puts it
    back into cooldown at once, without three more failures."""
    gw = start_gateway(config(group("smart", ("a", 9), ("b", 1)), health(failures=3, cooldown=1.5, retries=0)))
    client = gw.openai()
    mock.script("/a/*", status=500, times=3)
    for _ in range(3):
        ask_until(client, mock, "a")
    t3 = arrivals(mock, "a")[-1]
    sleep_until(t3 + 2.0)
    mock.script("/a/*", status=500, times=1)
    probe = ask_until(client, mock, "a", limit=20)
    assert probe[-1].status == 500, probe[-1]
    t4 = arrivals(mock, "a")[-1]
    n_before = len(mock.requests)
    during = []
    while time.monotonic() < t4 + 1.1:
        during.append(Ask(client, uniq("again")))
        time.sleep(0.05)
    assert len(during) >= 5, f"only {len(during)} requests made in the window"
    reached = [r.path for r in list(mock.requests)[n_before:] if where(r) == "a"]
    assert not reached, f"one failure after the cooldown did not start a new one: pa called {len(reached)} times"
    assert all(a.ok and a.provider == "pb" for a in during), during[:3]


# --------------------------------------------------------------------------- 3. 429 retry-after

def test_429_retry_after_longer_than_cooldown_keeps_the_target_out(start_gateway, mock):
    gw = start_gateway(config(group("smart", ("a", 9), ("b", 1)), health(failures=3, cooldown=1, retries=0)))
    client = gw.openai()
    mock.script("/a/*", status=429, message="slow down", headers={"retry-after": "4"})
    first = ask_until(client, mock, "a")
    assert first[-1].status == 429, first[-1]
    t0 = arrivals(mock, "a")[-1]

    # A single 429 cools pa at once, for its retry-after (4 s), not cooldown_seconds (1 s).
    n_before = len(mock.requests)
    late = []  # made after cooldown_seconds would have ended
    while time.monotonic() < t0 + 3.3:
        a = Ask(client, uniq("ra"))
        if time.monotonic() > t0 + 1.3:
            late.append(a)
        time.sleep(0.05)
    reached = [round(r.at - t0, 2) for r in list(mock.requests)[n_before:] if where(r) == "a"]
    assert not reached, f"pa called at +{reached} s after a 429 with retry-after: 4 (cooldown_seconds: 1)"
    assert len(late) >= 5, f"only {len(late)} requests made between +1.3 s and +3.3 s"
    assert all(a.ok and a.provider == "pb" for a in late), late[:3]

    sleep_until(t0 + 4.5)
    after = ask_until(client, mock, "a", limit=20)
    assert after[-1].ok and after[-1].provider == "pa", after[-1]


# --------------------------------------------------------------------------- 4. retries

@pytest.mark.parametrize("failure", ["status500", "close", "dead"])
def test_retry_hides_a_failing_target_from_the_client(start_gateway, mock, failure):
    a_base = f"{DEAD}/a/v1" if failure == "dead" else f"{M}/a/v1"
    providers = compat("pa", a_base) + compat("pb", f"{M}/b/v1")
    # failures_to_cooldown high: pa stays in rotation, so every request that picks it is retried
    gw = start_gateway(config(group("smart", ("a", 1), ("b", 1)), health(failures=1000, retries=1),
                              providers=providers))
    if failure == "status500":
        mock.script("/a/*", status=500, message="boom", times=None)
    elif failure == "close":
        mock.script("/a/*", close=True, times=None)
    client = gw.openai()
    whole = [Ask(client, uniq("r")) for _ in range(20)]
    streams = [Ask(client, uniq("s"), stream=True) for _ in range(12)]
    for a in whole + streams:
        assert a.ok, a
        assert (a.provider, a.model) == ("pb", "model-b"), a
    if failure != "dead":
        tried_a = [a for a in whole + streams if any(where(r) == "a" for r in calls_for(mock, a.text))]
        assert tried_a, "no request picked pa: nothing was retried"
        assert any(a in streams for a in tried_a), "no stream picked pa: no stream was retried"
        for a in tried_a:
            calls = calls_for(mock, a.text)
            order = [where(r) for r in calls]
            # one call to pa, then one to pb; with close, the call to pa may be a request dropped on
            # a reused kept-alive connection and sent once more on a fresh one (test_upstream_keepalive.py)
            assert order in (["a", "b"], ["a", "a", "b"] if failure == "close" else ["a", "b"]), (a, order)
            if len(order) == 3:
                assert calls[0].conn_id != calls[1].conn_id, (a, [r.conn_id for r in calls])


def test_without_retries_the_failure_reaches_the_client(start_gateway, mock):
    """retries defaults to 0: the failing target's answer is the client's (so the retry tests
    above can fail)."""
    gw = start_gateway(config(group("smart", ("a", 1)), health(failures=1000)))
    mock.script("/a/*", status=503, message="down")
    a = Ask(gw.openai(), uniq())
    assert a.status == 503, a
    assert len(calls_for(mock, a.text)) == 1


# --------------------------------------------------------------------------- 5. all cooling down

@pytest.mark.parametrize("first_back", ["a", "b"])
def test_all_targets_cooling_down_still_answers_from_the_one_back_first(start_gateway, mock, first_back):
    gw = start_gateway(config(group("smart", ("a", 1), ("b", 1)), health(failures=3, cooldown=1, retries=0)))
    client = gw.openai()
    ra = {"a": "20", "b": "40"} if first_back == "a" else {"a": "40", "b": "20"}
    mock.script("/a/*", status=429, message="slow a", headers={"retry-after": ra["a"]})
    mock.script("/b/*", status=429, message="slow b", headers={"retry-after": ra["b"]})
    first = [Ask(client, uniq("x")) for _ in range(2)]
    # the first 429 cools one target, so the second request goes to the other: both cooling now
    assert [a.status for a in first] == [429, 429], first
    assert sorted(where(r) for r in mock.requests) == ["a", "b"], [r.path for r in mock.requests]

    n_before = len(mock.requests)
    asks = [Ask(client, uniq("y")) for _ in range(4)]
    want = TARGET_OF[first_back]
    assert all(a.ok for a in asks), f"every target cooling down: no answer {asks}"
    assert [(a.provider, a.model) for a in asks] == [want] * 4, asks
    assert {where(r) for r in list(mock.requests)[n_before:]} == {first_back}


# --------------------------------------------------------------------------- 6. fallbacks

FALLBACK_ROUTES = """routes:
  - id: v1
    uri: /v1/*
    plugins:
      - ai-proxy:
          fallbacks: [pd/model-d]
"""


def test_group_fallbacks_come_after_the_targets_then_the_routes_fallbacks(start_gateway, mock):
    gw = start_gateway(config(group("smart", ("a", 1), ("b", 1), fallbacks="pc/model-c, anthropic/claude-fb"),
                              health(failures=1000, retries=1), routes=FALLBACK_ROUTES))
    client = gw.openai()
    mock.script("/a/*", status=503, message="a down", times=None)
    mock.script("/b/*", status=500, message="b down", times=None)

    a = Ask(client, uniq("f"))
    assert a.ok and (a.provider, a.model) == ("pc", "model-c"), a
    calls = [where(r) for r in calls_for(mock, a.text)]
    assert sorted(calls[:2]) == ["a", "b"] and calls[2:] == ["c"], calls

    mock.script("/c/*", status=500, message="c down", times=None)
    b = Ask(client, uniq("f"))
    assert b.ok and (b.provider, b.model) == ("anthropic", "claude-fb"), b
    calls = calls_for(mock, b.text)
    assert [where(r) for r in calls][-2:] == ["c", "anthropic"], [r.path for r in calls]
    assert calls[-1].body["model"] == "claude-fb"

    mock.script("/v1/messages", status=529, message="overloaded", times=None)
    c = Ask(client, uniq("f"))
    assert c.ok and (c.provider, c.model) == ("pd", "model-d"), c
    assert [where(r) for r in calls_for(mock, c.text)][-3:] == ["c", "anthropic", "d"]

    # A client error (400) is not a reason to fall back: it reaches the client as it is.
    mock.clear_scripts()
    mock.script("/a/*", status=400, message="bad request a", times=None)
    mock.script("/b/*", status=400, message="bad request b", times=None)
    d = Ask(client, uniq("f"))
    assert d.status == 400, d
    assert len(calls_for(mock, d.text)) == 1, [r.path for r in calls_for(mock, d.text)]


# --------------------------------------------------------------------------- translation: other SDKs

def test_anthropic_and_genai_clients_ask_for_a_group(start_gateway, mock):
    groups = group("smart-a", ("a", 1)) + "  smart-c:\n    targets: [anthropic/claude-t]\n"
    gw = start_gateway(config(groups))

    an = gw.anthropic()
    raw = an.messages.with_raw_response.create(model="smart-a", max_tokens=64,
                                               messages=[{"role": "user", "content": "from claude sdk"}])
    r = raw.parse()
    assert "".join(b.text for b in r.content if b.type == "text") == "echo: from claude sdk"
    assert raw.headers.get("x-tollgate-provider") == "pa" and raw.headers.get("x-tollgate-model") == "model-a"
    rec = mock.last
    assert rec.path == "/a/v1/chat/completions" and rec.body["model"] == "model-a", (rec.path, rec.body)
    with an.messages.stream(model="smart-a", max_tokens=64,
                            messages=[{"role": "user", "content": "claude streams"}]) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    assert text == "echo: claude streams" and final.stop_reason == "end_turn"
    assert mock.last.path == "/a/v1/chat/completions" and mock.last.body["model"] == "model-a"

    g = gw.genai()
    resp = g.models.generate_content(model="smart-a", contents="from gemini sdk")
    assert resp.text == "echo: from gemini sdk"
    assert mock.last.path == "/a/v1/chat/completions" and mock.last.body["model"] == "model-a"
    hdrs = {k.lower(): v for k, v in ((resp.sdk_http_response.headers or {}) if resp.sdk_http_response else {}).items()}
    assert hdrs.get("x-tollgate-provider") == "pa" and hdrs.get("x-tollgate-model") == "model-a", hdrs
    parts = [c.text or "" for c in g.models.generate_content_stream(model="smart-c", contents="gem to claude")]
    assert "".join(parts) == "echo: gem to claude"
    assert mock.last.path == "/v1/messages" and mock.last.body["model"] == "claude-t"

    # and the OpenAI SDK to a group whose target speaks Anthropic
    o = Ask(gw.openai(), "openai to claude", model="smart-c")
    assert o.ok and (o.provider, o.model) == ("anthropic", "claude-t"), o
    assert mock.last.path == "/v1/messages" and mock.last.body["model"] == "claude-t"


def test_anthropic_stream_hides_a_failing_target(start_gateway, mock):
    gw = start_gateway(config(group("smart", ("a", 1), ("b", 1)), health(failures=1000, retries=1)))
    mock.script("/a/*", status=502, message="bad gateway", times=None)
    an = gw.anthropic()
    for i in range(8):
        with an.messages.stream(model="smart", max_tokens=64,
                                messages=[{"role": "user", "content": f"claude retry {i}"}]) as s:
            text = "".join(s.text_stream)
            assert s.response.headers.get("x-tollgate-provider") == "pb"
        assert text == f"echo: claude retry {i}"
    assert any(where(r) == "a" for r in mock.requests), "no request picked pa: nothing was retried"


# --------------------------------------------------------------------------- 7. strategies

def test_least_busy_sends_around_a_slow_target(start_gateway, mock):
    gw = start_gateway(config(group("smart", ("a", 1), ("b", 1), strategy="least-busy")))
    mock.script("/a/*", delay=2.0, times=None)
    client = gw.openai()
    n = 40
    with ThreadPoolExecutor(4) as ex:
        asks = list(ex.map(lambda i: Ask(client, f"lb{i}"), range(n)))
    assert all(a.ok for a in asks), [a for a in asks if not a.ok][:3]
    count_a = sum(a.provider == "pa" for a in asks)
    # weighted 1:1 would give ~20 of 40; least-busy holds pa to the few requests it has in flight
    assert count_a <= 12, f"least-busy sent {count_a} of {n} concurrent requests to the slow target"
    assert sum(a.provider == "pb" for a in asks) == n - count_a


def test_lowest_latency_measures_each_target_then_prefers_the_fast_one(start_gateway, mock):
    gw = start_gateway(config(group("smart", ("a", 1), ("b", 1), strategy="lowest-latency")))
    mock.script("/a/*", delay=0.4, times=None)
    client = gw.openai()
    warm = [Ask(client, uniq("ll")) for _ in range(2)]
    assert all(a.ok for a in warm), warm
    # a target with no measurement yet is tried first: the first two requests measure both
    assert sorted(a.provider for a in warm) == ["pa", "pb"], warm
    asks = [Ask(client, uniq("ll")) for _ in range(20)]
    assert all(a.ok for a in asks), asks
    fast = sum(a.provider == "pb" for a in asks)
    assert fast >= 18, f"lowest-latency sent only {fast} of 20 requests to the fast target"


# --------------------------------------------------------------------------- 8. metrics

def test_metrics_show_cooldown_and_retries(start_gateway, mock):
    gw = start_gateway(config(group("smart", ("a", 9), ("b", 1)), health(failures=3, cooldown=30, retries=1)))
    client = gw.openai()
    Ask(client, uniq("m"))  # something used, so the listing exists
    before = metric(metrics(gw), "tollgate_upstream_retries_total", provider="pb", model="model-b") or 0
    mock.script("/a/*", status=500, message="boom", times=3)
    for _ in range(3):
        asks = ask_until(client, mock, "a")
        assert asks[-1].ok and asks[-1].provider == "pb", asks[-1]  # retried on pb
    text = metrics(gw)
    assert metric(text, "tollgate_target_cooling_down", provider="pa", model="model-a") == 1, text
    assert metric(text, "tollgate_target_cooling_down", provider="pb", model="model-b") == 0, text
    after = metric(text, "tollgate_upstream_retries_total", provider="pb", model="model-b")
    assert after is not None and after - before == 3, f"retries_total for pb: {before} -> {after}"
    assert not metric(text, "tollgate_upstream_retries_total", provider="pa", model="model-a")
    assert metric(text, "tollgate_target_cooldowns_total", provider="pa", model="model-a") == 1, text
    assert metric(text, "tollgate_target_consecutive_failures", provider="pa", model="model-a") == 3, text
    assert metric(text, "tollgate_target_in_flight", provider="pb", model="model-b") == 0, text
    assert (metric(text, "tollgate_target_ttfb_seconds", provider="pb", model="model-b") or 0) > 0, text
    assert "smart" not in re.findall(r'model="([^"]*)"', "\n".join(
        l for l in text.splitlines() if l.startswith("tollgate_target_"))), "a group's name listed as a target"
    # docs/routing.md: "A target is listed once it has failed, been retried on, or (group
    # targets) been used". pb was used and retried on (and never failed), so every per-target
    # metric lists it, with 0 where nothing happened.
    per_target = ["tollgate_target_cooling_down", "tollgate_target_consecutive_failures", "tollgate_target_in_flight",
                  "tollgate_target_ttfb_seconds", "tollgate_target_cooldowns_total"]
    missing = [name for name in per_target if metric(text, name, provider="pb", model="model-b") is None]
    assert not missing, f"pb was used and retried on but is not listed in {missing}"
    assert metric(text, "tollgate_target_consecutive_failures", provider="pb", model="model-b") == 0, text
    assert metric(text, "tollgate_target_cooldowns_total", provider="pb", model="model-b") == 0, text


def test_key_cooldown_and_retry_on_another_key(start_gateway, mock):
    keys = ["sk-key-one-111", "sk-key-two-222"]
    providers = (f'  pk:\n    type: openai-compatible\n    endpoint: "{M}/k/v1"\n    keys:\n'
                 f"      - {{value: {keys[0]}, weight: 1}}\n      - {{value: {keys[1]}, weight: 1}}\n")
    gw = start_gateway(config("  unused:\n    targets: [pk/model-u]\n", health(failures=1, cooldown=30, retries=1),
                              providers=providers))
    client = gw.openai()
    mock.script("/k/*", status=500, message="key trouble", times=1)
    first = Ask(client, uniq("k"), model="pk/model-k")
    assert first.ok and first.provider == "pk", first
    calls = calls_for(mock, first.text)
    assert len(calls) == 2 and calls[0].auth() != calls[1].auth(), [(c.path, c.auth()) for c in calls]
    bad_key, good_key = calls[0].auth(), calls[1].auth()
    asks = [Ask(client, uniq("k"), model="pk/model-k") for _ in range(10)]
    assert all(a.ok for a in asks), asks
    used = [r.auth() for a in asks for r in calls_for(mock, a.text)]
    assert used == [good_key] * 10, f"a key in cooldown was used: {used}"
    text = metrics(gw)
    pos = str(keys.index(bad_key) + 1)
    other = str(keys.index(good_key) + 1)
    assert metric(text, "tollgate_provider_key_cooling_down", provider="pk", key=pos) == 1, text
    # docs list targets once used; a key that never cooled may be listed as 0 or not at all
    assert metric(text, "tollgate_provider_key_cooling_down", provider="pk", key=other) in (None, 0), text
    assert (metric(text, "tollgate_upstream_retries_total", provider="pk", model="model-k") or 0) == 1, text
    for k in keys:
        assert k not in text


# --------------------------------------------------------------------------- routing rules

def test_route_that_fixes_the_provider_does_not_resolve_groups(start_gateway, mock):
    routes = ROUTES + """  - id: fixed
    uri: /fixed/v1/chat/completions
    plugins:
      - ai-proxy: {surface: openai-chat, provider: pc}
"""
    gw = start_gateway(config(group("smart", ("a", 1), ("b", 1)), routes=routes))
    a = Ask(gw.openai(prefix="/fixed/v1"), uniq("fx"))
    assert a.ok and a.provider == "pc" and a.model == "smart", a
    rec = calls_for(mock, a.text)[0]
    assert where(rec) == "c" and rec.body["model"] == "smart", (rec.path, rec.body)
    b = Ask(gw.openai(), uniq("fx"))  # the same name on a route that fixes nothing is the group
    assert b.ok and b.provider in ("pa", "pb"), b


VK_GROUP = "vk-group-only-5a6b7c8d"


def test_virtual_key_models_see_the_group_name(start_gateway, mock):
    routes = """routes:
  - id: v1
    uri: /v1/*
    plugins:
      - governance: {required: true}
      - ai-proxy: {}
"""
    extra = f'virtual_keys:\n  - {{key: {VK_GROUP}, name: grp, models: ["smart"]}}\n'
    gw = start_gateway(config(group("smart", ("a", 1), ("b", 1)), routes=routes, extra=extra))
    client = gw.openai(api_key=VK_GROUP)
    a = Ask(client, uniq("vk"))
    assert a.ok and a.provider in ("pa", "pb"), a
    direct = Ask(client, uniq("vk"), model="pa/model-a")
    assert direct.status == 403, direct
    assert calls_for(mock, direct.text) == []


# --------------------------------------------------------------------------- 9. tollgate check

CHECK_VALID = """\
store: memory
providers:
  pa: {type: openai-compatible, endpoint: "http://127.0.0.1:9/a/v1", api_key: sk-x}
  pb: {type: openai-compatible, endpoint: "http://127.0.0.1:9/b/v1", api_key: sk-x}
model_groups:
  smart:
    strategy: weighted
    targets:
      - model: pa/model-a
        weight: 3
      - model: pb/model-b
        weight: 1
    fallbacks: [openai/gpt-4o-mini]
  other:
    targets: [pb/model-b]
health:
  failures_to_cooldown: 3
  cooldown_seconds: 30
  retries: 1
routes:
  - id: v1
    uri: /v1/*
    plugins:
      - ai-proxy: {}
"""

# id -> (old text, new text, the columns an error may point at on the new text's line:
#        the key's or the value's)
CHECK_CASES = {
    "unknown-provider-in-target": ("      - model: pa/model-a", "      - model: nope/model-a", {9, 16}),
    "unknown-provider-in-fallback": ("    fallbacks: [openai/gpt-4o-mini]", "    fallbacks: [nope/gpt-4o-mini]",
                                     {5, 16, 17}),
    "target-not-provider-slash-model": ("      - model: pb/model-b", "      - model: model-b", {9, 16}),
    "group-named-openai-slash-x": ("  smart:\n", "  openai/x:\n", {3}),
    "group-named-openai": ("  smart:\n", "  openai:\n", {3}),
    "group-named-custom-provider": ("  other:\n", "  pa/other:\n", {3}),
    "weight-0": ("        weight: 3", "        weight: 0", {9, 17}),
    "unknown-strategy": ("    strategy: weighted", "    strategy: round-robin", {5, 15}),
    "group-without-targets": ("    targets: [pb/model-b]", "    targets: []", {3, 5, 14}),
    "negative-retries": ("  retries: 1", "  retries: -1", {3, 12}),
    "negative-cooldown": ("  cooldown_seconds: 30", "  cooldown_seconds: -5", {3, 21}),
    "unknown-key-in-group": ("    strategy: weighted", "    stratgy: weighted", {5}),
}


def _check(tmp_path, text: str, name: str = "routes.yaml"):
    p = tmp_path / name
    p.write_text(text)
    r = run_tollgate("check", "--config", p)
    out = r.stdout + r.stderr
    rx = re.compile(rf"(?:^|[\s/]){re.escape(p.name)}:(\d+):(\d+):\s*(.+)$", re.M)
    return r, out, [(int(a), int(b), c) for a, b, c in rx.findall(out)]


def test_check_accepts_groups_and_health(tmp_path):
    r, out, _ = _check(tmp_path, CHECK_VALID)
    assert r.returncode == 0, out


@pytest.mark.parametrize("case", CHECK_CASES)
def test_check_rejects_with_file_line_col(tmp_path, case):
    old, new, cols = CHECK_CASES[case]
    assert CHECK_VALID.count(old) == 1
    text = CHECK_VALID.replace(old, new)
    r, out, errs = _check(tmp_path, text)
    assert r.returncode == 1, f"exit {r.returncode}:\n{out}"
    line = text.splitlines().index(new.rstrip("\n")) + 1
    at_line = [(l, c, m) for l, c, m in errs if l == line]
    assert at_line, f"no error at line {line} ({new.strip()!r}) in:\n{out}"
    assert any(c in cols for _, c, _ in at_line), f"want column in {sorted(cols)} on line {line}: {at_line}"


# --------------------------------------------------------------------------- 10. reload

def test_reload_changes_weights_without_dropping_requests(start_gateway, mock):
    gw = start_gateway(config(group("smart", ("a", 1), ("b", 1000))))
    client = gw.openai()
    before = [Ask(client, uniq("h")) for _ in range(30)]
    assert all(a.ok for a in before), before
    assert sum(a.provider == "pb" for a in before) >= 28, before

    stop = threading.Event()
    load: list[Ask] = []
    lock = threading.Lock()

    def worker():
        c = gw.openai()
        while not stop.is_set():
            a = Ask(c, uniq("load"))
            with lock:
                load.append(a)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(load) >= 20, 10)
        since = gw.log_size()
        gw.write_config(config(group("smart", ("a", 1000), ("b", 1))))
        gw.hup()
        assert gw.wait_for_log("config reloaded", timeout=10, since=since), gw.logs()[-2000:]
        n_at_reload = len(load)
        assert wait_until(lambda: any(a.provider == "pa" for a in load[n_at_reload:]), 10), "new weights not applied"
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    bad = [a for a in load if not a.ok]
    assert not bad, f"{len(bad)} of {len(load)} requests failed across the reload: {bad[:3]}"
    after = [Ask(client, uniq("h")) for _ in range(30)]
    assert all(a.ok for a in after), after
    assert sum(a.provider == "pa" for a in after) >= 28, after


def test_reload_keeps_health_and_replaces_groups(start_gateway, mock):
    gw = start_gateway(config(group("smart", ("a", 1), ("b", 1)), health(failures=1, cooldown=30, retries=1)))
    client = gw.openai()
    mock.script("/a/*", status=500, message="boom", times=1)
    asks = ask_until(client, mock, "a")
    assert asks[-1].ok and asks[-1].provider == "pb", asks[-1]  # retried
    assert metric(metrics(gw), "tollgate_target_cooling_down", provider="pa", model="model-a") == 1

    since = gw.log_size()
    gw.write_config(config(group("smart", ("a", 1000), ("b", 1)) + group("fresh", ("c", 1)),
                           health(failures=1, cooldown=30, retries=1)))
    gw.hup()
    assert gw.wait_for_log("config reloaded", timeout=10, since=since), gw.logs()[-2000:]
    assert wait_until(lambda: Ask(client, uniq("fr"), model="fresh").ok, 5, 0.1), "the new group is not served"
    n_before = len(mock.requests)
    after = [Ask(client, uniq("kept")) for _ in range(10)]
    # pa weighs 1000 now, but is still in the cooldown it had before the reload
    assert all(a.ok and a.provider == "pb" for a in after), after
    assert not [r for r in list(mock.requests)[n_before:] if where(r) == "a"]
    assert metric(metrics(gw), "tollgate_target_cooling_down", provider="pa", model="model-a") == 1

"""Many requests at once: each client gets its own answer (no cross-talk between connections)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from conftest import chat_config


def test_64_concurrent_requests_get_their_own_answers(start_gateway, mock):
    gw = start_gateway(chat_config())
    mock.script("/v1/chat/completions", delay=0.2, times=None)  # keep them overlapping
    client = gw.openai()

    def ask(i):
        r = client.chat.completions.create(model="gpt-4o-mini",
                                           messages=[{"role": "user", "content": f"request number {i}"}])
        return r.choices[0].message.content

    with ThreadPoolExecutor(64) as ex:
        answers = list(ex.map(ask, range(64), timeout=60))
    assert answers == [f"echo: request number {i}" for i in range(64)]
    seen = sorted(r.body["messages"][0]["content"] for r in mock.requests)
    assert seen == sorted(f"request number {i}" for i in range(64))


def test_16_concurrent_streams_get_their_own_answers(start_gateway, mock):
    gw = start_gateway(chat_config())
    mock.script("/v1/chat/completions", gap=0.05, times=None)
    client = gw.openai()

    def ask(i):
        s = client.chat.completions.create(model="gpt-4o-mini", stream=True,
                                           messages=[{"role": "user", "content": f"stream {i} a b c"}])
        return "".join(c.choices[0].delta.content or "" for c in s if c.choices)

    with ThreadPoolExecutor(16) as ex:
        answers = list(ex.map(ask, range(16), timeout=60))
    assert answers == [f"echo: stream {i} a b c" for i in range(16)]

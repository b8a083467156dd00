"""Kept-alive upstream connections that the provider closed while they sat in the pool.

A provider may close an idle kept-alive connection at the moment the gateway sends the next
request on it (the keep-alive race every HTTP client meets). The gateway sends that request
once more on a fresh connection, and only when the connection was a reused one and nothing of
an answer had arrived; a fresh connection that closes is the provider's answer (502).
"""
from __future__ import annotations

import openai
import pytest

from conftest import chat_config


def chat(client, text: str):
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])


def test_request_on_a_dropped_kept_alive_connection_is_sent_again_on_a_fresh_one(start_gateway, mock):
    gw = start_gateway(chat_config())
    client = gw.openai()  # one client connection: one event loop, so its pool is the one reused
    assert chat(client, "first").choices[0].message.content == "echo: first"
    mock.script("/v1/chat/completions", close=True)  # the next request: read, then close, no answer
    assert chat(client, "second").choices[0].message.content == "echo: second"

    first, dropped, resent = mock.wait_requests(3)
    assert dropped.conn_id == first.conn_id, "the second request did not go out on the kept-alive connection"
    assert resent.conn_id != dropped.conn_id, "the retry went out on the closed connection"
    assert resent.raw == dropped.raw and resent.headers.get("authorization") == dropped.headers.get("authorization")
    assert len(mock.requests) == 3
    assert gw.alive


def test_the_retry_happens_once(start_gateway, mock):
    gw = start_gateway(chat_config())
    client = gw.openai()
    chat(client, "warm")
    mock.script("/v1/chat/completions", close=True, times=2)  # the reused connection and the fresh one
    with pytest.raises(openai.InternalServerError) as ei:
        chat(client, "twice")
    assert ei.value.status_code == 502
    assert "closed the connection before answering" in ei.value.body["message"]
    reqs = mock.wait_requests(3)
    assert len({r.conn_id for r in reqs}) == 2 and len(mock.requests) == 3, [r.conn_id for r in reqs]
    # and the gateway goes on serving on a new connection
    assert chat(client, "after").choices[0].message.content == "echo: after"

"""Streams are never buffered: upstream SSE events sent 300 ms apart reach the client spread out."""
from __future__ import annotations

import time

from conftest import chat_config


def test_stream_chunks_arrive_spread_out(start_gateway, mock):
    gw = start_gateway(chat_config())
    mock.script("/v1/chat/completions", gap=0.3)
    t0 = time.monotonic()
    arrivals, text = [], ""
    stream = gw.openai().chat.completions.create(
        model="gpt-4o-mini", stream=True, messages=[{"role": "user", "content": "one two three four"}])
    for chunk in stream:
        arrivals.append(time.monotonic() - t0)
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
    assert text == "echo: one two three four"
    # upstream: role, 5 content pieces, finish, [DONE] -> 7 chunks the SDK yields, 0.3 s apart
    assert len(arrivals) >= 6, arrivals
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert arrivals[-1] - arrivals[0] >= 0.9, f"chunks arrived bunched: {arrivals}"  # ~1.8 s expected
    assert sum(g >= 0.15 for g in gaps) >= 3, f"too few spread-out gaps: {gaps}"


def test_first_chunk_arrives_before_upstream_finishes(start_gateway, mock):
    gw = start_gateway(chat_config())
    mock.script("/v1/chat/completions", gap=0.3)
    stream = gw.openai().chat.completions.create(
        model="gpt-4o-mini", stream=True, messages=[{"role": "user", "content": "a b c d e f"}])
    next(iter(stream))
    # the first chunk is here while the upstream still has events to send
    assert not mock.last.completed and mock.last.events_sent < 6
    stream.close()

"""SIGTERM with idle kept-alive clients: the gateway closes them (after a short grace for a
request already on its way) and exits at once, instead of waiting out `drain_seconds` for
connections that will never send anything."""
from __future__ import annotations

import http.client
import time

from conftest import chat_config

MSG = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


def test_idle_keepalive_connections_do_not_hold_up_the_drain(start_gateway, mock):
    gw = start_gateway(chat_config(drain_seconds=20))
    conns = []
    for path in ("/v1/chat/completions", "/no/such/route"):  # one answered upstream, one at once (404)
        c = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=10)
        c.request("POST", path, body=__import__("json").dumps(MSG), headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        assert r.status in (200, 404)
        conns.append(c)
    # The SDK (httpx) sends a request's head and body in separate writes: the read that ends
    # the request holds no head, and must not be taken for the start of the next one.
    sdk = gw.openai()
    assert sdk.chat.completions.create(model="gpt-4o-mini", messages=MSG["messages"]).choices
    t0 = time.monotonic()
    gw.term()
    code = gw.wait_exit(15)
    took = time.monotonic() - t0
    assert code == 0, gw.logs()
    assert took < 5, f"exit took {took:.1f}s with two idle kept-alive connections (drain_seconds: 20)"
    for c in conns:
        # The server closed them: the next read sees EOF, not a hang.
        c.sock.settimeout(2)
        assert c.sock.recv(1) == b""

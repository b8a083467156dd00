"""A client that goes away mid-stream: the gateway cancels the upstream call and keeps serving."""
from __future__ import annotations

import socket
import time

from conftest import CLIENT_KEY, chat_config


def test_client_disconnect_mid_stream_cancels_upstream(start_gateway, mock):
    gw = start_gateway(chat_config())
    mock.script("/v1/chat/completions", gap=0.2)
    stream = gw.openai().chat.completions.create(
        model="gpt-4o-mini", stream=True, messages=[{"role": "user", "content": " ".join(["w"] * 40)}])
    it = iter(stream)
    next(it)
    next(it)
    stream.close()  # drops the client connection
    rec = mock.requests[0]
    assert rec.finished.wait(5), "the upstream stream kept going after the client left"
    assert rec.disconnected and not rec.completed
    assert rec.events_sent < 20
    r = gw.openai().chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "again"}])
    assert r.choices[0].message.content == "echo: again"


def test_client_disconnect_while_upstream_is_silent_cancels_it(start_gateway, mock):
    gw = start_gateway(chat_config())
    mock.script("/v1/chat/completions", hang=True)
    host, port = gw.url.split("//")[1].split(":")
    s = socket.create_connection((host, int(port)), timeout=5)
    body = b'{"model":"m","stream":true,"messages":[{"role":"user","content":"hang"}]}'
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Authorization: Bearer " + CLIENT_KEY.encode() +
              b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    assert mock.wait_for(lambda m: len(m.requests) == 1, 5), gw.logs()
    time.sleep(0.2)
    s.close()
    assert mock.requests[0].finished.wait(5), "the upstream request stayed open after the client left"
    assert mock.requests[0].disconnected

"""HTTP/1.1 on the wire, below any SDK: pipelined requests, unparseable requests, and values
that must never reach a header or request line (the gateway writes headers without NIO's
outbound validation, so what it writes is checked where it enters)."""
from __future__ import annotations

import json
import re
import socket

from conftest import CLIENT_KEY, assert_openai_error, chat_config

MSG = [{"role": "user", "content": "wire"}]


def raw_exchange(gw, payload: bytes, timeout: float = 10) -> bytes:
    """Sends `payload` in one write and reads until the gateway closes the connection."""
    host, port = re.match(r"http://([^/:]+):(\d+)", gw.url).groups()
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(payload)
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def post(path: str, body: dict, request_id: str, close: bool = False) -> bytes:
    data = json.dumps(body).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {CLIENT_KEY}\r\nx-request-id: {request_id}\r\n"
            f"Content-Length: {len(data)}\r\n")
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + data


def split_responses(raw: bytes) -> list[tuple[int, dict, bytes]]:
    """Parses consecutive HTTP/1.1 responses with Content-Length or chunked bodies."""
    out = []
    rest = raw
    while rest:
        head, sep, rest = rest.partition(b"\r\n\r\n")
        assert sep, f"truncated response: {head[:200]!r}"
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if status in (204, 304) or 100 <= status < 200:
            body = b""  # no body, whatever the headers say
        elif "content-length" in headers:
            n = int(headers["content-length"])
            body, rest = rest[:n], rest[n:]
        else:
            assert headers.get("transfer-encoding") == "chunked", headers
            body = b""
            while True:
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line, 16)
                body += rest[:size]
                rest = rest[size + 2:]
                if size == 0:
                    break
        out.append((status, headers, body))
    return out


def test_pipelined_requests_are_answered_in_order(start_gateway, mock):
    gw = start_gateway(chat_config())
    chat = {"model": "gpt-4o-mini", "messages": MSG}
    # one unroutable request in the middle: answered 404 in its place, the rest still served
    payload = b"".join([
        post("/v1/chat/completions", chat, "pipe-0"),
        post("/v1/chat/completions", chat, "pipe-1"),
        post("/v1/nowhere", {"model": "m"}, "pipe-404"),
        post("/v1/chat/completions", chat, "pipe-2"),
        post("/v1/chat/completions", chat, "pipe-3"),
        post("/v1/chat/completions", chat, "pipe-4", close=True),
    ])
    responses = split_responses(raw_exchange(gw, payload))
    got = [(h.get("x-request-id"), s) for s, h, _ in responses]
    assert got == [("pipe-0", 200), ("pipe-1", 200), ("pipe-404", 404), ("pipe-2", 200), ("pipe-3", 200), ("pipe-4", 200)]
    for status, _, body in responses:
        doc = json.loads(body)
        assert ("choices" in doc) if status == 200 else ("error" in doc)
    assert len(mock.requests) == 5


def test_answers_are_framed_by_length_or_chunks_and_bodiless_ones_by_neither(start_gateway, mock):
    """The gateway frames every answer itself (NIO's encoder is told not to look): a whole
    answer by its length, a stream in chunks, a 204 by neither, even when the provider sent a
    `Content-Length: 0` with it; never two framings, and the connection goes on after each."""
    gw = start_gateway(chat_config())
    mock.script("/v1/chat/completions")  # as usual
    mock.script("/v1/chat/completions")  # as usual (a stream: the request asks for one)
    mock.script("/v1/chat/completions", status=204, body="")
    chat = {"model": "gpt-4o-mini", "messages": MSG}
    payload = (post("/v1/chat/completions", chat, "whole") + post("/v1/chat/completions", {**chat, "stream": True}, "stream")
               + post("/v1/chat/completions", chat, "empty") + post("/v1/chat/completions", chat, "after", close=True))
    (s1, h1, b1), (s2, h2, b2), (s3, h3, b3), (s4, h4, b4) = split_responses(raw_exchange(gw, payload))
    assert s1 == 200 and int(h1["content-length"]) == len(b1) and "transfer-encoding" not in h1, h1
    assert json.loads(b1)["object"] == "chat.completion"
    assert s2 == 200 and h2.get("transfer-encoding") == "chunked" and "content-length" not in h2, h2
    assert b2.rstrip().endswith(b"data: [DONE]"), b2[-200:]
    assert s3 == 204 and "content-length" not in h3 and "transfer-encoding" not in h3 and b3 == b"", h3
    assert s4 == 200 and json.loads(b4)["choices"][0]["message"]["content"] == "echo: wire"
    assert [h["x-request-id"] for h in (h1, h2, h3, h4)] == ["whole", "stream", "empty", "after"]


def test_a_long_pipelined_burst_pauses_reading_and_answers_every_request(start_gateway, mock):
    # 120 requests = 360 message parts in one write: past the 64 queued parts at which the
    # gateway stops reading the socket until it has caught up.
    gw = start_gateway(chat_config())
    chat = {"model": "gpt-4o-mini", "messages": MSG}
    n = 120
    payload = b"".join(post("/v1/chat/completions", chat, f"burst-{i}", close=(i == n - 1)) for i in range(n))
    responses = split_responses(raw_exchange(gw, payload, timeout=60))
    assert [(h.get("x-request-id"), s) for s, h, _ in responses] == [(f"burst-{i}", 200) for i in range(n)]
    assert len(mock.requests) == n


def test_unparseable_request_is_400_in_openai_shape_then_closed(start_gateway, mock):
    gw = start_gateway(chat_config())
    raw = raw_exchange(gw, b"POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nthis is not a header\r\n\r\n")
    (status, headers, body), = split_responses(raw)
    assert status == 400
    assert headers.get("connection") == "close"
    assert headers.get("x-request-id")
    err = json.loads(body)["error"]
    assert err["type"] == "invalid_request_error" and "malformed HTTP request" in err["message"]
    assert not mock.requests
    assert gw.alive
    assert gw.http("POST", "/v1/chat/completions", {"model": "m", "messages": MSG},
                   {"Authorization": f"Bearer {CLIENT_KEY}"}).status == 200


def test_model_name_with_a_newline_never_reaches_a_header(start_gateway, mock):
    gw = start_gateway(chat_config())
    for bad in ["gpt-4o\r\nx-injected: 1", "gpt 4o", "models/x?alt=sse"]:
        resp = gw.http("POST", "/v1/chat/completions", {"model": bad, "messages": MSG},
                       {"Authorization": f"Bearer {CLIENT_KEY}"})
        err = assert_openai_error(resp, 400)
        assert err.get("param") == "model", err
        assert "x-injected" not in resp.headers
    assert not mock.requests


def test_config_key_with_a_newline_is_a_config_error(start_gateway, mock, tmp_path):
    import subprocess
    import os
    cfg = tmp_path / "routes.yaml"
    cfg.write_text(
        "routes:\n"
        "  - id: r\n"
        "    uri: /v1/chat/completions\n"
        "    plugins:\n"
        "      - ai-proxy:\n"
        "          surface: openai-chat\n"
        "          provider: openai\n"
        "          api_key: \"sk-one\\nx-injected: 1\"\n")
    out = subprocess.run([os.environ["TOLLGATE_BIN"], "check", "--config", str(cfg)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert re.search(rf"{re.escape(str(cfg))}:8:\d+: .*control character", out.stdout + out.stderr), out

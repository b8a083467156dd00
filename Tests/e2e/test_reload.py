"""SIGHUP reloads routes.yaml: new requests use the new table, in-flight streams finish on the
old one, and a broken file leaves the old table serving with FILE:LINE:COL in the log."""
from __future__ import annotations

import re
import time

from conftest import Background, chat_config, header, wait_until

MSG = [{"role": "user", "content": "reload me"}]


def _ask(gw, text="reload me"):
    return gw.openai().chat.completions.create(model="gpt-4o-mini",
                                               messages=[{"role": "user", "content": text}])


def _switch_until_new_key(gw, mock, key, timeout=5.0):
    """After a HUP, poll (bounded) with requests until one reaches the mock with `key`."""
    def probe():
        _ask(gw)
        return mock.last.auth() == key
    return wait_until(probe, timeout, interval=0.1)


def test_hup_applies_changed_key(start_gateway, mock):
    gw = start_gateway(chat_config(key="sk-old"))
    _ask(gw)
    assert mock.last.auth() == "sk-old"
    gw.write_config(chat_config(key="sk-new"))
    gw.hup()
    assert _switch_until_new_key(gw, mock, "sk-new"), f"reload not applied:\n{gw.logs()}"
    n = len(mock.requests)
    for i in range(5):  # and it sticks
        _ask(gw, f"after {i}")
    assert [r.auth() for r in mock.requests[n:]] == ["sk-new"] * 5
    assert gw.alive


def test_hup_adds_a_route(start_gateway, mock):
    gw = start_gateway(chat_config())
    assert gw.http("POST", "/other/chat/completions", {"model": "m", "messages": MSG}).status == 404
    gw.write_config(chat_config() + chat_config(rid="other", uri="/other/chat/completions").split("routes:\n")[1])
    gw.hup()
    ok = wait_until(lambda: gw.http("POST", "/other/chat/completions", {"model": "m", "messages": MSG}).status == 200, 5, 0.1)
    assert ok, gw.logs()


def test_stream_in_flight_survives_reload(start_gateway, mock):
    gw = start_gateway(chat_config(key="sk-old"))
    mock.script("/v1/chat/completions", gap=0.3)
    words = "alpha beta gamma delta epsilon zeta"
    stream = gw.openai().chat.completions.create(model="gpt-4o-mini", stream=True,
                                                 messages=[{"role": "user", "content": words}])
    it = iter(stream)
    first = next(it)
    gw.write_config(chat_config(key="sk-new"))
    gw.hup()
    rest = Background(lambda: list(it))
    chunks = [first] + rest.result(timeout=20)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == f"echo: {words}"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    # The client can hold the last byte before the mock's thread records that it sent it.
    assert mock.requests[0].finished.wait(5)
    assert mock.requests[0].auth() == "sk-old" and mock.requests[0].completed
    assert _switch_until_new_key(gw, mock, "sk-new")


def test_hup_with_syntax_error_keeps_old_config(start_gateway, mock):
    gw = start_gateway(chat_config(key="sk-old"))
    _ask(gw)
    before = gw.log_size()
    broken = chat_config(key="sk-new").replace("    methods: [POST]\n", "    methods: [POST\n")
    gw.write_config(broken)
    gw.hup()
    m = gw.wait_for_log(r"routes\.yaml:(\d+):(\d+)", timeout=5, since=before)
    assert m, f"no FILE:LINE:COL error logged after a broken reload:\n{gw.logs()[before:]}"
    time.sleep(0.3)
    assert gw.alive
    for i in range(3):
        r = _ask(gw, f"still {i}")
        assert r.choices[0].message.content == f"echo: still {i}"
        assert mock.last.auth() == "sk-old"


def test_hup_with_invalid_config_keeps_old_config(start_gateway, mock):
    gw = start_gateway(chat_config(key="sk-old"))
    before = gw.log_size()
    gw.write_config(chat_config(key="sk-new") + "bogus_top_level_key: 1\n")
    gw.hup()
    m = gw.wait_for_log(r"routes\.yaml:(\d+):(\d+)", timeout=5, since=before)
    assert m, f"no FILE:LINE:COL error logged:\n{gw.logs()[before:]}"
    line = int(m.group(1))
    assert re.search(r"bogus_top_level_key", gw.logs()[before:]), gw.logs()[before:]
    assert line == gw.config_path.read_text().splitlines().index("bogus_top_level_key: 1") + 1
    _ask(gw)
    assert mock.last.auth() == "sk-old"


def test_good_reload_after_bad_one(start_gateway, mock):
    gw = start_gateway(chat_config(key="sk-old"))
    gw.write_config("routes: [\n")
    gw.hup()
    assert gw.wait_for_log(r"routes\.yaml:\d+:\d+", timeout=5)
    gw.write_config(chat_config(key="sk-new"))
    gw.hup()
    assert _switch_until_new_key(gw, mock, "sk-new"), gw.logs()


def test_admin_reload_endpoint(start_gateway, mock):
    gw = start_gateway(chat_config(key="sk-old"))
    gw.write_config(chat_config(key="sk-new"))
    r = gw.admin("POST", "/admin/reload")
    assert r.status == 200, r
    _ask(gw)
    assert mock.last.auth() == "sk-new"

"""`tollgate check`: exit 0 for a valid file; exit 1 with `FILE:LINE:COL: message` per error."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT, run_tollgate

VALID = """\
server:
  listen: 127.0.0.1:8080
store: memory
routes:
  - id: chat
    uri: /v1/chat/completions
    plugins:
      - ai-proxy:
          surface: openai-chat
          provider: openai
          api_key: sk-x
"""


def _check(tmp_path, text: str, name: str = "routes.yaml"):
    p = tmp_path / name
    p.write_text(text)
    r = run_tollgate("check", "--config", p)
    return p, r, r.stdout + r.stderr


def _errors(out: str, path) -> list[tuple[int, int, str]]:
    """(line, col, message) of each `FILE:LINE:COL: message` line naming this file."""
    rx = re.compile(rf"(?:^|[\s/]){re.escape(path.name)}:(\d+):(\d+):\s*(.+)$", re.M)
    return [(int(a), int(b), c) for a, b, c in rx.findall(out)]


def test_valid_config_exits_0(tmp_path):
    _, r, out = _check(tmp_path, VALID)
    assert r.returncode == 0, out


def test_repo_routes_yaml_is_valid():
    p = ROOT / "routes.yaml"
    assert p.exists(), "the repo has no routes.yaml (the spec's default config)"
    r = run_tollgate("check", "--config", p)
    assert r.returncode == 0, r.stdout + r.stderr


def test_unknown_top_level_key(tmp_path):
    text = VALID.replace("store: memory\n", "store: memory\nservr:\n  listen: 1.2.3.4:1\n")
    p, r, out = _check(tmp_path, text)
    assert r.returncode == 1, out
    errs = _errors(out, p)
    assert errs, f"no FILE:LINE:COL line in:\n{out}"
    assert (4, 1) in [(l, c) for l, c, _ in errs], errs
    assert any("servr" in m for _, _, m in errs), errs


def test_unknown_plugin(tmp_path):
    text = VALID + "      - no-such-plugin: {}\n"
    p, r, out = _check(tmp_path, text)
    assert r.returncode == 1, out
    errs = _errors(out, p)
    line = text.splitlines().index("      - no-such-plugin: {}") + 1
    assert (line, 9) in [(l, c) for l, c, _ in errs], f"want {line}:9 in {errs}\n{out}"
    assert any("no-such-plugin" in m for _, _, m in errs), errs


def test_unknown_key_inside_plugin(tmp_path):
    text = VALID.replace("          api_key: sk-x\n", "          api_key: sk-x\n          timeout_msec: 5\n")
    p, r, out = _check(tmp_path, text)
    assert r.returncode == 1, out
    line = text.splitlines().index("          timeout_msec: 5") + 1
    assert (line, 11) in [(l, c) for l, c, _ in _errors(out, p)], out


def test_yaml_syntax_error(tmp_path):
    text = "server:\n  listen: 127.0.0.1:8080\n  drain_seconds: a: b\nroutes: []\n"
    p, r, out = _check(tmp_path, text)
    assert r.returncode == 1, out
    errs = _errors(out, p)
    assert errs and errs[0][0] == 3, f"want an error on line 3:\n{out}"


def test_every_error_is_reported(tmp_path):
    text = VALID.replace("store: memory\n", "store: memory\nservr: {}\nadmn: {}\n")
    p, r, out = _check(tmp_path, text)
    assert r.returncode == 1
    lines = {l for l, _, _ in _errors(out, p)}
    assert {4, 5} <= lines, out


def test_required_env_var_message(tmp_path):
    text = VALID.replace("api_key: sk-x", "api_key: ${TOLLGATE_TEST_SURELY_UNSET:?set the key please}")
    p, r, out = _check(tmp_path, text)
    assert r.returncode == 1 and "set the key please" in out, out
    assert _errors(out, p), out


def test_missing_file(tmp_path):
    r = run_tollgate("check", "--config", tmp_path / "nope.yaml")
    assert r.returncode != 0 and "nope.yaml" in r.stdout + r.stderr


@pytest.mark.parametrize("surface", ["openai-chat", "openai-responses", "openai-embeddings", "openai-models",
                                     "azure-chat", "anthropic-messages", "anthropic-count-tokens", "genai"])
def test_every_surface_name_is_accepted(tmp_path, surface):
    provider = "anthropic" if surface == "anthropic-count-tokens" else "openai"
    text = VALID.replace("surface: openai-chat", f"surface: {surface}").replace("provider: openai",
                                                                              f"provider: {provider}")
    _, r, out = _check(tmp_path, text)
    assert r.returncode == 0, out


def test_version():
    r = run_tollgate("version")
    assert r.returncode == 0 and r.stdout.strip(), r


def test_plugin_order_rules_are_checked_at_load(tmp_path):
    """async must follow governance (a job belongs to the key governance found): a route that
    lists it first is refused at the async entry, in `check` and at start alike."""
    text = """\
store: memory
virtual_keys:
  - {key: vk-order-1, name: team}
routes:
  - id: chat
    uri: /v1/chat/completions
    plugins:
      - async: {}
      - governance: {required: true}
      - ai-proxy: {provider: openai, api_key: sk-x}
"""
    p, r, out = _check(tmp_path, text)
    assert r.returncode == 1, out
    errs = _errors(out, p)
    assert [(line, col) for line, col, _ in errs] == [(8, 9)], out
    assert "'async' must come after 'governance'" in errs[0][2], out
    # The same plugins in the right order are fine.
    _, r2, out2 = _check(tmp_path, text.replace("      - async: {}\n", "").replace(
        "      - ai-proxy:", "      - async: {}\n      - ai-proxy:"), name="ok.yaml")
    assert r2.returncode == 0, out2

"""examples/clients/ must keep working: each script runs against the mock directly (always) and
through the gateway (once the matching surface exists), so the examples never rot."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, UPSTREAM_KEY, header

EXAMPLES = ROOT / "examples" / "clients"

# script, base-url suffix at the mock, base-url suffix at the gateway
CASES = [
    ("openai_chat.py", "/v1", "/v1"),
    ("openai_responses.py", "/v1", "/v1"),
    ("anthropic_messages.py", "", "/anthropic"),
    ("genai_generate.py", "", "/genai"),
]

GATEWAY_CONFIG = header() + f"""providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  gemini: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
routes:
  - id: chat
    uri: /v1/chat/completions
    plugins: [{{ai-proxy: {{surface: openai-chat, provider: openai}}}}]
  - id: responses
    uri: /v1/responses
    plugins: [{{ai-proxy: {{surface: openai-responses, provider: openai}}}}]
  - id: anthropic
    uri: /anthropic/v1/messages
    plugins: [{{ai-proxy: {{surface: anthropic-messages, provider: anthropic}}}}]
  - id: genai
    uri: /genai/v1beta/models/*
    plugins: [{{ai-proxy: {{surface: genai, provider: gemini}}}}]
"""


def _run(script: str, base_url: str, *args: str) -> str:
    r = subprocess.run([sys.executable, str(EXAMPLES / script), "--base-url", base_url, "--api-key", "k", *args],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, f"{script} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout.strip()


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("script,mock_suffix,_gw", CASES, ids=[c[0] for c in CASES])
def test_example_against_mock(mock, script, mock_suffix, _gw, stream):
    out = _run(script, mock.url + mock_suffix, "example prompt", *(["--stream"] if stream else []))
    assert out == "echo: example prompt"


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("script,_m,gw_suffix", CASES, ids=[c[0] for c in CASES])
def test_example_through_gateway(start_gateway, mock, script, _m, gw_suffix, stream):
    gw = start_gateway(GATEWAY_CONFIG)
    out = _run(script, gw.url + gw_suffix, "through tollgate", *(["--stream"] if stream else []))
    assert out == "echo: through tollgate"
    assert mock.last.auth() == UPSTREAM_KEY

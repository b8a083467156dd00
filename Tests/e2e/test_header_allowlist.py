"""header-allowlist end to end: by default no client header reaches the provider; listed ones
do (case-insensitive, prefix-*, x-bf-eh-NAME); credentials and hop-by-hop headers never do."""
from __future__ import annotations

from conftest import UPSTREAM_KEY

CLIENT = "sk-client-credential-xyz"


def config(allow: str | None) -> str:
    allowlist = f"      - header-allowlist: {{allow: {allow}}}\n" if allow is not None else ""
    return f"""
server:
  listen: {{{{LISTEN}}}}
admin:
  listen: {{{{ADMIN}}}}
store: memory
providers:
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
  openai: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
routes:
  - id: anthropic
    uri: /anthropic/v1/messages
    plugins:
{allowlist}      - ai-proxy: {{surface: anthropic-messages}}
  - id: chat
    uri: /v1/chat/completions
    plugins:
{allowlist}      - ai-proxy: {{surface: openai-chat}}
"""


EXTRA = {"anthropic-beta": "prompt-caching-2024-07-31", "X-Custom-Thing": "c1", "x-team-id": "42",
         "Cookie": "session=abc", "x-bf-eh-x-via-eh": "eh1"}


def claude(gw, headers):
    return gw.anthropic(api_key=CLIENT, default_headers=headers).messages.create(
        model="claude-3-5-haiku-latest", max_tokens=20, messages=[{"role": "user", "content": "hi"}])


def assert_no_client_credentials(rec):
    assert CLIENT.encode() not in rec.raw, rec.headers
    assert "cookie" not in rec.headers
    assert rec.auth() == UPSTREAM_KEY


def test_nothing_from_the_client_by_default(start_gateway, mock):
    gw = start_gateway(config(None))
    claude(gw, EXTRA)
    h = mock.last.headers
    for name in ("anthropic-beta", "x-custom-thing", "x-team-id", "x-via-eh", "x-bf-eh-x-via-eh"):
        assert name not in h, f"{name} reached the provider: {h}"
    assert_no_client_credentials(mock.last)


def test_listed_headers_are_forwarded(start_gateway, mock):
    gw = start_gateway(config('[Anthropic-Beta, x-custom-thing, "x-team-*", x-via-eh]'))
    claude(gw, EXTRA)
    h = mock.last.headers
    assert h.get("anthropic-beta") == "prompt-caching-2024-07-31"
    assert h.get("x-custom-thing") == "c1"
    assert h.get("x-team-id") == "42"
    assert h.get("x-via-eh") == "eh1" and "x-bf-eh-x-via-eh" not in h
    assert_no_client_credentials(mock.last)
    # The same through the OpenAI SDK.
    gw.openai(api_key=CLIENT, default_headers={"x-custom-thing": "o1", "x-other": "no"}).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert mock.last.headers.get("x-custom-thing") == "o1" and "x-other" not in mock.last.headers
    assert_no_client_credentials(mock.last)


def test_credentials_never_even_when_listed(start_gateway, mock):
    gw = start_gateway(config('[authorization, cookie, x-api-key, api-key, x-goog-api-key, x-bf-vk, '
                              'proxy-authorization, host, "*"]'))
    claude(gw, {**EXTRA, "x-bf-vk": "vk-nope", "Proxy-Authorization": "Basic eA==",
                "x-bf-eh-authorization": f"Bearer {CLIENT}", "x-bf-eh-cookie": "s=1"})
    rec = mock.last
    assert_no_client_credentials(rec)
    for name in ("x-bf-vk", "proxy-authorization"):
        assert name not in rec.headers
    assert rec.headers.get("anthropic-beta")           # "*" still lets ordinary headers through
    r = gw.http("POST", "/v1/chat/completions", {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]},
                {"Authorization": f"Bearer {CLIENT}", "Cookie": "a=b", "api-key": CLIENT, "x-goog-api-key": CLIENT})
    assert r.status == 200, r.body
    assert_no_client_credentials(mock.last)
    assert "api-key" not in mock.last.headers and "x-goog-api-key" not in mock.last.headers

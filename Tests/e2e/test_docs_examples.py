"""The docs' examples are tests (issue 15): each Python snippet of the integration docs in
../shared/seeds/ lives as a script under examples/clients/docs/ and runs here, as a user runs
it, against the SHIPPED routes.yaml with the provider endpoints pointed at the mock
(shipped.py), or with the one change the docs tell the user to make (direct keys allowed,
anthropic-beta allow-listed, a virtual key, the async plugin). The APISIX page's request runs
against examples/routes-apisix-anthropic.yaml, its endpoint pointed at the mock.

Each script prints the answers' text; the test checks the output and what reached the mock.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT, header
from shipped import (ANTHROPIC_KEY, AZURE_KEY, GEMINI_KEY, KEY_ENV, OPENAI_KEY, VERTEX_PROJECT, VERTEX_REGION,
                     VERTEX_TOKEN, add_plugin_before_ai_proxy, enable_direct_keys, shipped_config, shipped_text,
                     with_top_level)

DOCS = ROOT / "examples" / "clients" / "docs"


def run_example(script: str, gw, mock, timeout: float = 40) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(TOLLGATE_URL=gw.url, AZURE_RESOURCE=mock.url)
    r = subprocess.run([sys.executable, str(DOCS / script)], capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL, env=env)
    assert r.returncode == 0, f"{script} failed (exit {r.returncode}):\n{r.stdout}\n{r.stderr[-3000:]}"
    return r.stdout.strip().splitlines()


def calls(mock) -> list:
    """Upstream requests made for the clients (model-list fetches left out)."""
    return [r for r in list(mock.requests) if not (r.method == "GET" and r.path.rstrip("/").endswith("/models"))]


def never_upstream(mock, *values):
    for rec in calls(mock):
        for name, v in rec.headers.as_dict().items():
            for secret in values:
                assert secret not in v, f"{secret!r} reached the provider in {name} ({rec.path})"


def no_header_upstream(mock, *names):
    for rec in calls(mock):
        for n in names:
            assert rec.headers.get(n) is None, f"{n} forwarded upstream to {rec.path}"


VERTEX_PRO = f"/v1/projects/{VERTEX_PROJECT}/locations/{VERTEX_REGION}/publishers/google/models/gemini-pro"


def check_prefixes(mock):
    """The five prefixed models of the docs reached the five providers, each with its key."""
    by = {}
    for rec in calls(mock):
        by.setdefault(rec.provider, []).append(rec)
    assert set(by) == {"openai", "anthropic", "gemini", "azure", "ollama"}, \
        {k: [r.path for r in v] for k, v in by.items()}
    assert by["openai"][0].path == "/v1/chat/completions" and by["openai"][0].auth() == OPENAI_KEY
    assert by["anthropic"][0].path == "/v1/messages" and by["anthropic"][0].headers.get("x-api-key") == ANTHROPIC_KEY
    assert by["anthropic"][0].body["model"] == "claude-3-sonnet-20240229"
    assert by["gemini"][0].path == f"{VERTEX_PRO}:generateContent", by["gemini"][0].path
    assert by["gemini"][0].auth() == VERTEX_TOKEN
    assert by["azure"][0].path == "/openai/deployments/gpt-4o/chat/completions"
    assert by["azure"][0].headers.get("api-key") == AZURE_KEY
    assert by["ollama"][0].path == "/api/chat" and by["ollama"][0].body["model"] == "llama3.1:8b"
    never_upstream(mock, "dummy-key")


# --------------------------------------------------------------------------- the configs

def shipped():
    return shipped_config()


def shipped_direct_keys():
    """The docs: "This requires the Allow Direct API keys option to be enabled"."""
    return shipped_config(enable_direct_keys(shipped_text()))


def shipped_beta_allowed():
    """The docs: "add anthropic-beta to the AllowList"."""
    return shipped_config(add_plugin_before_ai_proxy(shipped_text(), "/anthropic",
                                                     "header-allowlist: {allow: [anthropic-beta]}"))


def shipped_governed():
    """A virtual key, vk_12345 as in the docs, required on every route."""
    text = add_plugin_before_ai_proxy(shipped_text(), "/", "governance: {required: true}")
    return shipped_config(with_top_level(text, "virtual_keys", "virtual_keys:\n  - {key: vk_12345, name: docs}\n"))


def shipped_async():
    """The async plugin on every route (jobs in the shipped SQLite store, beside the config)."""
    return shipped_config(add_plugin_before_ai_proxy(shipped_text(), "/", "async: {}"))


def apisix():
    text = (ROOT / "examples" / "routes-apisix-anthropic.yaml").read_text()
    assert "https://api.anthropic.com/v1/messages" in text
    return header() + text.replace("https://api.anthropic.com/v1/messages", "{{MOCK}}/v1/messages")


# --------------------------------------------------------------------------- OpenAI SDK page

@pytest.mark.parametrize("config", [shipped, shipped_governed], ids=["shipped", "governed"])
def test_openai_setup_and_custom_headers(start_gateway, mock, config):
    gw = start_gateway(config(), env=KEY_ENV)
    if config is shipped:
        assert run_example("openai_setup.py", gw, mock) == ["echo: Hello!"]
    assert run_example("openai_custom_headers.py", gw, mock) == ["echo: Hello with custom headers!"]
    rec = calls(mock)[-1]
    assert rec.path == "/v1/chat/completions" and rec.auth() == OPENAI_KEY and rec.body["model"] == "gpt-4o-mini"
    no_header_upstream(mock, "x-bf-vk")
    never_upstream(mock, "dummy-key", "vk_12345")


def test_openai_provider_prefixes(start_gateway, mock):
    gw = start_gateway(shipped(), env=KEY_ENV)
    assert run_example("openai_provider_prefixes.py", gw, mock) == [
        "echo: Hello from OpenAI!", "echo: Hello from Claude!", "echo: Hello from Gemini!",
        "echo: Hello from Azure!", "echo: Hello from Ollama!"]
    check_prefixes(mock)


def test_openai_direct_keys(start_gateway, mock):
    gw = start_gateway(shipped_direct_keys(), env=KEY_ENV)
    assert run_example("openai_direct_keys.py", gw, mock) == [
        "echo: Hello from GPT!", "echo: Hello GPT!", "echo: Hello Claude!", "echo: Hello Gemini!"]
    c = calls(mock)
    assert [r.path for r in c[:3]] == ["/v1/chat/completions", "/v1/chat/completions", "/v1/messages"], [r.path for r in c]
    assert c[0].auth() == "sk-your-openai-key" and c[1].auth() == "sk-your-openai-key"
    assert c[2].headers.get("x-api-key") == "sk-ant-your-anthropic-key", c[2].headers
    assert c[3].path.endswith("/models/gemini-2.5-flash:generateContent"), c[3].path
    assert c[3].headers.get("x-goog-api-key") == "sk-gemini-your-gemini-key", c[3].headers
    never_upstream(mock, "dummy-key", OPENAI_KEY, ANTHROPIC_KEY, GEMINI_KEY)


def test_openai_azure(start_gateway, mock):
    gw = start_gateway(shipped(), env=KEY_ENV)
    assert run_example("openai_azure.py", gw, mock) == ["echo: Hello from Azure!"]
    rec = calls(mock)[-1]
    assert rec.path == "/openai/deployments/gpt-4-deployment/chat/completions", rec.path
    assert rec.headers.get("api-key") == AZURE_KEY and rec.query.get("api-version")
    no_header_upstream(mock, "x-bf-azure-endpoint")
    never_upstream(mock, "your-azure-api-key")


@pytest.mark.parametrize("config", [shipped, shipped_async], ids=["shipped", "async-plugin"])
@pytest.mark.parametrize("script,path", [("openai_async_chat.py", "/v1/chat/completions"),
                                         ("openai_async_responses.py", "/v1/responses")])
def test_openai_async(start_gateway, mock, config, script, path):
    gw = start_gateway(config(), env=KEY_ENV)
    assert run_example(script, gw, mock) == ["echo: Tell me a short story."]
    c = calls(mock)
    assert [r.path for r in c] == [path], "one upstream call per job"
    assert c[0].body["model"] == "gpt-4o-mini" and c[0].auth() == OPENAI_KEY
    no_header_upstream(mock, "x-bf-async", "x-bf-async-id")


# --------------------------------------------------------------------------- Anthropic SDK page

@pytest.mark.parametrize("config", [shipped, shipped_governed], ids=["shipped", "governed"])
def test_anthropic_setup_and_custom_headers(start_gateway, mock, config):
    gw = start_gateway(config(), env=KEY_ENV)
    if config is shipped:
        assert run_example("anthropic_setup.py", gw, mock) == ["echo: Hello!"]
    assert run_example("anthropic_custom_headers.py", gw, mock) == ["echo: Hello with custom headers!"]
    rec = calls(mock)[-1]
    assert rec.path == "/v1/messages" and rec.headers.get("x-api-key") == ANTHROPIC_KEY
    assert rec.body["model"] == "claude-3-sonnet-20240229"
    no_header_upstream(mock, "x-bf-vk")
    never_upstream(mock, "dummy-key", "vk_12345")


def test_anthropic_provider_prefixes(start_gateway, mock):
    gw = start_gateway(shipped(), env=KEY_ENV)
    assert run_example("anthropic_provider_prefixes.py", gw, mock) == [
        "echo: Hello from Claude!", "echo: Hello from OpenAI!", "echo: Hello from Gemini!",
        "echo: Hello from Azure!", "echo: Hello from Ollama!"]
    check_prefixes(mock)


def test_anthropic_direct_keys(start_gateway, mock):
    """The SDK sends api_key as Authorization: Bearer; x-api-key (Anthropic's own header) wins
    for Claude, Authorization for the OpenAI model."""
    gw = start_gateway(shipped_direct_keys(), env=KEY_ENV)
    assert run_example("anthropic_direct_keys.py", gw, mock) == [
        "echo: Hello from Claude!", "echo: Hello Claude!", "echo: Hello GPT!"]
    c = calls(mock)
    assert [r.path for r in c] == ["/v1/messages", "/v1/messages", "/v1/chat/completions"], [r.path for r in c]
    assert c[0].headers.get("x-api-key") == "sk-your-anthropic-key", c[0].headers
    assert c[1].headers.get("x-api-key") == "sk-ant-your-anthropic-key", c[1].headers
    assert c[2].auth() == "sk-your-openai-key", c[2].headers
    never_upstream(mock, "dummy-key", OPENAI_KEY, ANTHROPIC_KEY)


@pytest.mark.parametrize("config", [shipped, shipped_async], ids=["shipped", "async-plugin"])
def test_anthropic_async(start_gateway, mock, config):
    gw = start_gateway(config(), env=KEY_ENV)
    assert run_example("anthropic_async_messages.py", gw, mock) == ["echo: Tell me a short story."]
    c = calls(mock)
    assert [r.path for r in c] == ["/v1/messages"], "one upstream call per job"
    assert c[0].body["model"] == "claude-sonnet-4-20250514" and c[0].headers.get("x-api-key") == ANTHROPIC_KEY
    no_header_upstream(mock, "x-bf-async", "x-bf-async-id")


@pytest.mark.parametrize("config,forwarded", [(shipped, False), (shipped_beta_allowed, True)],
                         ids=["blocked-by-default", "allow-listed"])
def test_anthropic_beta_header_blocked_until_allow_listed(start_gateway, mock, config, forwarded):
    gw = start_gateway(config(), env=KEY_ENV)
    assert run_example("anthropic_beta_header.py", gw, mock) == ["echo: Hello with a beta!"]
    rec = calls(mock)[-1]
    assert rec.path == "/v1/messages"
    assert rec.headers.get("anthropic-beta") == ("prompt-caching-2024-07-31" if forwarded else None), rec.headers


# --------------------------------------------------------------------------- APISIX ai-proxy page

def test_apisix_openai_style_route_served_by_anthropic(start_gateway, mock):
    gw = start_gateway(apisix(), env={"ANTHROPIC_API_KEY": ANTHROPIC_KEY})
    assert run_example("apisix_anthropic_chat.py", gw, mock) == [
        "echo: Translate the following to French: Hello, how are you?"]
    rec = calls(mock)[-1]
    assert rec.path == "/v1/messages" and rec.headers.get("x-api-key") == ANTHROPIC_KEY
    assert rec.body["model"] == "claude-3-5-sonnet-20240620", "the route's model, not the client's gpt-4"
    assert rec.body["max_tokens"] == 500
    assert rec.body["system"] in ("You are a professional translator.",
                                  [{"type": "text", "text": "You are a professional translator."}])
    assert [m["role"] for m in rec.body["messages"]] == ["user"]

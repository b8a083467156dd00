"""Async inference end to end with the real SDKs (spec section 9): submit with
`x-bf-async: true`, poll with `x-bf-async-id`. Needs governance (jobs belong to a virtual key)
and a store (SQLite for the restart test)."""
from __future__ import annotations

import time

import anthropic
import openai
import pytest

from conftest import UPSTREAM_KEY, wait_until

VK_A, VK_B = "vk-async-a-secret-0001", "vk-async-b-secret-0002"
SUBMIT = {"x-bf-async": "true"}


def config(store: str = "memory", ttl: int = 60, drain: int = 5) -> str:
    def route(rid, uri, surface):
        return f"""  - id: {rid}
    uri: {uri}
    methods: [POST]
    plugins:
      - governance: {{required: true}}
      - async: {{ttl_seconds: {ttl}}}
      - telemetry: {{}}
      - ai-proxy: {{surface: {surface}}}
"""
    return f"""server:
  listen: {{{{LISTEN}}}}
  drain_seconds: {drain}
admin:
  listen: {{{{ADMIN}}}}
store: {store}
providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
virtual_keys:
  - {{key: {VK_A}, name: team-a}}
  - {{key: {VK_B}, name: team-b}}
routes:
{route("chat", "/v1/chat/completions", "openai-chat")}{route("responses", "/v1/responses", "openai-responses")}{route("messages", "/anthropic/v1/messages", "anthropic-messages")}"""


MESSAGES = [{"role": "user", "content": "async please"}]


def poll_chat(client, job_id, timeout=15):
    """Polls until the job has choices; returns the completion."""
    def once():
        r = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES,
                                           extra_headers={"x-bf-async-id": job_id})
        return r if r.choices else None
    done = wait_until(once, timeout, interval=0.2)
    assert done, f"job {job_id} did not finish within {timeout}s"
    return done


def test_openai_chat_submit_and_poll(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai(api_key=VK_A)
    job = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers=SUBMIT)
    assert job.id and job.object == "chat.completion" and job.choices == []
    done = poll_chat(client, job.id)
    assert done.choices[0].message.content == "echo: async please"
    assert done.usage.completion_tokens > 0
    # The upstream saw the gateway's key, and never the client's virtual key.
    assert mock.last.auth() == UPSTREAM_KEY
    assert VK_A not in mock.last.raw.decode(errors="replace")


def test_openai_responses_submit_and_poll(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai(api_key=VK_A)
    job = client.responses.create(model="gpt-4o-mini", input="async please", extra_headers=SUBMIT)
    assert job.id and job.status in ("queued", "in_progress") and job.output == []

    def once():
        r = client.responses.create(model="gpt-4o-mini", input="async please", extra_headers={"x-bf-async-id": job.id})
        return r if r.status == "completed" else None
    done = wait_until(once, 15, interval=0.2)
    assert done, "responses job did not complete"
    assert done.output_text == "echo: async please"


def test_anthropic_submit_and_poll(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.anthropic(api_key=VK_A)
    job = client.messages.create(model="claude-3-5-haiku-latest", max_tokens=64, messages=MESSAGES, extra_headers=SUBMIT)
    assert job.id and job.type == "message" and job.content == []

    def once():
        r = client.messages.create(model="claude-3-5-haiku-latest", max_tokens=64, messages=MESSAGES,
                                   extra_headers={"x-bf-async-id": job.id})
        return r if r.content else None
    done = wait_until(once, 15, interval=0.2)
    assert done, "anthropic job did not complete"
    assert done.content[0].text == "echo: async please"


def test_another_virtual_key_gets_404(start_gateway, mock):
    gw = start_gateway(config())
    a, b = gw.openai(api_key=VK_A), gw.openai(api_key=VK_B)
    job = a.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers=SUBMIT)
    poll_chat(a, job.id)
    with pytest.raises(openai.NotFoundError):
        b.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers={"x-bf-async-id": job.id})
    with pytest.raises(openai.NotFoundError):
        a.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers={"x-bf-async-id": "job-nope"})


def test_result_ttl_expires_to_404(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai(api_key=VK_A)
    job = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES,
                                         extra_headers={**SUBMIT, "x-bf-async-job-result-ttl": "1"})
    poll_chat(client, job.id)
    time.sleep(1.3)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers={"x-bf-async-id": job.id})


def test_failing_upstream_yields_its_error_on_poll(start_gateway, mock):
    gw = start_gateway(config())
    mock.script("*/chat/completions", status=429, message="upstream says slow down")
    client = gw.openai(api_key=VK_A)
    job = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers=SUBMIT)
    assert job.choices == []

    def once():
        try:
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers={"x-bf-async-id": job.id})
            return None  # still pending
        except openai.APIStatusError as e:
            return e
    err = wait_until(once, 15, interval=0.2)
    assert isinstance(err, openai.RateLimitError), err
    assert "slow down" in str(err)


def test_stream_with_async_is_400(start_gateway, mock):
    gw = start_gateway(config())
    client = gw.openai(api_key=VK_A)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True, extra_headers=SUBMIT)
    with pytest.raises(anthropic.AuthenticationError):  # no key: governance answers first
        gw.anthropic(api_key="not-a-key").messages.create(
            model="claude-3-5-haiku-latest", max_tokens=8, messages=MESSAGES, extra_headers=SUBMIT)


def test_job_pending_at_shutdown_completes_after_restart(start_gateway, mock):
    # The upstream hangs on the first attempt, so the job is still running when SIGTERM comes
    # and the drain (1 s) gives up on it; after the restart it runs again and completes.
    gw = start_gateway(config(store="sqlite:jobs.db", drain=1))
    mock.script("*/chat/completions", hang=True)
    client = gw.openai(api_key=VK_A)
    job = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers=SUBMIT)
    assert mock.wait_requests(1, timeout=5), "the job never reached the upstream"
    gw.term()
    assert gw.wait_exit(20) == 0, gw.logs()

    gw.start()
    client = gw.openai(api_key=VK_A)
    done = poll_chat(client, job.id, timeout=20)
    assert done.choices[0].message.content == "echo: async please"

"""An async job runs through the same request lifecycle as a client's request (the Dispatcher
owns every phase for both): its response phases run, so telemetry keeps its answer in the
request log, and governance counts its cost against the key's budget."""
from __future__ import annotations

import openai
import pytest

from conftest import UPSTREAM_KEY, wait_until

VK = "vk-async-lifecycle-0001"
MESSAGES = [{"role": "user", "content": "async lifecycle"}]


def config() -> str:
    return f"""server:
  listen: {{{{LISTEN}}}}
admin:
  listen: {{{{ADMIN}}}}
store: memory
providers:
  openai: {{endpoint: "{{{{MOCK}}}}/v1", api_key: {UPSTREAM_KEY}}}
  anthropic: {{endpoint: "{{{{MOCK}}}}", api_key: {UPSTREAM_KEY}}}
virtual_keys:
  - {{key: {VK}, name: team-life, budget: {{max_usd: 0.0001, period: 1d}}}}
routes:
  - id: chat
    uri: /v1/chat/completions
    methods: [POST]
    plugins:
      - governance: {{required: true}}
      - async: {{ttl_seconds: 60}}
      - telemetry: {{log_payloads: true}}
      - ai-proxy: {{surface: openai-chat}}
"""


@pytest.mark.parametrize("model", ["gpt-4o-mini", "anthropic/claude-3-5-haiku-20241022"])
def test_async_job_has_its_answer_logged_and_its_cost_counted(start_gateway, mock, model):
    gw = start_gateway(config())
    # The budget ($0.0001) admits the job's worst case (its small body, no max_tokens), and the
    # answer's real usage (10 000 prompt tokens, about $0.0015) spends it.
    mock.script("*/chat/completions", usage={"prompt_tokens": 10000, "total_tokens": 10004})
    mock.script("/v1/messages", usage={"input_tokens": 10000})
    client = gw.openai(api_key=VK)
    job = client.chat.completions.create(model=model, messages=MESSAGES, extra_headers={"x-bf-async": "true"})
    assert job.choices == []

    def row():
        rows = gw.admin("GET", "/admin/logs").json().get("data") or []
        return next((x for x in rows if x.get("request_id") == job.id), None)
    logged = wait_until(row, 5)
    assert logged, f"no request-log row for job {job.id}: {gw.admin('GET', '/admin/logs').body[:800]!r}"
    # The response phases ran for the job: its answer is in its row, as for a client's request.
    assert "echo: async lifecycle" in (logged.get("response_body") or ""), logged
    assert (logged.get("cost_usd") or 0) > 0, logged
    # Governance charged the job: the tiny budget is spent, so the next request (the poll
    # included: governance runs first) is refused.
    with pytest.raises(openai.RateLimitError) as e:
        client.chat.completions.create(model=model, messages=MESSAGES, extra_headers={"x-bf-async-id": job.id})
    assert "budget" in str(e.value).lower()
    assert len([r for r in mock.requests if "chat/completions" in r.path or "messages" in r.path]) == 1

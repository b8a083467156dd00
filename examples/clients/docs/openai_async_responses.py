#!/usr/bin/env python3
"""Bifrost's OpenAI SDK integration page, "Async Inference", Responses API: submit with
x-bf-async, poll with x-bf-async-id (a route without the async plugin answers at once).

    TOLLGATE_URL=http://localhost:8080 python3 examples/clients/docs/openai_async_responses.py
"""
import os
import time

import openai

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

client = openai.OpenAI(
    base_url=f"{GATEWAY}/openai",
    api_key="dummy-key"
)

# Submit async request
initial = client.responses.create(
    model="openai/gpt-4o-mini",
    input="Tell me a short story.",
    extra_headers={"x-bf-async": "true"}
)

# If status is "completed", the request completed synchronously
if initial.status == "completed":
    print(initial.output_text)
else:
    # Poll until completed
    while True:
        time.sleep(2)
        poll = client.responses.create(
            model="openai/gpt-4o-mini",
            input="Tell me a short story.",
            extra_headers={"x-bf-async-id": initial.id}
        )
        if poll.status == "completed":
            print(poll.output_text)
            break

#!/usr/bin/env python3
"""Bifrost's Anthropic SDK integration page, "Async Inference", Messages: submit with
x-bf-async, poll with x-bf-async-id (a route without the async plugin answers at once).

    TOLLGATE_URL=http://localhost:8080 python3 examples/clients/docs/anthropic_async_messages.py
"""
import os
import time

import anthropic

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

client = anthropic.Anthropic(
    base_url=f"{GATEWAY}/anthropic",
    api_key="dummy-key"
)

# Submit async request
initial = client.messages.create(
    model="anthropic/claude-sonnet-4-20250514",
    max_tokens=256,
    messages=[{"role": "user", "content": "Tell me a short story."}],
    extra_headers={"x-bf-async": "true"}
)

# If content is present, the request completed synchronously
if initial.content:
    print(initial.content[0].text)
else:
    # Poll until completed
    while True:
        time.sleep(2)
        poll = client.messages.create(
            model="anthropic/claude-sonnet-4-20250514",
            max_tokens=256,
            messages=[{"role": "user", "content": "Tell me a short story."}],
            extra_headers={"x-bf-async-id": initial.id}
        )
        if poll.content:
            print(poll.content[0].text)
            break

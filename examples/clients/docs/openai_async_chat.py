#!/usr/bin/env python3
"""Bifrost's OpenAI SDK integration page, "Async Inference", Chat Completions: submit with
x-bf-async, poll with x-bf-async-id (a route without the async plugin answers at once).

    TOLLGATE_URL=http://localhost:8080 python3 examples/clients/docs/openai_async_chat.py
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
initial = client.chat.completions.create(
    model="openai/gpt-4o-mini",
    messages=[{"role": "user", "content": "Tell me a short story."}],
    extra_headers={"x-bf-async": "true"}
)

# If choices are present, the request completed synchronously
if initial.choices:
    print(initial.choices[0].message.content)
else:
    # Poll until completed
    while True:
        time.sleep(2)
        poll = client.chat.completions.create(
            model="openai/gpt-4o-mini",
            messages=[{"role": "user", "content": "Tell me a short story."}],
            extra_headers={"x-bf-async-id": initial.id}
        )
        if poll.choices:
            print(poll.choices[0].message.content)
            break

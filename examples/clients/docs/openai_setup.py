#!/usr/bin/env python3
"""Bifrost's OpenAI SDK integration page, "Setup", against Tollgate: base URL <gateway>/openai.

    TOLLGATE_URL=http://localhost:8080 python3 examples/clients/docs/openai_setup.py
"""
import os

import openai

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

# Configure client to use Tollgate
client = openai.OpenAI(
    base_url=f"{GATEWAY}/openai",
    api_key="dummy-key"  # Keys handled by Tollgate
)

# Make requests as usual
response = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Hello!"}]
)

print(response.choices[0].message.content)

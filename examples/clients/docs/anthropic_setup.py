#!/usr/bin/env python3
"""Bifrost's Anthropic SDK integration page, "Setup", against Tollgate: base URL <gateway>/anthropic.

    TOLLGATE_URL=http://localhost:8080 python3 examples/clients/docs/anthropic_setup.py
"""
import os

import anthropic

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

# Configure client to use Tollgate
client = anthropic.Anthropic(
    base_url=f"{GATEWAY}/anthropic",
    api_key="dummy-key"  # Keys handled by Tollgate
)

# Make requests as usual
response = client.messages.create(
    model="claude-3-sonnet-20240229",
    max_tokens=1000,
    messages=[{"role": "user", "content": "Hello!"}]
)

print(response.content[0].text)

#!/usr/bin/env python3
"""Bifrost's Anthropic SDK integration page, "Adding Custom Headers": headers for the gateway's
plugins (here a virtual key for governance) go in default_headers.

    TOLLGATE_URL=http://localhost:8080 TOLLGATE_VK=vk_12345 python3 examples/clients/docs/anthropic_custom_headers.py
"""
import os

import anthropic

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

client = anthropic.Anthropic(
    base_url=f"{GATEWAY}/anthropic",
    api_key="dummy-key",
    default_headers={
        "x-bf-vk": os.environ.get("TOLLGATE_VK", "vk_12345"),  # Virtual key for governance
    }
)

response = client.messages.create(
    model="claude-3-sonnet-20240229",
    max_tokens=1000,
    messages=[{"role": "user", "content": "Hello with custom headers!"}]
)

print(response.content[0].text)

#!/usr/bin/env python3
"""Bifrost's OpenAI SDK integration page, "Adding Custom Headers": headers for the gateway's
plugins (here a virtual key for governance) go in default_headers.

    TOLLGATE_URL=http://localhost:8080 TOLLGATE_VK=vk_12345 python3 examples/clients/docs/openai_custom_headers.py
"""
import os

import openai

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

client = openai.OpenAI(
    base_url=f"{GATEWAY}/openai",
    api_key="dummy-key",
    default_headers={
        "x-bf-vk": os.environ.get("TOLLGATE_VK", "vk_12345"),  # Virtual key for governance
    }
)

response = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Hello with custom headers!"}]
)

print(response.choices[0].message.content)

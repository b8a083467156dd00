#!/usr/bin/env python3
"""Bifrost's Anthropic SDK integration page, "Using Direct Keys": a provider's own key, as the
SDK's api_key or per request in that provider's header. Needs `allow_direct_keys: true` on the
route's ai-proxy. The Anthropic SDK sends its api_key as `Authorization: Bearer`; for a Claude
model the x-api-key header (Anthropic's own) wins over it.

    TOLLGATE_URL=http://localhost:8080 python3 examples/clients/docs/anthropic_direct_keys.py
"""
import os

import anthropic

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

# Using Anthropic's API key directly
client_with_direct_key = anthropic.Anthropic(
    base_url=f"{GATEWAY}/anthropic",
    api_key="sk-your-anthropic-key"  # Anthropic's API key works
)

anthropic_response = client_with_direct_key.messages.create(
    model="claude-3-sonnet-20240229",
    max_tokens=1000,
    messages=[{"role": "user", "content": "Hello from Claude!"}]
)
print(anthropic_response.content[0].text)

# or pass different provider keys per request using headers
client = anthropic.Anthropic(
    base_url=f"{GATEWAY}/anthropic",
    api_key="dummy-key"
)

# Use Anthropic key for Claude
anthropic_response = client.messages.create(
    model="claude-3-sonnet-20240229",
    max_tokens=1000,
    messages=[{"role": "user", "content": "Hello Claude!"}],
    extra_headers={
        "x-api-key": "sk-ant-your-anthropic-key"
    }
)
print(anthropic_response.content[0].text)

# Use OpenAI key for GPT models
openai_response = client.messages.create(
    model="openai/gpt-4o-mini",
    max_tokens=1000,
    messages=[{"role": "user", "content": "Hello GPT!"}],
    extra_headers={
        "Authorization": "Bearer sk-your-openai-key"
    }
)
print(openai_response.content[0].text)

#!/usr/bin/env python3
"""Bifrost's OpenAI SDK integration page, "Using Direct Keys": a provider's own key, passed as
the SDK's api_key or per request in that provider's header (Authorization for OpenAI,
x-api-key for Anthropic, x-goog-api-key for Gemini). Needs `allow_direct_keys: true` on the
route's ai-proxy (docs/configuration.md); the header native to the target provider wins over
the SDK's own Authorization.

    TOLLGATE_URL=http://localhost:8080 python3 examples/clients/docs/openai_direct_keys.py
"""
import os

import openai

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

# Using OpenAI's API key directly
client_with_direct_key = openai.OpenAI(
    base_url=f"{GATEWAY}/openai",
    api_key="sk-your-openai-key"  # OpenAI's API key works
)

openai_response = client_with_direct_key.chat.completions.create(
    model="openai/gpt-4o-mini",
    messages=[{"role": "user", "content": "Hello from GPT!"}]
)
print(openai_response.choices[0].message.content)

# Or pass different provider keys per request
client = openai.OpenAI(
    base_url=f"{GATEWAY}/openai",
    api_key="dummy-key"
)

# Use OpenAI key for GPT models
openai_response = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Hello GPT!"}],
    extra_headers={
        "Authorization": "Bearer sk-your-openai-key"
    }
)
print(openai_response.choices[0].message.content)

# Use Anthropic key for Claude models
anthropic_response = client.chat.completions.create(
    model="anthropic/claude-3-sonnet-20240229",
    messages=[{"role": "user", "content": "Hello Claude!"}],
    extra_headers={
        "x-api-key": "sk-ant-your-anthropic-key"
    }
)
print(anthropic_response.choices[0].message.content)

# Use Gemini key for Gemini models
gemini_response = client.chat.completions.create(
    model="gemini/gemini-2.5-flash",
    messages=[{"role": "user", "content": "Hello Gemini!"}],
    extra_headers={
        "x-goog-api-key": "sk-gemini-your-gemini-key"
    }
)
print(gemini_response.choices[0].message.content)

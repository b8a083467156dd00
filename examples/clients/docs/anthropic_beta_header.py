#!/usr/bin/env python3
"""Bifrost's Anthropic SDK integration page, the note on `anthropic-beta`: Anthropic gates new
features behind that header, which the SDK sends for `client.beta.messages.create(betas=...)`.
Tollgate forwards no client header by default; the route must allow-list it:

    plugins:
      - header-allowlist: {allow: [anthropic-beta]}
      - ai-proxy: {}

    TOLLGATE_URL=http://localhost:8080 python3 examples/clients/docs/anthropic_beta_header.py
"""
import os

import anthropic

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

client = anthropic.Anthropic(
    base_url=f"{GATEWAY}/anthropic",
    api_key="dummy-key"
)

response = client.beta.messages.create(
    model="claude-3-sonnet-20240229",
    max_tokens=1000,
    betas=["prompt-caching-2024-07-31"],
    messages=[{"role": "user", "content": "Hello with a beta!"}]
)

print(response.content[0].text)

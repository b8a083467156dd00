#!/usr/bin/env python3
"""Bifrost's Anthropic SDK integration page, "Provider/Model Usage Examples": every provider
through the Anthropic SDK, chosen by the model's prefix.

    TOLLGATE_URL=http://localhost:8080 python3 examples/clients/docs/anthropic_provider_prefixes.py
"""
import os

import anthropic

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

client = anthropic.Anthropic(
    base_url=f"{GATEWAY}/anthropic",
    api_key="dummy-key"
)

# Anthropic models (default)
anthropic_response = client.messages.create(
    model="claude-3-sonnet-20240229",
    max_tokens=1000,
    messages=[{"role": "user", "content": "Hello from Claude!"}]
)

# OpenAI models via Anthropic SDK format
openai_response = client.messages.create(
    model="openai/gpt-4o-mini",
    max_tokens=1000,
    messages=[{"role": "user", "content": "Hello from OpenAI!"}]
)

# Google Vertex models via Anthropic SDK format
vertex_response = client.messages.create(
    model="vertex/gemini-pro",
    max_tokens=1000,
    messages=[{"role": "user", "content": "Hello from Gemini!"}]
)

# Azure models
azure_response = client.messages.create(
    model="azure/gpt-4o",
    max_tokens=1000,
    messages=[{"role": "user", "content": "Hello from Azure!"}]
)

# Local Ollama models
ollama_response = client.messages.create(
    model="ollama/llama3.1:8b",
    max_tokens=1000,
    messages=[{"role": "user", "content": "Hello from Ollama!"}]
)

for r in (anthropic_response, openai_response, vertex_response, azure_response, ollama_response):
    print(r.content[0].text)

#!/usr/bin/env python3
"""Bifrost's OpenAI SDK integration page, "Provider/Model Usage Examples": every provider
through the OpenAI SDK, chosen by the model's prefix.

    TOLLGATE_URL=http://localhost:8080 python3 examples/clients/docs/openai_provider_prefixes.py
"""
import os

import openai

GATEWAY = os.environ.get("TOLLGATE_URL", "http://localhost:8080")

client = openai.OpenAI(
    base_url=f"{GATEWAY}/openai",
    api_key="dummy-key"
)

# OpenAI models (default)
openai_response = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Hello from OpenAI!"}]
)

# Anthropic models via OpenAI SDK format
anthropic_response = client.chat.completions.create(
    model="anthropic/claude-3-sonnet-20240229",
    messages=[{"role": "user", "content": "Hello from Claude!"}]
)

# Google Vertex models via OpenAI SDK format
vertex_response = client.chat.completions.create(
    model="vertex/gemini-pro",
    messages=[{"role": "user", "content": "Hello from Gemini!"}]
)

# Azure models
azure_response = client.chat.completions.create(
    model="azure/gpt-4o",
    messages=[{"role": "user", "content": "Hello from Azure!"}]
)

# Local Ollama models
ollama_response = client.chat.completions.create(
    model="ollama/llama3.1:8b",
    messages=[{"role": "user", "content": "Hello from Ollama!"}]
)

for r in (openai_response, anthropic_response, vertex_response, azure_response, ollama_response):
    print(r.choices[0].message.content)

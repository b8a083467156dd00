#!/usr/bin/env python3
"""Apache APISIX's ai-proxy page for the Anthropic provider, "Request Example": a standard
OpenAI-style request to a route that Anthropic serves (examples/routes-apisix-anthropic.yaml);
the gateway translates it to the Messages API and back. The page's curl, in Python:

    curl http://127.0.0.1:9080/v1/chat/completions -X POST -H "Content-Type: application/json" -d '{...}'

    TOLLGATE_URL=http://127.0.0.1:8080 python3 examples/clients/docs/apisix_anthropic_chat.py
"""
import json
import os
import urllib.request

GATEWAY = os.environ.get("TOLLGATE_URL", "http://127.0.0.1:9080")

body = {
    "model": "gpt-4",
    "messages": [
        {"role": "system", "content": "You are a professional translator."},
        {"role": "user", "content": "Translate the following to French: Hello, how are you?"}
    ],
    "max_tokens": 500
}

req = urllib.request.Request(f"{GATEWAY}/v1/chat/completions", method="POST",
                             data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=60) as resp:
    answer = json.load(resp)

print(answer["choices"][0]["message"]["content"])

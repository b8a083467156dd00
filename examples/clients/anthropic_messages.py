#!/usr/bin/env python3
"""Anthropic Messages through Tollgate using the official Anthropic SDK (base_url = <gateway>/anthropic).

    TOLLGATE_URL=http://127.0.0.1:8080 python3 examples/clients/anthropic_messages.py "Hello!"
"""
import argparse
import os

import anthropic


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prompt")
    ap.add_argument("--base-url", default=os.environ.get("TOLLGATE_URL", "http://127.0.0.1:8080") + "/anthropic")
    ap.add_argument("--api-key", default=os.environ.get("TOLLGATE_KEY", "unused"))
    ap.add_argument("--model", default="claude-3-5-sonnet-20240620")
    ap.add_argument("--stream", action="store_true")
    a = ap.parse_args()

    client = anthropic.Anthropic(base_url=a.base_url, api_key=a.api_key, max_retries=0)
    messages = [{"role": "user", "content": a.prompt}]
    if a.stream:
        with client.messages.stream(model=a.model, max_tokens=512, messages=messages) as stream:
            for text in stream.text_stream:
                print(text, end="", flush=True)
        print()
    else:
        r = client.messages.create(model=a.model, max_tokens=512, messages=messages)
        print("".join(b.text for b in r.content if b.type == "text"))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Chat with any provider through Tollgate using the official OpenAI SDK.

    TOLLGATE_URL=http://127.0.0.1:8080 python3 examples/clients/openai_chat.py "Hello!"
    python3 examples/clients/openai_chat.py --stream --model anthropic/claude-3-5-sonnet-20240620 "Hi"

The only change from talking to OpenAI directly is base_url (and a virtual key, if the route
uses governance, as the api_key).
"""
import argparse
import os

import openai


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prompt")
    ap.add_argument("--base-url", default=os.environ.get("TOLLGATE_URL", "http://127.0.0.1:8080") + "/v1")
    ap.add_argument("--api-key", default=os.environ.get("TOLLGATE_KEY", "unused"))
    ap.add_argument("--model", default="gpt-4o-mini")
    ap.add_argument("--stream", action="store_true")
    a = ap.parse_args()

    client = openai.OpenAI(base_url=a.base_url, api_key=a.api_key, max_retries=0)
    messages = [{"role": "user", "content": a.prompt}]
    if a.stream:
        stream = client.chat.completions.create(model=a.model, messages=messages, stream=True,
                                                stream_options={"include_usage": True})
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)
        print()
    else:
        r = client.chat.completions.create(model=a.model, messages=messages)
        print(r.choices[0].message.content)


if __name__ == "__main__":
    main()

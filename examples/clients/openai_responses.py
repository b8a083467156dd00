#!/usr/bin/env python3
"""The OpenAI Responses API through Tollgate.

    TOLLGATE_URL=http://127.0.0.1:8080 python3 examples/clients/openai_responses.py "Hello!"
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
    if a.stream:
        with client.responses.stream(model=a.model, input=a.prompt) as stream:
            for event in stream:
                if event.type == "response.output_text.delta":
                    print(event.delta, end="", flush=True)
        print()
    else:
        print(client.responses.create(model=a.model, input=a.prompt).output_text)


if __name__ == "__main__":
    main()

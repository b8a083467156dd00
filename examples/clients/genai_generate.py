#!/usr/bin/env python3
"""Gemini through Tollgate using the official google-genai SDK (base_url = <gateway>/genai).

    TOLLGATE_URL=http://127.0.0.1:8080 python3 examples/clients/genai_generate.py "Hello!"

google-genai appends "{api_version}/models/{model}:generateContent" to base_url; its default
api_version is "v1" in recent releases, so "v1beta" (the path Tollgate serves) is set explicitly.
"""
import argparse
import os

from google import genai
from google.genai import types


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prompt")
    ap.add_argument("--base-url", default=os.environ.get("TOLLGATE_URL", "http://127.0.0.1:8080") + "/genai")
    ap.add_argument("--api-key", default=os.environ.get("TOLLGATE_KEY", "unused"))
    ap.add_argument("--model", default="gemini-2.0-flash")
    ap.add_argument("--stream", action="store_true")
    a = ap.parse_args()

    client = genai.Client(api_key=a.api_key,
                          http_options=types.HttpOptions(base_url=a.base_url, api_version="v1beta"))
    if a.stream:
        for chunk in client.models.generate_content_stream(model=a.model, contents=a.prompt):
            print(chunk.text or "", end="", flush=True)
        print()
    else:
        print(client.models.generate_content(model=a.model, contents=a.prompt).text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Run the recording mock upstream on its own, e.g. for `make run` against it by hand:

    python3 Tests/e2e/mock_upstream.py --port 9000

then point a provider at it in routes.yaml: `endpoint: http://127.0.0.1:9000/v1` (OpenAI-style),
`http://127.0.0.1:9000` (Anthropic, Gemini, Ollama, Azure). Every request is printed as one line.
The implementation (one file per provider) lives in Tests/e2e/mock/.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mock import MockUpstream  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9000)
    ap.add_argument("--gap", type=float, default=0.0, help="seconds between stream events")
    args = ap.parse_args()
    mock = MockUpstream(args.host, args.port).start()
    if args.gap:
        mock.script("*", gap=args.gap, times=None)
    print(f"mock upstream listening on {mock.url}", file=sys.stderr, flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.2)
            reqs = list(mock.requests)
            for r in reqs[seen:]:
                print(json.dumps({"method": r.method, "path": r.path, "query": r.query,
                                  "auth": r.auth(), "model": (r.body or {}).get("model") if isinstance(r.body, dict) else None}),
                      flush=True)
            seen = len(reqs)
    except KeyboardInterrupt:
        pass
    finally:
        mock.stop()


if __name__ == "__main__":
    main()

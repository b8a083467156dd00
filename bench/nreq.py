#!/usr/bin/env python3
"""Send exactly N POSTs on one kept-alive connection, reading each answer to its end.

  nreq.py URL BODY_FILE N [--timeout S] [-H 'name: value' ...]

Used by bench/profile, where the count (not the duration) must be fixed. Loopback only.
Prints "requests=N ok=K seconds=T"; exits 1 if any answer is not 200.
"""
import http.client
import sys
import time
import urllib.parse


def main():
    args = sys.argv[1:]
    headers = {"Content-Type": "application/json", "Authorization": "Bearer sk-client-not-used"}
    timeout = 30.0
    pos = []
    i = 0
    while i < len(args):
        if args[i] == "-H":
            k, v = args[i + 1].split(":", 1)
            headers[k.strip()] = v.strip()
            i += 2
        elif args[i] == "--timeout":
            timeout = float(args[i + 1])
            i += 2
        else:
            pos.append(args[i])
            i += 1
    url, body_file, n = pos[0], pos[1], int(pos[2])
    u = urllib.parse.urlsplit(url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("nreq.py: loopback targets only")
    body = open(body_file, "rb").read()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    ok = 0
    bad = None
    t0 = time.monotonic()
    for _ in range(n):
        conn.request("POST", u.path or "/", body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        if r.status == 200:
            ok += 1
        elif bad is None:
            bad = f"HTTP {r.status}: {data[:200]!r}"
        if r.will_close:
            conn.close()
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    print(f"requests={n} ok={ok} seconds={time.monotonic() - t0:.3f}")
    if bad:
        print(f"first failure: {bad}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Send exactly N POSTs on kept-alive connections, reading each answer to its end.

  nreq.py URL BODY_FILE N [--timeout S] [--connections C] [-H 'name: value' ...]

With --connections C (default 1), C threads share the N requests, each on its own connection,
so the gateway holds C client connections and C pooled upstream ones, as under wrk -c C.

Used by bench/profile, where the count (not the duration) must be fixed. Loopback only.
Prints "requests=N ok=K seconds=T"; exits 1 if any answer is not 200.
"""
import http.client
import sys
import threading
import time
import urllib.parse


def main():
    args = sys.argv[1:]
    headers = {"Content-Type": "application/json", "Authorization": "Bearer sk-client-not-used"}
    timeout = 30.0
    conns = 1
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
        elif args[i] == "--connections":
            conns = int(args[i + 1])
            i += 2
        else:
            pos.append(args[i])
            i += 1
    url, body_file, n = pos[0], pos[1], int(pos[2])
    u = urllib.parse.urlsplit(url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("nreq.py: loopback targets only")
    body = open(body_file, "rb").read()
    if not 1 <= conns <= min(n, 1000):
        sys.exit("nreq.py: --connections must be 1..min(N, 1000)")
    results = []  # (ok, first failure or None) per connection
    lock = threading.Lock()

    def run(count):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        ok, bad = 0, None
        try:
            for _ in range(count):
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
        except OSError as e:
            bad = bad or f"{type(e).__name__}: {e}"
        finally:
            conn.close()
        with lock:
            results.append((ok, bad))

    t0 = time.monotonic()
    threads = [threading.Thread(target=run, args=(n // conns + (1 if k < n % conns else 0),)) for k in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = sum(r[0] for r in results)
    bad = next((r[1] for r in results if r[1]), None)
    print(f"requests={n} ok={ok} seconds={time.monotonic() - t0:.3f}")
    if bad or ok != n:
        print(f"first failure: {bad}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

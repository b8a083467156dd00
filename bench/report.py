#!/usr/bin/env python3
"""Format bench/run results as one markdown table (stdlib only).

Input: a results directory written by bench/run:
  rows.tsv    id<TAB>label<TAB>direct-baseline-id<TAB>proxy-baseline-id<TAB>status
              (status: "ok", or the reason the row was not measured)
  res-ID-C    one line of key=value pairs from bench/wrk/post.lua's done(), C = connections
  res-ID-C.rK the same for round K > 1 (BENCH_ROUNDS); cells are then medians over the rounds,
              and the two comparison columns also give their range
  meta        key=value lines (machine, versions, RSS, start-up)
  profile-ROW-cC.kv  bench/profile's results (copied from bench/out/ by bench/run): the
              instructions per request of rows c, h and mg are compared under the table when they
              come from the same binary as the run (meta gateway_sha)

  report.py --profile-compare DIR SHA CONNS ROW
              what bench/profile prints after a run of ROW: the same comparisons, from the
              profile-*.kv files in DIR with that binary (SHA) and connection count
"""
import os
import statistics
import sys


def load_kv(path):
    out = {}
    try:
        with open(path) as f:
            for tok in f.read().split():
                if "=" in tok:
                    k, v = tok.split("=", 1)
                    out[k] = v
    except OSError:
        pass
    return out


def load_meta(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    out[k] = v
    except OSError:
        pass
    return out


def measure(d, rid, conns, rnd=1):
    kv = load_kv(os.path.join(d, f"res-{rid}-{conns}" + (f".r{rnd}" if rnd > 1 else "")))
    if not kv or int(kv.get("requests", 0)) == 0:
        return None
    n = int(kv["requests"])
    dur = int(kv["duration_us"]) / 1e6
    errs = {k: int(kv.get(k, 0)) for k in ("connect", "read", "write", "status", "timeout")}
    return {"rps": n / dur if dur else 0.0, "p50": int(kv["p50_us"]), "p99": int(kv["p99_us"]),
            "n": n, "errs": {k: v for k, v in errs.items() if v}}


def median_of(runs, key):
    vals = [r[key] for r in runs if r]
    return statistics.median(vals) if vals else None


def paired(a_runs, b_runs, f):
    """f(a, b) for every round where both rows were measured: comparisons stay within a round."""
    return [f(a, b) for a, b in zip(a_runs, b_runs) if a and b]


def spread(vals, fmt):
    """'median' for one value, 'median (min … max)' for several."""
    if not vals:
        return "n/a"
    m = fmt(statistics.median(vals))
    return m if len(vals) == 1 else f"{m} ({fmt(min(vals))} … {fmt(max(vals))})"


def load_profiles(d, sha):
    """bench/profile results in D from the binary SHA: {(row, connections): record}."""
    out = {}
    if not sha:
        return out
    try:
        names = sorted(os.listdir(d))
    except OSError:
        return out
    for name in names:
        if not (name.startswith("profile-") and name.endswith(".kv")):
            continue
        rec = load_meta(os.path.join(d, name))
        try:
            if rec.get("gateway_sha") != sha:
                continue
            rec["ir"] = int(rec["ir_per_request"])
            out[(rec["row"], int(rec["connections"]))] = rec
        except (KeyError, ValueError):
            continue
    return out


# Rows compared in instructions per request: (row, its baseline, label, rule, check).
IR_CHECKS = (
    ("h", "c", "(h) cache hit", "compared with (c); a hit never leaves the process", lambda pct: pct < 0),
    ("mg", "c", "(mg) model group", "budget: at most +2% over (c)", lambda pct: pct <= 2.0),
    # The same route and request naming one target as `provider/model`: both pay the model's
    # rewrite in the body and the provider's URL, so the difference is the group's own cost.
    ("mg", "mp", "(mg) model group", "budget: at most +2% over (mp), the same request as plain provider/model", lambda pct: pct <= 2.0),
)


def profile_comparisons(profiles, conns, only=None):
    """Lines comparing rows h and mg with row c, instructions per request, at CONNS connections."""
    lines = []
    for rid, base, label, rule, ok in IR_CHECKS:
        if only and only not in (rid, base):
            continue
        r = profiles.get((rid, conns))
        c = profiles.get((base, conns))
        if not r:
            continue
        if not c:
            lines.append(f"{label}: {r['ir']:,} Ir/request ({conns} conn.); no row ({base}) result from the same binary "
                         f"to compare with (bench/profile --row {base}" + (f" --connections {conns}" if conns > 1 else "") + ")")
            continue
        delta = r["ir"] - c["ir"]
        pct = 100.0 * delta / c["ir"] if c["ir"] else 0.0
        cfg = ""
        if c.get("config") != r.get("config"):
            cfg = f"; (c) ran on {c.get('config', '?')}, {rid} on {r.get('config', '?')}"
        lines.append(f"{label}: {r['ir']:,} Ir/request vs ({base}) {c['ir']:,} ({conns} conn.): {delta:+,} ({pct:+.2f}%) — "
                     f"{rule}: {'met' if ok(pct) else 'NOT MET'}{cfg}")
    return lines


def profile_compare_cli(args):
    d, sha, conns, row = args[0], args[1], int(args[2]), args[3]
    if row not in ("c", "h", "mg", "mp"):
        return
    lines = profile_comparisons(load_profiles(d, sha), conns, only=row)
    if lines:
        print("compared (bench/out/profile-*.kv, same binary):")
        print("\n".join("  " + x for x in lines))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--profile-compare":
        profile_compare_cli(sys.argv[2:])
        return
    d = sys.argv[1]
    rows = []
    with open(os.path.join(d, "rows.tsv")) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 5:
                rows.append(parts[:5])
    meta = load_meta(os.path.join(d, "meta"))
    rounds = max(1, int(meta.get("rounds", "1") or 1))
    res = {}
    for rid, *_ in rows:
        res[rid] = {c: [measure(d, rid, c, k) for k in range(1, rounds + 1)] for c in (1, 50)}

    notes = []
    hdr = ["row", "req/s c=1", "p50 c=1 (µs)", "p99 c=1 (µs)", "added p50 vs direct (µs)",
           "req/s c=50", "p50 c=50 (µs)", "p99 c=50 (µs)", "c=50 throughput vs nginx proxy"]
    lines = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    for rid, label, direct, proxy, status in rows:
        r1s, r50s = res[rid][1], res[rid][50]
        if status != "ok" and not any(r1s) and not any(r50s):
            why = status[:150].replace("|", "\\|")
            lines.append(f"| {label} | " + " | ".join(["n/a"] * (len(hdr) - 2)) + f" | n/a: {why} |")
            continue

        def figures(runs):
            if not any(runs):
                return ["ERR"] * 3
            return [f"{median_of(runs, 'rps'):,.0f}", f"{median_of(runs, 'p50'):.0f}", f"{median_of(runs, 'p99'):.0f}"]

        cells = [label] + figures(r1s)
        if rid == direct or direct == "-":
            cells.append("—")
        else:
            base = res.get(direct, {}).get(1, [])
            cells.append(spread(paired(r1s, base, lambda r, b: r["p50"] - b["p50"]), lambda v: f"{v:+.0f}"))
        cells += figures(r50s)
        if proxy == "-":
            cells.append("—")
        elif rid == proxy:
            cells.append("1.00")
        else:
            pbase = res.get(proxy, {}).get(50, [])
            ratios = paired(r50s, pbase, lambda r, b: r["rps"] / b["rps"] if b["rps"] else None)
            cells.append(spread([v for v in ratios if v is not None], lambda v: f"{v:.2f}"))
        for c, runs in ((1, r1s), (50, r50s)):
            for k, r in enumerate(runs, 1):
                if r and r["errs"]:
                    notes.append(f"row {label}, c={c}" + (f", round {k}" if rounds > 1 else "")
                                 + f": errors {r['errs']} out of {r['n']} requests")
        if status != "ok":
            notes.append(f"row {label}: {status}")
        lines.append("| " + " | ".join(cells) + " |")

    out = []
    out.append(f"## Tollgate bench — {meta.get('date', '?')}")
    out.append("")
    out.append(f"Machine: {meta.get('nproc', '?')} cores, {meta.get('cpu', '?')}, kernel {meta.get('kernel', '?')}, "
               f"{meta.get('mem', '?')} RAM. Tools: {meta.get('nginx', '?')}, {meta.get('wrk', '?')}. "
               f"Gateway: {meta.get('gateway', 'n/a')}. Repo: {meta.get('commit', '?')}.")
    pin = meta.get("pin_c1", "off")
    placement = ("every process on CPU " + pin + " for the c=1 runs, all CPUs for c=50") if pin != "off" else "no CPU pinning"
    out.append(f"Per row: {meta.get('warmup', '?')} s warm-up at c=50, then {meta.get('seconds', '?')} s at c=1 (1 thread) "
               f"and {meta.get('seconds', '?')} s at c=50 (2 threads); body {meta.get('body_bytes', '?')} B "
               f"({meta.get('stream_body_bytes', '?')} B for streams). Loopback only; {placement}."
               + (f" {rounds} rounds, rows interleaved: each cell is the median over the rounds; the two"
                  " comparison columns are computed within each round and give the median (lowest … highest)."
                  if rounds > 1 else "")
               + (f" CPU steal during the c=50 runs: {meta['steal_pct']}%." if meta.get("steal_pct") else ""))
    out.append("")
    out.extend(lines)
    out.append("")
    out.append("Baselines: (c), (d), (f), (fs), (fp), (h), (mg) compare with (a) and (b); the stream rows (e1), (e2) with (a′) and (b′). "
               "\"added p50\" = row p50 − direct p50 at c=1; \"vs nginx proxy\" = row req/s ÷ nginx-proxy req/s at c=50.")
    out.append("")
    # Rows (h) and (mg) against the plain passthrough (c), same gateway, within each round.
    labels = {rid: label for rid, label, *_ in rows}
    vs_c = []
    for rid, what in (("h", "acceptance: below (c)"), ("mg", None)):
        if rid not in res or "c" not in res:
            continue
        added = paired(res[rid][1], res["c"][1], lambda r, b: r["p50"] - b["p50"])
        ratio = [v for v in paired(res[rid][50], res["c"][50], lambda r, b: r["rps"] / b["rps"] if b["rps"] else None)
                 if v is not None]
        if not (added or ratio):
            continue
        p50s = f"{median_of(res[rid][1], 'p50'):.0f} vs {median_of(res['c'][1], 'p50'):.0f} µs, " if added else ""
        line = (f"{labels[rid]} vs {labels['c']}: p50 at c=1 {p50s}{spread(added, lambda v: f'{v:+.0f}')} µs"
                + (f" ({what}: {'met' if statistics.median(added) < 0 else 'NOT MET'})" if what and added else "")
                + f", c=50 throughput × {spread(ratio, lambda v: f'{v:.2f}')}")
        vs_c.append(line)
    if vs_c:
        out.append("Against the passthrough (same gateway, same round): " + "; ".join(vs_c) + ".")
        out.append("")
    # Instructions per request (bench/profile) of the same binary: the acceptance figures of (h) and (mg).
    profiles = load_profiles(d, meta.get("gateway_sha"))
    ir_lines = []
    for conns in sorted({k[1] for k in profiles}):
        ir_lines += profile_comparisons(profiles, conns)
    if ir_lines:
        out.append("Instructions per request (bench/profile, same binary as this run): " + "; ".join(ir_lines) + ".")
        out.append("")
    elif "h" in res or "mg" in res:
        out.append("Instructions per request: none from this binary in bench/out/ "
                   "(bench/profile --row c, then --row h and --row mg, with the same TOLLGATE_BIN, put them here).")
        out.append("")
    # Row (f)'s route on its stores, compared within each round: what a store adds to the route.
    stores = []
    for rid, base, what in (("fs", "f", "SQLite over the default store"), ("fp", "fs", "PostgreSQL over SQLite")):
        if rid not in res or base not in res:
            continue
        added = paired(res[rid][1], res[base][1], lambda r, b: r["p50"] - b["p50"])
        ratio = [v for v in paired(res[rid][50], res[base][50], lambda r, b: r["rps"] / b["rps"] if b["rps"] else None)
                 if v is not None]
        if added or ratio:
            stores.append(f"{labels[rid]} vs {labels[base]} ({what}): p50 at c=1 {spread(added, lambda v: f'{v:+.0f}')} µs, "
                          f"c=50 throughput × {spread(ratio, lambda v: f'{v:.2f}')}")
    if stores:
        out.append("Stores (row (f)'s route, same round): " + "; ".join(stores) + ".")
        out.append("")
    g = []
    if meta.get("rss_idle_kib"):
        g.append(f"RSS idle {int(meta['rss_idle_kib']) / 1024:.1f} MiB")
    if meta.get("rss_after_kib"):
        g.append(f"after the c=50 runs {int(meta['rss_after_kib']) / 1024:.1f} MiB")
    if meta.get("rss_peak_kib"):
        g.append(f"peak (VmHWM) {int(meta['rss_peak_kib']) / 1024:.1f} MiB")
    if meta.get("startup_ms"):
        g.append(f"start-up (exec → first 200) {meta['startup_ms']} ms"
                 + (f" (port open at {meta['listen_ms']} ms)" if meta.get("listen_ms") else ""))
    if g:
        out.append("Gateway: " + "; ".join(g) + ".")
    else:
        out.append("Gateway: " + meta.get("gateway_note", "not measured") + ".")
    if meta.get("config"):
        out.append(f"Config: `{meta['config']}`.")
    for rid in ("fs", "fp"):
        x = []
        if meta.get(f"store_{rid}"):
            x.append(f"store {meta[f'store_{rid}']}")
        if meta.get(f"startup_ms_{rid}"):
            x.append(f"start-up {meta[f'startup_ms_{rid}']} ms")
        if meta.get(f"rss_after_{rid}_kib"):
            x.append(f"RSS after the runs {int(meta[f'rss_after_{rid}_kib']) / 1024:.1f} MiB")
        if x:
            out.append(f"Row ({rid}) gateway (its own process, `bench/routes-bench-plugins.yaml`): " + "; ".join(x) + ".")
    for k in sorted(meta):
        if k.startswith("note_"):
            notes.append(meta[k])
    if notes:
        out.append("")
        out.append("Notes:")
        out.extend(f"- {n}" for n in notes)
    print("\n".join(out))


if __name__ == "__main__":
    main()

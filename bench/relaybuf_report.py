#!/usr/bin/env python3
"""Tables (markdown) from bench/relaybuf.sh results: medians per chunk size, ratios vs the first size.

Usage: relaybuf_report.py RESULTS.jsonl KIB [KIB ...]   (the first KIB is the reference)
Ratios are the median over rounds of (variant / reference) with both numbers from the same round.
"""
import json
import statistics
import sys

path, sizes = sys.argv[1], [int(k) for k in sys.argv[2:]]
ref = sizes[0]
runs = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
ok = [x for x in runs if "r" in x]
bad = [x for x in runs if "r" not in x]


def value(test, k, key, rnd):
    for x in ok:
        if x["test"] == test and x["kib"] == k and x["round"] == rnd:
            v = x["r"].get(key)
            return v if v is not None and v >= 0 else None
    return None


def rounds(test=None):
    return sorted({x["round"] for x in ok if x["test"] == test or (test is None and x["round"] > 0)})


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, nd):
    return "n/a" if v is None else f"{v:,.{nd}f}"


COLS = [  # (test, key, header, decimals)
    ("push", "MBps", "push 1 stream MB/s", 0),
    ("push", "proxy_cpu_s_per_GB", "push CPU-s/GB", 3),
    ("pull", "MBps", "pull 8 streams MB/s", 0),
    ("pull", "proxy_cpu_s_per_GB", "pull CPU-s/GB", 3),
    ("rate32", "conn_per_s", "c=32 conn/s", 0),
    ("rate32", "proxy_cpu_us_per_conn", "CPU µs/conn", 1),
    ("idle", "rss_kb_per_conn", "idle RSS kB/conn", 2),
    ("idle", "pss_kb_per_conn", "idle PSS kB/conn", 2),
]

print("| chunk | " + " | ".join(c[2] for c in COLS) + " |")
print("|---|" + "--:|" * len(COLS))
for k in sizes:
    cells = []
    for test, key, _, nd in COLS:
        rs = rounds(test)
        m = med(value(test, k, key, r) for r in rs)
        cell = fmt(m, nd)
        if k != ref and m is not None:
            ratios = []
            for r in rs:
                a, b = value(test, k, key, r), value(test, ref, key, r)
                if a is not None and b:
                    ratios.append(a / b)
            if ratios:
                cell += f" ({statistics.median(ratios):.2f}×)"
        cells.append(cell)
    print(f"| {k} KiB | " + " | ".join(cells) + " |")

print()
print("Per round (value; other cores busy during the window):")
print()
print("| test | chunk | " + " | ".join(f"round {r}" for r in rounds()) + " |")
print("|---|---|" + "--:|" * len(rounds()))
for test, key, header, nd in COLS:
    if test == "idle" or not rounds(test):
        continue
    for k in sizes:
        cells = []
        for r in rounds(test):
            v = value(test, k, key, r)
            oth = value(test, k, "other_cores", r)
            cells.append(f"{fmt(v, nd)}; {fmt(oth, 2)}")
        print(f"| {header} | {k} KiB | " + " | ".join(cells) + " |")

errs = []
for x in ok:
    r = x["r"]
    n = sum(r.get(f, 0) or 0 for f in ("failed", "err_connect", "err_handshake", "err_io", "err_timeout", "err_data"))
    if n or r.get("incomplete") or x.get("rc"):
        errs.append(f"{x['test']} {x['kib']}k r{x['round']}: {n} errors, rc {x.get('rc')}")
print()
print("Errors: " + ("; ".join(errs + [f"{x['test']} {x['kib']}k r{x['round']}: no result" for x in bad]) or "none"))

#!/usr/bin/env python3
"""Prints scripts/regions' figures as Markdown and fails on what must hold.

usage: report.py RESULTS.json HOME DELAY_MS CORES REGION COUNT [REGION COUNT ...]
"""
import json
import sys

results = json.load(open(sys.argv[1]))
home, delay, cores = sys.argv[2], sys.argv[3], sys.argv[4]
counts = dict(zip(sys.argv[5::2], sys.argv[6::2]))
regions = list(counts)


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ms(value):
    return "-" if value is None else f"{value:.1f}"


problems = []
print(f"\n{len(regions)} regions, {delay} ms one way between regions, {cores} cores, "
      f"{results['orders']} orders placed at {home}\n")
print("| region | catalog read p50 / p99 (ms) | order read p50 / p99 (ms) | replication lag p50 / p99 (ms) |")
print("|---|---|---|---|")
home_p99 = {}
for region in regions:
    cells = []
    for kind in ("catalog", "order"):
        values = results["reads"].get(f"{region} {kind}", [])
        p99 = percentile(values, 99)
        if region == home:
            home_p99[kind] = p99
            cells.append(f"{ms(percentile(values, 50))} / {ms(p99)}")
        else:
            diff = None if p99 is None or home_p99.get(kind) is None else p99 - home_p99[kind]
            cells.append(f"{ms(percentile(values, 50))} / {ms(p99)} ({'+' if (diff or 0) >= 0 else ''}{ms(diff)} vs home)")
    lag = results["lag"].get(region, [])
    lag_cell = "-" if region == home else f"{ms(percentile(lag, 50))} / {ms(percentile(lag, 99))} ({len(lag)} orders)"
    print(f"| {region}{' (home)' if region == home else ''} | {cells[0]} | {cells[1]} | {lag_cell} |")

ryw = results["ryw"]
missed = [r for r in ryw if not r["seen"]]
served_home = sum(1 for r in ryw if r["servedBy"] == home and r["read"] != home)
print(f"\nRead-your-writes: {len(ryw)} writes each read at once through another region with its token: "
      f"{len(ryw) - len(missed)} seen, {len(missed)} missed; {served_home} of the regional reads went home "
      f"(replica not there within the wait); read p50 / p99 {ms(percentile([r['ms'] for r in ryw], 50))} / "
      f"{ms(percentile([r['ms'] for r in ryw], 99))} ms"
      + (f"; {results['rywMetCut']} writes met the cut on their way and were not counted" if results.get("rywMetCut") else ""))
if not ryw:
    problems.append("no read-your-writes pair ran")
if missed:
    problems.append(f"{len(missed)} reads missed their own write: {missed[:3]}")
if any(not r["token"] for r in ryw):
    problems.append("a write's answer carried no Sprocket-Position")

cut = results.get("cut") or {}
if cut:
    print(f"\nCut: {cut['region']} cut off from {home} for {cut['seconds']} s: {cut.get('reads', 0)} reads there, "
          f"{cut.get('readsFailed', 0)} failed, {cut.get('readsMarkedStale', 0)} marked stale (data age up to "
          f"{cut.get('maxDataAge', 0):.1f} s); {cut.get('writes', 0)} writes there, {cut.get('writesRefused503', 0)} "
          f"refused with 503 and Retry-After; caught up {cut.get('caughtUpSeconds')} s after the link returned")
    if not cut.get("reads") or cut.get("readsFailed"):
        problems.append("reads in the cut region did not all work")
    if not cut.get("readsMarkedStale"):
        problems.append("no read in the cut region was marked stale")
    if cut.get("writesRefused503") != cut.get("writes") or not cut.get("writes"):
        problems.append("a write in the cut region was not refused with 503 and Retry-After")
    if cut.get("caughtUpSeconds") is None or cut["caughtUpSeconds"] > 30:
        problems.append("the cut region did not catch up within 30 s")

print(f"\nOrders at the end: " + ", ".join(f"{r} {n}" for r, n in counts.items()))
if len(set(counts.values())) != 1:
    problems.append(f"a replica ends with other orders than home: {counts}")
if results["errors"]:
    print("Other answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(results["errors"].items())))
    steady_errors = {k: v for k, v in results["errors"].items() if "(cut)" not in k}
    if steady_errors:
        problems.append(f"requests failed: {steady_errors}")
for problem in problems:
    print(f"scripts/regions: FAILED: {problem}")
if problems:
    sys.exit(1)
print("scripts/regions: every read served, read-your-writes held, the cut region caught up, nothing lost")

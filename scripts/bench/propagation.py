"""Delay from a catalog price change (PATCH through the gateway) to the orders replica holding it.

Usage: python3 scripts/bench/propagation.py GATEWAY ADMIN_TOKEN ORDERS_DATABASE_URL [CHANGES]
Polls the orders service's catalog_replica through one psql session; prints p50/p90/p99/max.
"""
import json, subprocess, sys, time, urllib.request

gateway, token, database = sys.argv[1], sys.argv[2], sys.argv[3]
changes = int(sys.argv[4]) if len(sys.argv) > 4 else 300
psql = subprocess.Popen(["psql", database, "-tAq"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

def replica_price(sku):
    psql.stdin.write(f"SELECT price_minor FROM catalog_replica WHERE sku = '{sku}';\n")
    psql.stdin.flush()
    return int(psql.stdout.readline().strip() or -1)

def patch(sku, minor):
    body = json.dumps({"price": {"amount": f"{minor // 100}.{minor % 100:02d}", "currency": "EUR"}}).encode()
    request = urllib.request.Request(f"{gateway}/api/v1/parts/{sku}", data=body, method="PATCH",
                                     headers={"content-type": "application/json", "authorization": f"Bearer {token}"})
    urllib.request.urlopen(request).read()

delays = []
for n in range(changes):
    minor = 10_000 + n
    started = time.perf_counter()
    patch("BENCH-PROPAGATION", minor)
    while replica_price("BENCH-PROPAGATION") != minor:
        if time.perf_counter() - started > 10:
            sys.exit(f"change {n} did not arrive within 10 s")
    delays.append((time.perf_counter() - started) * 1000)

delays.sort()
pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
print(f"price change → orders replica, {len(delays)} changes (includes the PATCH round trip): "
      f"p50 {pick(0.50):.1f} ms, p90 {pick(0.90):.1f} ms, p99 {pick(0.99):.1f} ms, max {delays[-1]:.1f} ms")

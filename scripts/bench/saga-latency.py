"""Placed → confirmed latency of the reservation saga, read back from the orders database after a load run.

Usage: python3 saga-latency.py ORDERS_DB [WAIT_SECONDS=60] [SINCE_MICROSECONDS=0]
ORDERS_DB is the SQLite file (embedded) or a postgres:// URL (distributed, read with psql).
Waits until no order is pending_confirmation (or WAIT_SECONDS passed), then prints how many orders were
confirmed and cancelled, the latency percentiles from placing (created_at) to the confirmed move in the
history (both written by the orders service, one clock), and confirmations per second over the run.
"""
import sqlite3
import subprocess
import sys
import time

database = sys.argv[1]
wait = float(sys.argv[2]) if len(sys.argv) > 2 else 60
since = int(sys.argv[3]) if len(sys.argv) > 3 else 0


def query(sql):
    if database.startswith("postgres"):
        out = subprocess.run(["psql", database, "-tAF", "|", "-c", sql], check=True, capture_output=True, text=True).stdout
        return [tuple(int(v) for v in line.split("|")) for line in out.splitlines() if line.strip()]
    return [tuple(int(v) for v in row) for row in sqlite3.connect(database).execute(sql).fetchall()]


deadline = time.time() + wait
while query("SELECT COUNT(*) FROM orders WHERE status = 'pending_confirmation'")[0][0] > 0 and time.time() < deadline:
    time.sleep(0.5)

rows = query(
    "SELECT o.created_at, h.at FROM orders o JOIN order_history h ON h.order_id = o.id AND h.to_status = 'confirmed'"
    f" WHERE o.created_at >= {since}"
)
counts = dict(
    (status, n)
    for status, n in [
        (s, query(f"SELECT COUNT(*) FROM orders WHERE status = '{s}' AND created_at >= {since}")[0][0])
        for s in ("confirmed", "cancelled", "pending_confirmation")
    ]
)
if not rows:
    sys.exit(f"no confirmed orders ({counts})")
latencies = sorted((at - created) / 1000 for created, at in rows)


def percentile(p):
    return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]


span = (max(at for _, at in rows) - min(created for created, _ in rows)) / 1e6
print(
    f"saga: {counts['confirmed']} confirmed, {counts['cancelled']} cancelled, {counts['pending_confirmation']} pending; "
    f"placed → confirmed p50 {percentile(50):.1f} ms, p90 {percentile(90):.1f} ms, p99 {percentile(99):.1f} ms, "
    f"max {latencies[-1]:.1f} ms; {len(rows) / span:.0f} confirmations/s over {span:.1f} s"
)

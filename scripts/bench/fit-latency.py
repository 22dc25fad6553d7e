#!/usr/bin/env python3
"""p50/p99 of "parts that fit model X" (a page of 50), with and without a text filter, one request at a
time over a keep-alive connection, for random models of the catalog that scripts/gen-catalog wrote.

Usage: fit-latency.py PORT MODELS_CSV [REQUESTS=2000]
"""
import csv
import http.client
import random
import sys
import time
import urllib.parse


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    port, models_csv = int(sys.argv[1]), sys.argv[2]
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    with open(models_csv, newline="") as f:
        ids = [row["id"] for row in csv.DictReader(f)]
    rng = random.Random(7)
    connection = http.client.HTTPConnection("127.0.0.1", port)
    words = ["brake", "filter", "pads", "oil", "pump", "seal", "premium", "front"]
    for label, query in [("without a filter", None), ("with q=<word>", "word")]:
        latencies = []
        found = 0
        for i in range(requests + 100):
            path = f"/api/v1/models/{rng.choice(ids)}/parts?limit=50"
            if query:
                path += "&q=" + urllib.parse.quote(rng.choice(words))
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                sys.exit(f"fit-latency: {path} answered {response.status}: {body[:200]!r}")
            if i >= 100:  # the first 100 warm the caches
                latencies.append(elapsed)
                found += body.count(b'"sku"')
        print(f"parts that fit model X, page of 50, {label}: p50 {percentile(latencies, 0.5):.2f} ms, "
              f"p99 {percentile(latencies, 0.99):.2f} ms over {requests} requests "
              f"({found / requests:.0f} parts per page on average)")


if __name__ == "__main__":
    main()

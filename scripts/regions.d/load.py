#!/usr/bin/env python3
"""The load of scripts/regions: clients in every region, a cut, and the figures (JSON to OUT).

usage: load.py CONFIG.json OUT.json

CONFIG: {"home": "madrid", "gateways": {"madrid": URL, ...}, "token": CUSTOMER_TOKEN, "steady": S,
"cut": {"region": NAME, "seconds": C} or null, "control": DIR (where cut-REGION files cut a link),
"after": A (seconds of load after the link returns)}.

Readers in each region read a part and an order through their region's gateway; a writer places orders at
home and times when each becomes visible in every other region (replication lag); read-your-writes writes
through one region and reads at once, with the write's Sprocket-Position, through another. During the cut
the cut region's readers go on, its writes must get 503 with Retry-After, and after it the time until the
region shows the last order placed at home is the catch-up.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

config = json.load(open(sys.argv[1]))
out = sys.argv[2]
home = config["home"]
gateways = config["gateways"]
regions = list(gateways)
token = config["token"]
address = {"firstName": "Dana", "lastName": "Fischer", "line1": "Werkstattstrasse 12", "city": "Berlin",
           "postalCode": "10115", "country": "DE"}
order_body = json.dumps({"lines": [{"sku": "FLT-OIL-1", "quantity": 1}], "shippingAddress": address,
                         "billingAddress": address}).encode()
lock = threading.Lock()
stop = threading.Event()
phase = ["steady"]  # steady, cut, after
epoch = [0]  # counts phase changes: a request that spans one may meet the cut
results = {"reads": {}, "lag": {r: [] for r in regions if r != home}, "ryw": [], "cut": {}, "errors": {}}


def record(key, value):
    with lock:
        results.setdefault(key[0], {}).setdefault(key[1], []).append(value)


def error(what):
    with lock:
        results["errors"][what] = results["errors"].get(what, 0) + 1


class Client:
    """One keep-alive connection to a region's gateway."""

    def __init__(self, region):
        self.url = urllib.parse.urlsplit(gateways[region])
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        headers["Authorization"] = "Bearer " + token
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=10)
            try:
                started = time.monotonic()
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                return response.status, dict((k.lower(), v) for k, v in response.getheaders()), data, \
                    (time.monotonic() - started) * 1000
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")


def place(region, key):
    status, headers, data, _ = Client(region).request(
        "POST", "/api/v1/orders", order_body, {"Idempotency-Key": key})
    return status, headers, (json.loads(data) if status == 201 else None)


orders = []  # ids placed at home
seeds = []  # orders every region has: what the readers read


def reader(region):
    client = Client(region)
    n = 0
    while not stop.is_set():
        n += 1
        kind, path = ("catalog", "/api/v1/parts/FLT-OIL-1") if n % 2 else ("order", f"/api/v1/orders/{seeds[n % len(seeds)]}")
        try:
            status, headers, _, ms = client.request("GET", path)
        except Exception as failure:
            status, headers, ms = type(failure).__name__, {}, None
        in_cut = phase[0] == "cut" and config["cut"] and region == config["cut"]["region"]
        if status != 200:
            error(f"{region} read {kind} {status}{' (cut)' if in_cut else ''}")
        elif ms is not None and phase[0] == "steady":
            record(("reads", f"{region} {kind}"), ms)
        if in_cut:
            with lock:
                cut = results["cut"]
                cut["reads"] = cut.get("reads", 0) + 1
                cut["readsFailed"] = cut.get("readsFailed", 0) + (status != 200)
                cut["readsMarkedStale"] = cut.get("readsMarkedStale", 0) + (headers.get("sprocket-data-stale") == "?1")
                cut["maxDataAge"] = max(cut.get("maxDataAge", 0), float(headers.get("sprocket-data-age", "0") or 0))
        time.sleep(0.02)


def visible(region, order_id, deadline):
    client = Client(region)
    while time.monotonic() < deadline:
        try:
            status, _, _, _ = client.request("GET", f"/api/v1/orders/{order_id}")
            if status == 200:
                return time.monotonic()
        except Exception:
            pass
        time.sleep(0.005)
    return None


def writer():
    n = 0
    while not stop.is_set():
        n += 1
        try:
            status, _, order = place(home, f"regions-home-{time.time_ns()}")
        except Exception as failure:
            error(f"{home} write {type(failure).__name__}")
            continue
        if status != 201:
            error(f"{home} write {status}")
            continue
        acknowledged = time.monotonic()
        with lock:
            orders.append(order["id"])
            results["lastHomeOrder"] = order["id"]
        if phase[0] != "steady":
            time.sleep(0.2)
            continue
        started = epoch[0]
        for region in results["lag"]:
            seen = visible(region, order["id"], acknowledged + 30)
            if seen is None and epoch[0] != started:
                continue  # the cut began before the region saw it: the catch-up covers it
            if seen is None:
                error(f"{region} never showed an order")
            elif phase[0] == "steady":
                results["lag"][region].append((seen - acknowledged) * 1000)
        time.sleep(0.1)


def read_your_writes():
    """Writes through one region and at once reads, with the write's token, through another."""
    pairs = [(a, b) for a in regions for b in regions if a != b]
    n = 0
    while not stop.is_set():
        if phase[0] != "steady":
            time.sleep(0.1)
            continue
        write_region, read_region = pairs[n % len(pairs)]
        n += 1
        started = epoch[0]
        try:
            status, headers, order = place(write_region, f"regions-ryw-{time.time_ns()}")
            if status != 201 and (epoch[0] != started or phase[0] != "steady"):
                with lock:  # the cut began while this write was on its way: a refusal is the right answer
                    results["rywMetCut"] = results.get("rywMetCut", 0) + 1
                continue
            if status != 201:
                error(f"read-your-writes: write through {write_region} got {status}")
                continue
            position = headers.get("sprocket-position")
            status, headers, data, ms = Client(read_region).request(
                "GET", f"/api/v1/orders/{order['id']}", headers={"Sprocket-Position": position or ""})
            seen = status == 200 and json.loads(data)["id"] == order["id"]
            if not seen and epoch[0] != started:
                with lock:  # the cut began between the write and its read
                    results["rywMetCut"] = results.get("rywMetCut", 0) + 1
                continue
            with lock:
                results["ryw"].append({"write": write_region, "read": read_region, "seen": seen, "ms": ms,
                                       "token": bool(position), "servedBy": headers.get("sprocket-region")})
        except Exception as failure:
            if epoch[0] == started and phase[0] == "steady":
                error(f"read-your-writes {type(failure).__name__}")
        time.sleep(0.2)


def cut_writes(region, until):
    """Writes through the cut region: each must be refused at once with 503 and Retry-After."""
    while time.monotonic() < until:
        try:
            status, headers, _ = place(region, f"regions-cut-{time.time_ns()}")
            ok = status == 503 and "retry-after" in headers
        except Exception:
            ok = False
        with lock:
            cut = results["cut"]
            cut["writes"] = cut.get("writes", 0) + 1
            cut["writesRefused503"] = cut.get("writesRefused503", 0) + ok
        time.sleep(0.5)


for _ in range(5):
    status, _, order = place(home, f"regions-seed-{time.time_ns()}")
    if status == 201:
        orders.append(order["id"])
        seeds.append(order["id"])
if not seeds:
    sys.exit("scripts/regions: the home region took no order")
time.sleep(2)  # the seed orders reach every replica

threads = [threading.Thread(target=reader, args=(r,), daemon=True) for r in regions]
threads += [threading.Thread(target=writer, daemon=True), threading.Thread(target=read_your_writes, daemon=True)]
for thread in threads:
    thread.start()
time.sleep(config["steady"])

if config.get("cut"):
    region, seconds = config["cut"]["region"], config["cut"]["seconds"]
    marker = f"{config['control']}/cut-{region}"
    phase[0] = "cut"
    epoch[0] += 1
    open(marker, "w").close()
    print(f"scripts/regions: {region} cut off for {seconds} s", flush=True)
    time.sleep(1.5)  # the gateway's probe notices (every second)
    cut_writes(region, time.monotonic() + seconds - 1.5)
    with lock:
        last = results.get("lastHomeOrder")
    import os
    os.remove(marker)
    restored = time.monotonic()
    phase[0] = "after"
    epoch[0] += 1
    caught = visible(region, last, restored + 60)
    results["cut"]["region"] = region
    results["cut"]["seconds"] = seconds
    results["cut"]["caughtUpSeconds"] = None if caught is None else round(caught - restored, 2)
    print(f"scripts/regions: link restored; {region} caught up in {results['cut']['caughtUpSeconds']} s", flush=True)
    writable = time.monotonic() + 30
    while time.monotonic() < writable:  # the region's gateway probes home every second: wait until it takes writes
        try:
            if place(region, f"regions-back-{time.time_ns()}")[0] == 201:
                break
        except Exception:
            pass
        time.sleep(0.2)
    else:
        error(f"{region} took no write within 30 s of the link's return")
    phase[0] = "steady"
    epoch[0] += 1
    time.sleep(config.get("after", 5))

stop.set()
for thread in threads:
    thread.join(timeout=30)
results["orders"] = len(orders)
json.dump(results, open(out, "w"))

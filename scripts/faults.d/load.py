#!/usr/bin/env python3
"""Well-behaved clients for scripts/faults: each order has its own Idempotency-Key, and a client retries
that key (every 0.25 s, for up to 90 s) until it gets a 201, whatever happens to the server meanwhile.

Usage: load.py BASE_URL TOKEN ORDERS CLIENTS KEY_PREFIX OUT.json [FAULT_AT]
Writes {"acknowledged": {key: order_id}, "unacknowledged": [key], "statuses": {status: count}}.
When FAULT_AT is given, touches OUT.json.fault once that many orders are acknowledged (the harness
waits for it to inject the fault while the load runs).
"""
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

base, token, orders, clients, prefix, out = sys.argv[1:7]
orders, clients = int(orders), int(clients)
fault_at = int(sys.argv[7]) if len(sys.argv) > 7 else None
address = {"firstName": "Dana", "lastName": "Fischer", "line1": "Werkstattstrasse 12", "city": "Berlin",
           "postalCode": "10115", "country": "DE"}
skus = (os.environ.get("FAULTS_SKUS") or "KIT-BRK-FRONT-VW-GOLF7,BRK-FLD-DOT4-1L").split(",")
body = json.dumps({"lines": [{"sku": sku, "quantity": n + 1} for n, sku in enumerate(skus)],
                   "shippingAddress": address, "billingAddress": address}).encode()
lock = threading.Lock()
acknowledged, unacknowledged, statuses = {}, [], {}
next_index = [0]


def count(status):
    with lock:
        statuses[status] = statuses.get(status, 0) + 1


def place(key):
    deadline = time.time() + 90
    while time.time() < deadline:
        request = urllib.request.Request(base + "/api/v1/orders", data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": "Bearer " + token, "Idempotency-Key": key})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                count(str(response.status))
                if response.status == 201:
                    return json.load(response)["id"]
        except urllib.error.HTTPError as error:
            count(str(error.code))
        except Exception as error:  # refused, reset, timed out: the server is down or restarting
            count(type(error).__name__)
        time.sleep(0.25)
    return None


def worker():
    while True:
        with lock:
            index = next_index[0]
            next_index[0] += 1
        if index >= orders:
            return
        key = "%s-%06d" % (prefix, index)
        order_id = place(key)
        with lock:
            if order_id is None:
                unacknowledged.append(key)
            else:
                acknowledged[key] = order_id
                if fault_at is not None and len(acknowledged) == fault_at:
                    open(out + ".fault", "w").close()


threads = [threading.Thread(target=worker) for _ in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
json.dump({"acknowledged": acknowledged, "unacknowledged": unacknowledged, "statuses": statuses}, open(out, "w"))

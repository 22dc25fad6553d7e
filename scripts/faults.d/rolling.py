#!/usr/bin/env python3
"""Clients for scripts/faults --rolling: they place orders, each with its own Idempotency-Key, and read
each one back, until STOP_FILE exists, spreading their requests over the gateways.

The clients play the load balancer too: a gateway listed in OUT.json.leaving (the harness lists one there
before it stops it, as Kubernetes takes a terminating pod out of its Service's endpoints while its preStop
hook runs) gets no new requests, and a refused connection moves the request to the next gateway at once
(counted as "rerouted"). Anything else that is not the answer a healthy
system gives counts as a failed request: a 5xx, a connection reset or timeout after the request was sent,
an order that reads back as anything but 200. A placement that failed is sent again with its key until it
gets its 201 (up to 90 s), so that loss and duplication are reconciled as in scripts/faults.

Usage: rolling.py GATEWAY[,GATEWAY…] TOKEN CLIENTS KEY_PREFIX OUT.json STOP_FILE
Writes {"acknowledged": {key: id}, "unacknowledged": [key], "statuses": {what: count}, "failed": n,
        "rerouted": n, "reads": n, "failures": [first few]}.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

gateways = [urllib.parse.urlparse(g) for g in sys.argv[1].split(",")]
token, clients, prefix, out, stop_file = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
address = {"firstName": "Dana", "lastName": "Fischer", "line1": "Werkstattstrasse 12", "city": "Berlin",
           "postalCode": "10115", "country": "DE"}
skus = (os.environ.get("FAULTS_SKUS") or "KIT-BRK-FRONT-VW-GOLF7,BRK-FLD-DOT4-1L").split(",")
body = json.dumps({"lines": [{"sku": sku, "quantity": n + 1} for n, sku in enumerate(skus)],
                   "shippingAddress": address, "billingAddress": address})
lock = threading.Lock()
state = {"acknowledged": {}, "unacknowledged": [], "statuses": {}, "failed": 0, "rerouted": 0, "reads": 0,
         "failures": []}
turn = [0]


def note(what, failed=False):
    with lock:
        state["statuses"][what] = state["statuses"].get(what, 0) + 1
        if failed:
            state["failed"] += 1
            if len(state["failures"]) < 20:
                state["failures"].append("%s at %.1f" % (what, time.time()))


def send(method, path, headers, data=None):
    """One request through the gateways: (status, body), or (None, error name) when it failed after
    reaching a gateway. Refused connections go to the next gateway."""
    with lock:
        first = turn[0]
        turn[0] += 1
    try:
        leaving = set(open(out + ".leaving").read().split())
    except OSError:
        leaving = set()
    rotation = [g for g in gateways if g.geturl() not in leaving] or gateways
    for attempt in range(len(rotation) * 20):
        gateway = rotation[(first + attempt) % len(rotation)]
        connection = http.client.HTTPConnection(gateway.hostname, gateway.port, timeout=15)
        try:
            connection.connect()
        except ConnectionRefusedError:
            with lock:
                state["rerouted"] += 1
            time.sleep(0.05 if (attempt + 1) % len(rotation) else 0.25)
            continue
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        except Exception as error:  # sent, then reset or timed out: the request may have been applied
            return None, type(error).__name__
        finally:
            connection.close()
    return None, "NoGatewayListening"


def place(key):
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + token, "Idempotency-Key": key}
    deadline = time.time() + 90
    while time.time() < deadline:
        status, answer = send("POST", "/api/v1/orders", headers, body)
        if status == 201:
            note("201")
            return json.loads(answer)["id"]
        note(str(status) if status else answer, failed=True)
        time.sleep(0.25)
    return None


def read(order_id):
    status, answer = send("GET", "/api/v1/orders/" + order_id, {"Authorization": "Bearer " + token})
    with lock:
        state["reads"] += 1
    if status == 200:
        note("200")
    else:
        note("read " + (str(status) if status else answer), failed=True)


def worker(number):
    index = 0
    while not os.path.exists(stop_file):
        key = "%s-%02d-%06d" % (prefix, number, index)
        index += 1
        order_id = place(key)
        with lock:
            if order_id is None:
                state["unacknowledged"].append(key)
            else:
                state["acknowledged"][key] = order_id
        if order_id is not None:
            read(order_id)


threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
json.dump(state, open(out, "w"))

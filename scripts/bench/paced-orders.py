"""Places orders at a steady rate (below what the saga can absorb), to measure placed → confirmed latency
without a queue in front of it.

Usage: python3 paced-orders.py BASE_URL TOKEN RATE SECONDS [KEY_PREFIX]
With KEY_PREFIX every placement carries its own Idempotency-Key (KEY_PREFIX-START-N).
Prints the microsecond timestamp at which it started (for saga-latency.py --since).
"""
import json
import sys
import threading
import time
import urllib.request

base, token, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
key_prefix = sys.argv[5] if len(sys.argv) > 5 else None
address = {"firstName": "Dana", "lastName": "Fischer", "line1": "Werkstattstrasse 12", "city": "Berlin",
           "postalCode": "10115", "country": "DE"}
body = json.dumps({"lines": [{"sku": "KIT-BRK-FRONT-VW-GOLF7", "quantity": 1}, {"sku": "BRK-FLD-DOT4-1L", "quantity": 2}],
                   "shippingAddress": address, "billingAddress": address}).encode()


def place(n):
    headers = {"content-type": "application/json", "authorization": "Bearer " + token}
    if key_prefix:
        headers["idempotency-key"] = f"{key_prefix}-{int(start)}-{n}"
    request = urllib.request.Request(base + "/api/v1/orders", data=body, method="POST", headers=headers)
    try:
        urllib.request.urlopen(request, timeout=10).read()
    except Exception as error:  # noqa: BLE001 - a failed order only lowers the count
        print(f"order failed: {error}", file=sys.stderr)


print(int(time.time() * 1e6))
sys.stdout.flush()
start = time.time()
threads = []
n = 0
while time.time() - start < seconds:
    due = start + n / rate
    if due > time.time():
        time.sleep(max(0.0, due - time.time()))
    thread = threading.Thread(target=place, args=(n,))
    thread.start()
    threads.append(thread)
    n += 1
for thread in threads:
    thread.join()

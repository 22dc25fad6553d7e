#!/usr/bin/env python3
"""The storefront GraphQL query: one order with 10 lines, each line's part with its price and stock, and the
order's shipments and invoices, one request at a time over a keep-alive connection; p50/p99 and the calls
to the services per query (extensions.upstreamCalls). Sets up its own parts, stock, customer and order
through the REST API (admin@example.com / sprocket-admin must exist, as with --demo or dev-cluster).

Usage: graphql-storefront.py PORT [REQUESTS=1000]
"""
import http.client
import json
import sys
import time
import uuid


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


class API:
    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)

    def call(self, method, path, body=None, token=None, headers=None):
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = "Bearer " + token
        self.connection.request(method, path, body=None if body is None else json.dumps(body), headers=all_headers)
        response = self.connection.getresponse()
        text = response.read()
        return response.status, (json.loads(text) if text else {})

    def token(self, email, password):
        status, body = self.call("POST", "/api/v1/auth/token", {"email": email, "password": password})
        if status != 200:
            sys.exit(f"graphql-storefront: cannot log in {email}: {status} {body}")
        return body["accessToken"]


def main():
    port = int(sys.argv[1])
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    api = API(port)
    admin = api.token("admin@example.com", "sprocket-admin")
    run = uuid.uuid4().hex[:8].upper()
    api.call("POST", "/api/v1/warehouses", {"code": "BGQ", "name": "Bench", "country": "DE"}, token=admin)
    skus = [f"BGQ-{run}-{i}" for i in range(10)]
    for i, sku in enumerate(skus):
        status, body = api.call("POST", "/api/v1/parts", {
            "sku": sku, "name": f"Bench part {i}", "price": {"amount": f"{10 + i}.50", "currency": "EUR"}}, token=admin)
        if status != 201:
            sys.exit(f"graphql-storefront: part {sku}: {status} {body}")
        api.call("PUT", f"/api/v1/warehouses/BGQ/stock/{sku}", {"onHand": 1000}, token=admin)
    email = f"bench-{run.lower()}@example.com"
    api.call("POST", "/api/v1/customers", {"email": email, "password": "correct-horse-battery", "name": "Bench"})
    customer = api.token(email, "correct-horse-battery")
    address = {"firstName": "Bench", "lastName": "Mark", "line1": "Main St 1", "city": "Berlin",
               "postalCode": "10115", "country": "DE"}
    order = {"lines": [{"sku": sku, "quantity": 1} for sku in skus], "shippingAddress": address,
             "billingAddress": address}
    for _ in range(300):  # the orders service learns the new parts and customer from events
        status, body = api.call("POST", "/api/v1/orders", order, token=customer,
                                headers={"Idempotency-Key": f"bench-graphql-{run}"})
        if status == 201:
            break
        time.sleep(0.2)
    else:
        sys.exit(f"graphql-storefront: the order was not placed: {status} {body}")
    order_id = body["id"]
    for _ in range(300):
        status, body = api.call("GET", f"/api/v1/orders/{order_id}", token=customer)
        if body.get("status") == "sent_to_warehouse":
            break
        time.sleep(0.2)
    query = {"query": """query($id: String!) { order(id: $id) { number status total { amount currency }
        lines { sku quantity unitPrice { amount } part { name price { amount currency } availability { available } } }
        shipments { carrier trackingNumber status } invoices { number status balance { amount } } } }""",
             "variables": {"id": order_id}}
    latencies, calls = [], set()
    for i in range(requests + 50):
        started = time.perf_counter()
        status, body = api.call("POST", "/graphql", query, token=customer)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200 or body.get("errors"):
            sys.exit(f"graphql-storefront: {status} {json.dumps(body)[:300]}")
        if i >= 50:
            latencies.append(elapsed)
            calls.add(body["extensions"]["upstreamCalls"])
    lines = len(body["data"]["order"]["lines"])
    print(f"storefront query (an order with {lines} lines, parts, stock, shipments, invoices): "
          f"p50 {percentile(latencies, 0.5):.2f} ms, p99 {percentile(latencies, 0.99):.2f} ms over {requests} "
          f"requests; calls to the services per query: {sorted(calls)}")


if __name__ == "__main__":
    main()

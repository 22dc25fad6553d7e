-- wrk script: every request places a two-line order as the demo customer (token in $TOKEN).
wrk.method = "POST"
wrk.path = "/api/v1/orders"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local address = '{"firstName":"Dana","lastName":"Fischer","line1":"Werkstattstrasse 12","city":"Berlin","postalCode":"10115","country":"DE"}'
wrk.body = '{"lines":[{"sku":"KIT-BRK-FRONT-VW-GOLF7","quantity":1},{"sku":"BRK-FLD-DOT4-1L","quantity":2}],'
  .. '"shippingAddress":' .. address .. ',"billingAddress":' .. address .. '}'

function done(summary, latency, requests)
  io.write(string.format("orders/s: %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50: %.2f ms, p90: %.2f ms, p99: %.2f ms, max: %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("errors: connect %d, read %d, write %d, timeout %d, non-2xx %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
end

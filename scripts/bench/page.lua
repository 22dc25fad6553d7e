-- wrk script: GETs one back-office page with the session cookie in $COOKIE; prints requests/s, p50 and p99.
wrk.headers["Cookie"] = os.getenv("COOKIE")

function done(summary, latency, requests)
  io.write(string.format("pages/s: %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency p50: %.2f ms, p99: %.2f ms\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000))
  io.write(string.format("errors: %d\n", summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status))
end

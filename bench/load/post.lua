-- wrk script for bench/load.sh: POSTs one XML-RPC call, the file named by $BODY, on every
-- request, and reports the latency percentiles as JSON on the last line.
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "text/xml"

function done(summary, latency, requests)
   io.write(string.format(
      '{"requests": %d, "seconds": %.6f, "errors": %d, "non2xx": %d, ' ..
      '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
      summary.requests, summary.duration / 1e6,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
      summary.errors.status,
      latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
      latency:percentile(99) / 1e3, latency.max / 1e3))
end

-- wrk script: GET the URL given to wrk; prints one JSON line of results for bench/run.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"rps":%.0f,"p50_ms":%.2f,"p99_ms":%.2f,"requests":%d,"errors":%d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout))
end

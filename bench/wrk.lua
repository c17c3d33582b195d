-- wrk script for bench/run. With $PLOG_TOKENS (a file, one token per line) and $PLOG_PATH, each
-- request is GET $PLOG_PATH with a bearer token drawn at random from the file; without them,
-- plain GETs of the URL given to wrk (with $PLOG_COOKIE, carrying that cookie). With
-- $PLOG_ORIGIN every request carries that Origin header, as a browser's cross-origin fetch does.
-- Prints one JSON line of results.
local path = os.getenv("PLOG_PATH")
local tokens = {}
local origin = os.getenv("PLOG_ORIGIN")
if os.getenv("PLOG_TOKENS") then
  for line in io.lines(os.getenv("PLOG_TOKENS")) do tokens[#tokens + 1] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  request = function()
    local headers = { ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)] }
    if origin then headers["Origin"] = origin end
    return wrk.format("GET", path, headers)
  end
end

if origin then
  wrk.headers["Origin"] = origin
end

if os.getenv("PLOG_COOKIE") then
  wrk.headers["Cookie"] = os.getenv("PLOG_COOKIE")
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"rps":%.0f,"p50_ms":%.2f,"p99_ms":%.2f,"requests":%d,"errors":%d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout))
end

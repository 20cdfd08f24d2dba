-- wrk script of the Forge CRM benchmarks.
-- Usage: wrk ... -s bench/lua/requests.lua http://127.0.0.1:PORT -- REQUESTS_FILE
-- Each line of REQUESTS_FILE is one request: METHOD <TAB> PATH <TAB> HEADERS <TAB> BODY, where HEADERS are
-- "Name: value" pairs separated by the unit separator (\31). Threads walk the list from different places.
-- Any status outside 200-299 counts as bad (a redirect to the login page is a failure, not a fast answer).
-- done() prints one line "BENCH_JSON {...}" with the counts and the latency percentiles in microseconds.

local threads = {}
local prepared = {}
local position = 0
ok = 0
bad = 0

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local method, path, headers, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if method then
      local h = {}
      for pair in string.gmatch(headers, "[^\31]+") do
        local name, value = pair:match("^([^:]+):%s*(.*)$")
        if name then h[name] = value end
      end
      if body == "" then body = nil end
      table.insert(prepared, wrk.format(method, path, h, body))
    end
  end
  position = (thread_number or 0) * math.max(1, math.floor(#prepared / 2))
end

function request()
  position = position + 1
  return prepared[(position % #prepared) + 1]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local good, wrong = 0, 0
  for _, thread in ipairs(threads) do
    good = good + (thread:get("ok") or 0)
    wrong = wrong + (thread:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "ok": %d, "bad_status": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"min": %d, "mean": %.1f, "max": %d, "stdev": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d}}\n',
    summary.requests, summary.duration, summary.bytes, good, wrong,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max, latency.stdev,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99)))
end

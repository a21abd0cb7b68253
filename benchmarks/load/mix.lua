-- wrk script: requests from the file in $LOAD_REQUESTS, one per line: METHOD \t PATH \t KEY \t BODY.
-- Each wrk thread starts at its own offset and cycles through the file; `done` prints one JSON line.
local lines = {}
local index = 0

function init(args)
  local path = os.getenv("LOAD_REQUESTS")
  for line in io.lines(path) do
    if #line > 0 then
      local method, url, key, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      lines[#lines + 1] = wrk.format(method, url, {
        ["Authorization"] = "Bearer " .. key,
        ["Content-Type"] = "application/json",
      }, body)
    end
  end
  index = math.floor(#lines / 2) * (id or 0)
end

local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function request()
  index = index % #lines + 1
  return lines[index]
end

function done(summary, latency, requests)
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.1f, "rps": %.1f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, ' ..
    '"max_ms": %.1f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end

-- Shared by every scenario: data files from the generator (BENCH_DATA), per-thread slices, and a response check
-- that counts anything but HTTP 200 with "status_code":0 (and the scenario's expect) as a failure (the API answers
-- errors with HTTP 200).
local data = os.getenv("BENCH_DATA") or "bench/.data"
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- Lines of a data file, split on spaces; only every nth from offset, so threads never share a write pair.
function read_lines(name, every, offset)
  local rows, n = {}, 0
  for line in io.lines(data .. "/" .. name) do
    if n % every == offset then
      local fields = {}
      for field in line:gmatch("%S+") do fields[#fields + 1] = field end
      rows[#rows + 1] = fields
    end
    n = n + 1
  end
  return rows
end

users, videos = nil, nil
failed, acked, sent = 0, 0, 0

function load_common()
  users = read_lines("users.txt", 1, 0)
  videos = read_lines("videos.txt", 1, 0)
  math.randomseed(os.time() + tid * 7919)
end

function pick(rows) return rows[math.random(#rows)] end

function get(path) sent = sent + 1; return wrk.format("GET", path) end
function post(path) sent = sent + 1; return wrk.format("POST", path) end

-- A scenario may set expect to text a good answer must also contain (a non-empty list, say), so that a run against
-- an empty page cannot pass for a fast one.
expect = nil

function response(status, headers, body)
  if status == 200 and body:find('"status_code":0', 1, true) and (expect == nil or body:find(expect, 1, true)) then
    acked = acked + 1
  else
    failed = failed + 1
    if failed <= 3 then io.stderr:write("bad answer " .. status .. ": " .. body:sub(1, 200) .. "\n") end
  end
end

-- One machine-readable line for bench/run.sh; latencies in microseconds.
function done(summary, latency, requests)
  local f, a, s = 0, 0, 0
  for _, t in ipairs(threads) do
    f = f + t:get("failed"); a = a + t:get("acked"); s = s + t:get("sent")
  end
  local e = summary.errors
  io.write(string.format("BENCH requests=%d seconds=%.2f rps=%.1f p50=%d p99=%d socket_errors=%d non2xx=%d failed=%d acked=%d sent=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status, f, a, s))
end

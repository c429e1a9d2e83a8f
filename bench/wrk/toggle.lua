-- Alternates an action on a fresh pair (like, follow) with its undo on a generated pair (unlike, unfollow), each pair
-- once a run, so the applied writes can be counted in the database afterwards. Arguments: path, target parameter,
-- new-pairs file, existing-pairs file, e.g. /douyin/favorite/action/ video_id likes-new.txt likes-existing.txt.
dofile("bench/wrk/common.lua")
local path, target, fresh, existing, turn, exhausted = nil, nil, nil, nil, 0, false
local next_fresh, next_existing = 1, 1

function init(args)
  load_common()
  path, target = args[1], args[2]
  -- A thread's slice: wrk starts threads 0..n-1, and BENCH_THREADS tells how many there are.
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  fresh = read_lines(args[3], n, tid)
  existing = read_lines(args[4], n, tid)
end

function request()
  turn = turn + 1
  local pair, action
  if turn % 2 == 1 then
    pair, action = fresh[next_fresh], 1
    next_fresh = next_fresh + 1
  else
    pair, action = existing[next_existing], 2
    next_existing = next_existing + 1
  end
  if pair == nil then
    -- Out of pairs: reusing one would make the count check meaningless, so say so and fail the run.
    if not exhausted then io.stderr:write("toggle.lua: out of pairs, generate more users\n") end
    exhausted, failed = true, failed + 1
    pair, action = existing[1], 2
  end
  return post(path .. "?action_type=" .. action .. "&" .. target .. "=" .. pair[2] .. "&token=" .. users[tonumber(pair[1]) + 1][2])
end

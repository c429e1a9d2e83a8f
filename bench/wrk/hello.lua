-- The bare Kestrel endpoint (bench/Douyin.Bench.Hello): plain text, so any 200 is an answer.
dofile("bench/wrk/common.lua")
function request() return get("/hello") end
function response(status)
  if status == 200 then acked = acked + 1 else failed = failed + 1 end
end

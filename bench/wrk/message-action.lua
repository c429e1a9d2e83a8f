-- Send a message from a random user to the next one (a pair that already has a conversation).
dofile("bench/wrk/common.lua")
function init() load_common() end
function request()
  local u = math.random(#users)
  return post("/douyin/message/action/?action_type=1&content=bench%20message&to_user_id=" .. users[u % #users + 1][1] .. "&token=" .. users[u][2])
end

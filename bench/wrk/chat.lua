-- Chat polling: a user asks for the messages of the conversation with the next user since a recent time.
dofile("bench/wrk/common.lua")
function init() load_common(); expect = '"message_list":[{' end
function request()
  local u = math.random(#users)
  return get("/douyin/message/chat/?to_user_id=" .. users[u % #users + 1][1] .. "&pre_msg_time=0&token=" .. users[u][2])
end

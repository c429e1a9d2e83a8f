-- Post a comment as a random user on one of the newest videos.
dofile("bench/wrk/common.lua")
function init() load_common() end
function request()
  return post("/douyin/comment/action/?action_type=1&comment_text=bench%20comment&video_id=" .. pick(videos)[1] .. "&token=" .. pick(users)[2])
end

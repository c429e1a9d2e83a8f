-- A user's published videos.
dofile("bench/wrk/common.lua")
function init() load_common(); expect = '"video_list":[{' end
function request() return get("/douyin/publish/list/?user_id=" .. pick(users)[1] .. "&token=" .. pick(users)[2]) end

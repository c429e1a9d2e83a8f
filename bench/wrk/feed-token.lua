-- The feed for a signed-in viewer (is_favorite and is_follow per video), a different user each request.
dofile("bench/wrk/common.lua")
function init() load_common(); expect = '"video_list":[{' end
function request() return get("/douyin/feed/?token=" .. pick(users)[2]) end

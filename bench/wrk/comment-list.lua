-- The comments of one of the newest videos (the generator puts its comments there).
dofile("bench/wrk/common.lua")
function init() load_common(); expect = '"comment_list":[{' end
function request() return get("/douyin/comment/list/?video_id=" .. pick(videos)[1] .. "&token=" .. pick(users)[2]) end

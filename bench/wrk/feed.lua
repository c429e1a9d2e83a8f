-- The feed, anonymous: one page of 30 videos with their authors, newest first.
dofile("bench/wrk/common.lua")
function init() load_common(); expect = '"video_list":[{' end
function request() return get("/douyin/feed/") end

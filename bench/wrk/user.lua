-- A user's card as another signed-in user sees it.
dofile("bench/wrk/common.lua")
function init() load_common(); expect = '"user":{' end
function request() return get("/douyin/user/?user_id=" .. pick(users)[1] .. "&token=" .. pick(users)[2]) end

-- inbox_add.lua: puts one notification in a recipient's inbox, once per event.
-- KEYS[1] imvo:notify:{<recipient>}:seen (event ids already applied),
-- KEYS[2] imvo:notify:{<recipient>}:inbox (zset of event ids by time),
-- KEYS[3] imvo:notify:{<recipient>}:items (hash event id -> packed item);
-- ARGV[1] event id, ARGV[2] event time (ms), ARGV[3] packed item.
-- Returns 1 when added, 0 when this event had already been applied.
local now = imvo_now_ms()
if not imvo_once(KEYS[1], ARGV[1], now) then
    return 0
end
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return 1

-- inbox_add.lua: puts one notification in a recipient's inbox, once per event.
-- KEYS[1] imvo:notify:{<recipient>}:inbox (zset of event ids by time),
-- KEYS[2] imvo:notify:{<recipient>}:items (hash event id -> packed item);
-- ARGV[1] event id, ARGV[2] event time (ms), ARGV[3] packed item.
-- The item itself records that the event was applied: a redelivered event finds it and
-- changes nothing. Returns 1 when added, 0 when this event had already been applied.
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3]) == 0 then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1

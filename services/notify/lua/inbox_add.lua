-- inbox_add.lua: puts notifications in one recipient's inbox, once per event.
-- KEYS[1] imvo:notify:{<recipient>}:inbox (zset of event ids by time),
-- KEYS[2] imvo:notify:{<recipient>}:items (hash event id -> packed item);
-- ARGV: one or more triplets of event id, event time (ms), packed item (the consumer merges
-- the events of one read that go to the same recipient into one call).
-- The item itself records that the event was applied: a redelivered event finds it and
-- changes nothing. Returns the number of items added.
local ids = {}
for i = 1, #ARGV, 3 do
    ids[#ids + 1] = ARGV[i]
end
local have = redis.call('HMGET', KEYS[2], unpack(ids))
local items, scores, seen = {}, {}, {}
for j, id in ipairs(ids) do
    if not have[j] and not seen[id] then
        seen[id] = true
        items[#items + 1] = id
        items[#items + 1] = ARGV[3 * j]
        scores[#scores + 1] = ARGV[3 * j - 1]
        scores[#scores + 1] = id
    end
end
if #items > 0 then
    redis.call('HSET', KEYS[2], unpack(items))
    redis.call('ZADD', KEYS[1], unpack(scores))
end
return #items / 2

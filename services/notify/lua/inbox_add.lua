-- inbox_add.lua: puts notifications in one recipient's inbox, once per event.
-- KEYS[1] imvo:notify:{<recipient>}:inbox (zset of event ids by time),
-- KEYS[2] imvo:notify:{<recipient>}:items (hash event id -> packed item);
-- ARGV: one or more triplets of event id, event time (ms), packed item (the consumer merges
-- the events of one read that go to the same recipient into one call).
-- Applying an event twice writes the same item under the same id with the same time: a
-- redelivered event changes nothing, so there is nothing to look up first (what a reader did
-- with an item, such as reading it, is kept apart from the item). Returns the items written.
local items, scores = {}, {}
for i = 1, #ARGV, 3 do
    items[#items + 1] = ARGV[i]
    items[#items + 1] = ARGV[i + 2]
    scores[#scores + 1] = ARGV[i + 1]
    scores[#scores + 1] = ARGV[i]
end
redis.call('HSET', KEYS[2], unpack(items))
redis.call('ZADD', KEYS[1], unpack(scores))
return #items / 2

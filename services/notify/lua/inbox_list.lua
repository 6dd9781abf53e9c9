-- inbox_list.lua: a page of a recipient's items, newest first, packed as
-- {items = [...], total = n, next_cursor = "<at>:<event_id>"?}.
-- Each item carries read (bool); the reply also unread, the count of items not read.
-- KEYS[1] inbox zset (score: event time), KEYS[2] items hash, KEYS[3] read hash; ARGV[1] limit, ARGV[2] and
-- ARGV[3] the cursor: time and event id of the last item of the previous page ('' for the
-- first page). Ties in time come in descending id order, so the cursor misses nothing.
local limit = tonumber(ARGV[1])
local after_at, after_id = tonumber(ARGV[2]), ARGV[3]
local ids, scores, offset = {}, {}, 0
-- One item more than the page, to know whether another page follows.
while #ids <= limit do
    local batch = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2] ~= '' and ARGV[2] or '+inf', '-inf',
                             'WITHSCORES', 'LIMIT', offset, limit + 1)
    if #batch == 0 then
        break
    end
    offset = offset + #batch / 2
    for i = 1, #batch, 2 do
        local id, at = batch[i], batch[i + 1]
        if #ids <= limit and not (after_at and tonumber(at) == after_at and id >= after_id) then
            ids[#ids + 1] = id
            scores[#scores + 1] = at
        end
    end
end
local cursor
if #ids > limit then
    ids[#ids] = nil
    cursor = scores[limit] .. ':' .. ids[limit]
end
local items = {}
if #ids > 0 then
    local packed = redis.call('HMGET', KEYS[2], unpack(ids))
    local read = redis.call('HMGET', KEYS[3], unpack(ids))
    for i = 1, #ids do
        if packed[i] then
            local item = cmsgpack.unpack(packed[i])
            item.read = read[i] ~= false
            table.insert(items, item)
        end
    end
end
local total = redis.call('ZCARD', KEYS[1])
return cmsgpack.pack({ items = items, total = total, unread = total - redis.call('HLEN', KEYS[3]),
                       next_cursor = cursor })

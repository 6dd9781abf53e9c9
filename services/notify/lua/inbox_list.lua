-- inbox_list.lua: a recipient's newest items, packed as {items = [...], total = n}.
-- KEYS[1] inbox zset, KEYS[2] items hash; ARGV[1] limit.
local ids = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local items = {}
if #ids > 0 then
    local packed = redis.call('HMGET', KEYS[2], unpack(ids))
    for i = 1, #ids do
        if packed[i] then
            table.insert(items, cmsgpack.unpack(packed[i]))
        end
    end
end
return cmsgpack.pack({ items = items, total = redis.call('ZCARD', KEYS[1]) })

-- location_resolve.lua: the secretariat settles an ambiguous match.
-- 'confirm' merges the flagged location into ARGV[5] (one of its candidates): every
-- disclosure moves over and the flagged id disappears. 'reject' keeps it as a place of its own.
-- KEYS[1] idempotency record, KEYS[2] the flags hash, KEYS[3] the normal-form index;
-- ARGV: [1] ttl, [2] key prefix, [3] flag id, [4] decision, [5] location id.
local replay = imvo_replay()
if replay then
    return replay
end
local p = ARGV[2]
local packed = redis.call('HGET', KEYS[2], ARGV[3])
if not packed then
    return imvo_fail('not_found', 'flag_id', 'no open flag with this id')
end
local flag = cmsgpack.unpack(packed)
local from = flag.location_id
if ARGV[4] == 'confirm' then
    local ok = false
    for _, c in ipairs(flag.candidates) do
        ok = ok or c.location_id == ARGV[5]
    end
    if not ok then
        return imvo_fail('invalid_argument', 'location_id', 'confirm needs location_id, one of the flag\'s candidates')
    end
    if redis.call('EXISTS', p .. ':loc:' .. ARGV[5]) == 0 then
        return imvo_fail('conflict', 'location_id', 'this candidate was merged into another location since')
    end
    for _, y in ipairs(redis.call('ZRANGE', p .. ':years', 0, -1)) do
        if redis.call('SREM', p .. ':published:' .. y .. ':locs', from) == 1 then
            redis.call('SADD', p .. ':published:' .. y .. ':locs', ARGV[5])
        end
        local src = p .. ':year:' .. y .. ':src:' .. from
        if redis.call('SISMEMBER', p .. ':year:' .. y .. ':locs', from) == 1 then
            redis.call('SREM', p .. ':year:' .. y .. ':locs', from)
            redis.call('SADD', p .. ':year:' .. y .. ':locs', ARGV[5])
            for _, o in ipairs(redis.call('SMEMBERS', src)) do
                redis.call('SADD', p .. ':year:' .. y .. ':src:' .. ARGV[5], o)
            end
            redis.call('DEL', src)
        end
    end
    local bucket = redis.call('HGET', p .. ':loc:' .. from, 'bucket')
    local idx = redis.call('HGETALL', KEYS[3])
    for i = 1, #idx, 2 do
        if idx[i + 1] == from then
            redis.call('HSET', KEYS[3], idx[i], ARGV[5])
        end
    end
    redis.call('DEL', p .. ':loc:' .. from)
    -- Other open flags that offered the merged location now offer the one it became.
    local open = redis.call('HGETALL', KEYS[2])
    for i = 1, #open, 2 do
        if open[i] ~= ARGV[3] then
            local other, changed = cmsgpack.unpack(open[i + 1]), false
            for _, c in ipairs(other.candidates) do
                if c.location_id == from then
                    c.location_id, changed = ARGV[5], true
                end
            end
            if changed then
                redis.call('HSET', KEYS[2], open[i], cmsgpack.pack(other))
            end
        end
    end
    if bucket then
        redis.call('HDEL', bucket, from)
    end
end
redis.call('HDEL', KEYS[2], ARGV[3])
return imvo_commit({ flag_id = ARGV[3], decision = ARGV[4],
                     location_id = ARGV[4] == 'confirm' and ARGV[5] or from })

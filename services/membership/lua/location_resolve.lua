-- location_resolve.lua: the secretariat settles an ambiguous match, under the covenant's
-- location lock. 'confirm' merges the flagged location into ARGV[5] (one of its candidates):
-- every disclosure and index entry moves over and the flagged id disappears. 'reject' keeps
-- it as a place of its own.
-- KEYS[1] idempotency record, KEYS[2] the flags hash, KEYS[3] the normal-form index, KEYS[4]
-- the location lock; ARGV: [1] ttl, [2] key prefix, [3] flag id, [4] decision, [5] location
-- id, [6] lock token. A location's sets (:loc:<id>:keys, its index entries; :loc:<id>:flags,
-- the open flags that offer it) and the year sets are in the covenant's slot.
local replay = imvo_replay()
if replay then
    return replay
end
if redis.call('GET', KEYS[4]) ~= ARGV[6] then
    return imvo_fail('unavailable', '', 'the lock on the covenant\'s locations expired: retry the request')
end
local p = ARGV[2]
local packed = redis.call('HGET', KEYS[2], ARGV[3])
if not packed then
    return imvo_fail('not_found', 'flag_id', 'no open flag with this id')
end
local flag = cmsgpack.unpack(packed)
local from, to = flag.location_id, ARGV[5]
if ARGV[4] == 'confirm' then
    local ok = false
    for _, c in ipairs(flag.candidates) do
        ok = ok or c.location_id == to
    end
    if not ok then
        return imvo_fail('invalid_argument', 'location_id', 'confirm needs location_id, one of the flag\'s candidates')
    end
    if redis.call('EXISTS', p .. ':loc:' .. to) == 0 then
        return imvo_fail('conflict', 'location_id', 'this candidate was merged into another location since')
    end
    for _, y in ipairs(redis.call('ZRANGE', p .. ':years', 0, -1)) do
        if redis.call('SREM', p .. ':published:' .. y .. ':locs', from) == 1 then
            redis.call('SADD', p .. ':published:' .. y .. ':locs', to)
        end
        local src = p .. ':year:' .. y .. ':src:' .. from
        if redis.call('SREM', p .. ':year:' .. y .. ':locs', from) == 1 then
            redis.call('SADD', p .. ':year:' .. y .. ':locs', to)
            for _, o in ipairs(redis.call('SMEMBERS', src)) do
                redis.call('SADD', p .. ':year:' .. y .. ':src:' .. to, o)
            end
            redis.call('DEL', src)
        end
    end
    for _, k in ipairs(redis.call('SMEMBERS', p .. ':loc:' .. from .. ':keys')) do
        redis.call('HSET', KEYS[3], k, to)
        redis.call('SADD', p .. ':loc:' .. to .. ':keys', k)
    end
    -- Other open flags that offered the merged location now offer the one it became.
    for _, f in ipairs(redis.call('SMEMBERS', p .. ':loc:' .. from .. ':flags')) do
        local other = f ~= ARGV[3] and redis.call('HGET', KEYS[2], f)
        if other then
            other = cmsgpack.unpack(other)
            local kept, seen = {}, {}
            for _, c in ipairs(other.candidates) do
                if c.location_id == from then
                    c.location_id = to
                end
                if not seen[c.location_id] then
                    seen[c.location_id] = true
                    table.insert(kept, c)
                end
            end
            other.candidates = kept
            redis.call('HSET', KEYS[2], f, cmsgpack.pack(other))
            redis.call('SADD', p .. ':loc:' .. to .. ':flags', f)
        end
    end
    local bucket = redis.call('HGET', p .. ':loc:' .. from, 'bucket')
    if bucket then
        redis.call('HDEL', bucket, from)
    end
    redis.call('DEL', p .. ':loc:' .. from, p .. ':loc:' .. from .. ':keys', p .. ':loc:' .. from .. ':flags')
end
redis.call('HDEL', KEYS[2], ARGV[3])
for _, c in ipairs(flag.candidates) do
    redis.call('SREM', p .. ':loc:' .. c.location_id .. ':flags', ARGV[3])
end
return imvo_commit({ flag_id = ARGV[3], decision = ARGV[4],
                     location_id = ARGV[4] == 'confirm' and to or from })

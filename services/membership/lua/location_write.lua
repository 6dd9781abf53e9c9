-- location_write.lua: writes up to DISCLOSE_CHUNK disclosed rows that the membership daemon
-- matched (membership_disclose.c), while it holds the covenant's location lock. Every write is
-- idempotent: a request retried after a failure writes the same again.
-- KEYS[1] the covenant's location lock; ARGV: [1] key prefix imvo:membership:{<covenant>},
-- [2] lock token, [3] org id, [4] year, [5] now (ms), [6] packed rows: {id, key (index entry to
-- write), name, address, city, region, country, text, bucket (a new location), flag_id, flag,
-- candidates (a flagged one), workers, product_type, extra}.
-- The location's own keys (:loc:<id>, its :keys and :flags sets, the bucket, the year's sets)
-- are derived from the prefix, in the covenant's slot.
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
    return imvo_fail('unavailable', '', 'the lock on the covenant\'s locations expired: retry the request')
end
local p, org, year = ARGV[1], ARGV[3], ARGV[4]
local rows = cmsgpack.unpack(ARGV[6])
for _, o in ipairs(rows) do
    local loc = p .. ':loc:' .. o.id
    if o.bucket then
        redis.call('HSET', loc, 'location_id', o.id, 'name', o.name, 'address', o.address, 'city', o.city,
                   'region', o.region, 'country', o.country, 'norm', o.text, 'first_year', year,
                   'created_at', ARGV[5], 'bucket', o.bucket)
        redis.call('HSET', o.bucket, o.id, o.text)
    end
    if o.key then
        -- :keys lists the index entries that name the location, for location.resolve.
        redis.call('HSET', p .. ':locnorm', o.key, o.id)
        redis.call('SADD', loc .. ':keys', o.key)
    end
    if o.flag then
        -- :flags lists the open flags that offer a location as a candidate.
        redis.call('HSET', p .. ':flags', o.flag_id, o.flag)
        for _, c in ipairs(o.candidates) do
            redis.call('SADD', p .. ':loc:' .. c .. ':flags', o.flag_id)
        end
    end
    if o.workers then
        redis.call('HSET', loc, 'workers', o.workers)
    end
    if o.product_type then
        redis.call('HSET', loc, 'product_type', o.product_type)
    end
    if o.extra then
        redis.call('HSET', loc, 'extra', o.extra)
    end
    redis.call('SADD', p .. ':year:' .. year .. ':locs', o.id)
    redis.call('SADD', p .. ':year:' .. year .. ':src:' .. o.id, org)
end
redis.call('ZADD', p .. ':years', tonumber(year), year)
-- Who disclosed for the year: the 4 July list's deadline reads it (disclosure_clock.lua).
if #rows > 0 then
    redis.call('SADD', p .. ':year:' .. year .. ':orgs', org)
end
return #rows

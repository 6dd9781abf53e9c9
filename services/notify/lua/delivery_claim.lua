-- delivery_claim.lua: takes up to ARGV[2] of one recipient's deliveries that are due, and
-- holds each for ARGV[1] ms (a lease: a replica or a restarted notify takes it again only when
-- the lease ran out, so a delivery is tried by one runner at a time).
-- KEYS[1] :due, KEYS[2] :out. Returns member, packed delivery, member, ...
local now = imvo_now_ms()
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))) do
    local d = redis.call('HGET', KEYS[2], m)
    if d then
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), m)
        table.insert(out, m)
        table.insert(out, d)
    else
        redis.call('ZREM', KEYS[1], m)
    end
end
return out

-- delivery_claim.lua: takes up to ARGV[2] of one recipient's deliveries that are due, and
-- holds each for ARGV[1] ms (a lease: a replica or a restarted notify takes it again only when
-- the lease ran out, so a delivery is tried by one runner at a time). Each goes to the
-- recipient's current subscription of its channel, so a corrected address serves the retries;
-- a delivery whose subscription is gone is dropped.
-- KEYS[1] :due, KEYS[2] :out, KEYS[3] :subs, KEYS[4] :backlog, KEYS[5] :queued.
-- Returns member, what to send, the subscription, member, ...
local now = imvo_now_ms()
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))) do
    local d = redis.call('HGET', KEYS[2], m)
    local channel = string.match(m, '|([^|]+)$')
    local sub = d and channel and redis.call('HGET', KEYS[3], channel)
    if sub then
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), m)
        table.insert(out, m)
        table.insert(out, d)
        table.insert(out, sub)
    else
        redis.call('ZREM', KEYS[1], m)
        if d then
            redis.call('HDEL', KEYS[2], m)
            redis.call('HINCRBY', KEYS[4], channel, -1)
            redis.call('ZREM', KEYS[5], m)
        end
    end
end
return out

-- delivery_done.lua: the outcome of one delivery attempt. Success: delivered (never tried
-- again) and notification.delivered. Failure: tried again after ARGV[6] ms, doubling with each
-- attempt, until ARGV[7] ms after it was queued; then failed for good and notification.failed.
-- KEYS[1] idempotency record (none), KEYS[2] :due, KEYS[3] :out, KEYS[4] :delivered,
-- KEYS[5] :failed, KEYS[6] :backlog, KEYS[7] :queued; ARGV: [1] '0', [2] recipient, [3] member, [4] '1' success or '0', [5] the
-- error, [6] first retry (ms), [7] how long to keep trying (ms), [8] the recipient's event stream.
local d = redis.call('HGET', KEYS[3], ARGV[3])
if not d then
    return imvo_commit({ state = 'gone' })
end
d = cmsgpack.unpack(d)
local now = imvo_now_ms()
d.attempts = (d.attempts or 0) + 1
-- Settled either way: out of the backlog.
local function settled()
    redis.call('HINCRBY', KEYS[6], d.channel, -1)
    redis.call('ZREM', KEYS[7], ARGV[3])
end
local what = { event_id = d.event_id, type = d.type, recipient = ARGV[2], channel = d.channel, attempts = d.attempts }
if ARGV[4] == '1' then
    redis.call('ZREM', KEYS[2], ARGV[3])
    redis.call('HDEL', KEYS[3], ARGV[3])
    redis.call('HSET', KEYS[4], ARGV[3], now)
    settled()
    imvo_emit(ARGV[8], 'notification.delivered', 'notify', what)
    return imvo_commit({ state = 'delivered' })
end
if now - tonumber(d.queued_at) >= tonumber(ARGV[7]) then
    redis.call('ZREM', KEYS[2], ARGV[3])
    redis.call('HDEL', KEYS[3], ARGV[3])
    what.address = d.address
    what.error = ARGV[5]
    what.at = now
    redis.call('HSET', KEYS[5], ARGV[3], cmsgpack.pack(what))
    settled()
    imvo_emit(ARGV[8], 'notification.failed', 'notify', what)
    return imvo_commit({ state = 'failed' })
end
d.last_error = ARGV[5]
redis.call('HSET', KEYS[3], ARGV[3], cmsgpack.pack(d))
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]) * 2 ^ (d.attempts - 1), ARGV[3])
return imvo_commit({ state = 'retry' })

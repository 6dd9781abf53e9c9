-- delivery_done.lua: the outcome of one delivery attempt. Success: delivered (never tried
-- again) and notification.delivered. Failure: tried again after ARGV[6] ms, doubling with each
-- attempt, until ARGV[7] ms after it was queued; then failed for good and notification.failed.
-- KEYS[1] idempotency record (none), KEYS[2] :due, KEYS[3] :out, KEYS[4] :delivered,
-- KEYS[5] :failed, KEYS[6] :backlog, KEYS[7] :queued, KEYS[8] :tries (hash member -> attempts);
-- ARGV: [1] '0', [2] recipient, [3] member "<event id>|<channel>", [4] '1' success or '0',
-- [5] the error, [6] first retry (ms), [7] how long to keep trying (ms), [8] the recipient's
-- event stream, [9] the event's type, [10] the address tried.
local m = ARGV[3]
if redis.call('HEXISTS', KEYS[3], m) == 0 then
    return imvo_commit({ state = 'gone' })
end
local now = imvo_now_ms()
local attempts = redis.call('HINCRBY', KEYS[8], m, 1)
local event_id, channel = string.match(m, '^(.*)|([^|]+)$')
local what = { event_id = event_id, type = ARGV[9], recipient = ARGV[2], channel = channel, attempts = attempts }
-- Settled either way: out of the queue and the backlog.
local function settled()
    redis.call('ZREM', KEYS[2], m)
    redis.call('HDEL', KEYS[3], m)
    redis.call('HDEL', KEYS[8], m)
    redis.call('HINCRBY', KEYS[6], channel, -1)
    redis.call('ZREM', KEYS[7], m)
end
if ARGV[4] == '1' then
    redis.call('HSET', KEYS[4], m, now)
    settled()
    imvo_emit(ARGV[8], 'notification.delivered', 'notify', what)
    return imvo_commit({ state = 'delivered' })
end
local queued_at = tonumber(redis.call('ZSCORE', KEYS[7], m) or now)
if now - queued_at >= tonumber(ARGV[7]) then
    what.address = ARGV[10]
    what.error = ARGV[5]
    what.at = now
    redis.call('HSET', KEYS[5], m, cmsgpack.pack(what))
    settled()
    imvo_emit(ARGV[8], 'notification.failed', 'notify', what)
    return imvo_commit({ state = 'failed' })
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]) * 2 ^ (attempts - 1), m)
return imvo_commit({ state = 'retry' })

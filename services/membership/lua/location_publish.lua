-- location_publish.lua: publishes a year's list: swaps in the copy of the year's locations
-- that the daemon staged under the covenant's location lock, records the date and emits
-- location.list_published (the count, never which company uses which location). The list is
-- kept as it is now: location.list shows it to everyone until the year is published again.
-- KEYS[1] idempotency record, KEYS[2] the covenant hash, KEYS[3] the location lock;
-- ARGV: [1] ttl, [2] key prefix, [3] covenant, [4] year, [5] today, [6] lock token.
-- The staged set (:published:<year>:next) and the published one are in the covenant's slot.
local replay = imvo_replay()
if replay then
    return replay
end
if redis.call('EXISTS', KEYS[2]) == 0 then
    return imvo_fail('not_found', 'covenant', 'no covenant with this code')
end
if redis.call('GET', KEYS[3]) ~= ARGV[6] then
    return imvo_fail('unavailable', '', 'the lock on the covenant\'s locations expired: retry the request')
end
local staged = ARGV[2] .. ':published:' .. ARGV[4] .. ':next'
local count = redis.call('SCARD', staged)
if count == 0 then
    return imvo_fail('conflict', 'year', 'no locations were disclosed for ' .. ARGV[4])
end
local now = imvo_now_ms()
redis.call('HSET', ARGV[2] .. ':published', ARGV[4], ARGV[5])
-- UNLINK frees the old list's memory in the background.
redis.call('UNLINK', ARGV[2] .. ':published:' .. ARGV[4] .. ':locs')
redis.call('RENAME', staged, ARGV[2] .. ':published:' .. ARGV[4] .. ':locs')
imvo_emit(ARGV[2] .. ':events', 'location.list_published', 'membership',
          { covenant = ARGV[3], year = tonumber(ARGV[4]), locations = count })
return imvo_commit({ covenant = ARGV[3], year = tonumber(ARGV[4]), locations = count, published_on = ARGV[5] })

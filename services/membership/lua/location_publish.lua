-- location_publish.lua: publishes a year's list: records the date and emits
-- location.list_published (the count, never which company uses which location). The list is
-- kept as it is now: location.list shows it to everyone until the year is published again.
-- KEYS[1] idempotency record, KEYS[2] the covenant hash; ARGV: [1] ttl, [2] key prefix,
-- [3] covenant, [4] year, [5] today.
local replay = imvo_replay()
if replay then
    return replay
end
if redis.call('EXISTS', KEYS[2]) == 0 then
    return imvo_fail('not_found', 'covenant', 'no covenant with this code')
end
local count = redis.call('SCARD', ARGV[2] .. ':year:' .. ARGV[4] .. ':locs')
if count == 0 then
    return imvo_fail('conflict', 'year', 'no locations were disclosed for ' .. ARGV[4])
end
local now = imvo_now_ms()
redis.call('HSET', ARGV[2] .. ':published', ARGV[4], ARGV[5])
-- What location.list shows everyone until the next publication of this year.
redis.call('SUNIONSTORE', ARGV[2] .. ':published:' .. ARGV[4] .. ':locs', ARGV[2] .. ':year:' .. ARGV[4] .. ':locs')
imvo_emit(ARGV[2] .. ':events', 'location.list_published', 'membership',
          { covenant = ARGV[3], year = tonumber(ARGV[4]), locations = count })
return imvo_commit({ covenant = ARGV[3], year = tonumber(ARGV[4]), locations = count, published_on = ARGV[5] })

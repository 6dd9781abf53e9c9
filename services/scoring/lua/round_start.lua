-- round_start.lua: starts a covenant's round for a year, once: the same covenant and year
-- again gives the same round. Freezes the framework version it uses.
-- KEYS[1] idempotency record, KEYS[2] the round hash; ARGV: [1] ttl, [2] key prefix,
-- [3] covenant, [4] year, [5] framework version, [6] now (ms), [7] round id.
local replay = imvo_replay()
if replay then
    return replay
end
local status = redis.call('HGET', KEYS[2], 'status')
if status then
    return imvo_commit({ round_id = ARGV[7], status = status, started = false })
end
redis.call('HSET', KEYS[2], 'round_id', ARGV[7], 'covenant', ARGV[3], 'year', ARGV[4], 'version', ARGV[5],
           'status', 'running', 'started_at', ARGV[6])
redis.call('SADD', ARGV[2] .. ':frozen', ARGV[5])
imvo_emit(ARGV[2] .. ':events', 'assessment.started', 'scoring',
          { round_id = ARGV[7], covenant = ARGV[3], year = tonumber(ARGV[4]), version = tonumber(ARGV[5]) })
return imvo_commit({ round_id = ARGV[7], status = 'running', started = true })

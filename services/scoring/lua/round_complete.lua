-- round_complete.lua: completes a round: its summary and collective risks, the time it took,
-- assessment.completed; frees the lease.
-- KEYS[1] idempotency record (none), KEYS[2] the round hash; ARGV: [1] '0', [2] key prefix,
-- [3] year, [4] lease token, [5] packed summary, [6] packed collective risks, [7] now (ms),
-- [8] ms the run took, [9] packed assessment.completed body.
local lease = ARGV[2] .. ':round:' .. ARGV[3] .. ':lease'
if redis.call('GET', lease) ~= ARGV[4] then
    return imvo_fail('conflict', 'round_id', 'another runner holds this round')
end
redis.call('DEL', lease)
if redis.call('HGET', KEYS[2], 'status') == 'completed' then
    return imvo_commit({ completed = false })
end
redis.call('HSET', KEYS[2], 'status', 'completed', 'summary', ARGV[5], 'risks', ARGV[6], 'completed_at', ARGV[7],
           'run_ms', ARGV[8])
imvo_emit(ARGV[2] .. ':events', 'assessment.completed', 'scoring', cmsgpack.unpack(ARGV[9]))
return imvo_commit({ completed = true })

-- submission_put.lua: a company's action plan for a year (the daemon checked it against the
-- framework and marked it late after the due date). Once the year's round is completed the
-- plan is closed: an appeal corrects a result.
-- KEYS[1] idempotency record, KEYS[2] the year's submissions hash; ARGV: [1] ttl, [2] key
-- prefix, [3] org id, [4] year, [5] packed submission, [6] late ('1' or '0'), [7] now (ms).
local replay = imvo_replay()
if replay then
    return replay
end
if redis.call('HGET', ARGV[2] .. ':round:' .. ARGV[4], 'status') == 'completed' then
    return imvo_fail('conflict', 'year', 'the round of ' .. ARGV[4] .. ' is completed: appeal the result instead')
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[5])
-- Who was late, counted without reading every plan (assessment.round).
redis.call(ARGV[6] == '1' and 'SADD' or 'SREM', ARGV[2] .. ':late:' .. ARGV[4], ARGV[3])
return imvo_commit({ org_id = ARGV[3], year = tonumber(ARGV[4]), late = ARGV[6] == '1', at = tonumber(ARGV[7]) })

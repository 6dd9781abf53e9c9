-- submission_put.lua: a company's action plan for a year (the daemon checked it against the
-- framework and marked it late after the due date). Once the year's round is completed the
-- plan is closed: an appeal corrects a result.
-- Only a company the year's round would assess puts a plan (scoring_round.c, scoring_assoc.c):
-- a current party of kind company, or a company a trade association of the covenant lists.
-- Read from membership's own keys in the covenant's slot (imvo:membership:{<covenant>}:member:<org>,
-- :associated; undeclared, read-only, as complaint_submit.lua does), so a member.join answered a
-- moment ago counts (read your own writes); checked after the replay.
-- KEYS[1] idempotency record, KEYS[2] the year's submissions hash; ARGV: [1] ttl, [2] key
-- prefix, [3] org id, [4] year, [5] packed submission, [6] late ('1' or '0'), [7] now (ms).
local replay = imvo_replay()
if replay then
    return replay
end
local covenant = string.match(ARGV[2], '{(.*)}')
local mp = 'imvo:membership:{' .. covenant .. '}'
local m = redis.call('HMGET', mp .. ':member:' .. ARGV[3], 'status', 'role', 'kind')
if not (m[1] == 'active' and m[2] == 'party' and m[3] == 'company')
   and not redis.call('HGET', mp .. ':associated', ARGV[3]) then
    return imvo_fail('invalid_argument', 'org_id', ARGV[3] .. ' is not a company party of the ' .. covenant ..
                     ' covenant, nor listed by one of its trade associations: its round does not assess it')
end
if redis.call('HGET', ARGV[2] .. ':round:' .. ARGV[4], 'status') == 'completed' then
    return imvo_fail('conflict', 'year', 'the round of ' .. ARGV[4] .. ' is completed: appeal the result instead')
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[5])
-- Who was late, counted without reading every plan (assessment.round).
redis.call(ARGV[6] == '1' and 'SADD' or 'SREM', ARGV[2] .. ':late:' .. ARGV[4], ARGV[3])
return imvo_commit({ org_id = ARGV[3], year = tonumber(ARGV[4]), late = ARGV[6] == '1', at = tonumber(ARGV[7]) })

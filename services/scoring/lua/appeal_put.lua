-- appeal_put.lua: a company appeals its result within the window after the round completed;
-- one appeal per company and round.
-- KEYS[1] idempotency record, KEYS[2] the round hash; ARGV: [1] ttl, [2] key prefix, [3] year,
-- [4] org id, [5] appeal id, [6] packed appeal, [7] now (ms), [8] window (ms).
local replay = imvo_replay()
if replay then
    return replay
end
local round, err = imvo_completed_round(KEYS[2], 'completed_at')
if not round then
    return err
end
if tonumber(ARGV[7]) > tonumber(round[2]) + tonumber(ARGV[8]) then
    return imvo_fail('conflict', 'round_id', 'the appeal window (4 weeks after the round completed) has closed')
end
if redis.call('HEXISTS', ARGV[2] .. ':round:' .. ARGV[3] .. ':results', ARGV[4]) == 0 then
    return imvo_fail('not_found', 'org_id', 'this company has no result in the round')
end
if redis.call('HSETNX', ARGV[2] .. ':appeals', ARGV[5], ARGV[6]) == 0 then
    return imvo_fail('conflict', 'org_id', 'this company has appealed this round already: ' .. ARGV[5])
end
return imvo_commit({ appeal_id = ARGV[5], status = 'open' })

-- appeal_decide.lua: records the committee's decision on an appeal. An accepted appeal whose
-- rescore moves the score by the correction threshold or more replaces the result, updates
-- the round's summary and emits assessment.corrected; a smaller change is only recorded.
-- KEYS[1] idempotency record, KEYS[2] the appeals hash; ARGV: [1] ttl, [2] key prefix,
-- [3] appeal id, [4] packed decided appeal, [5] year, [6] org id, [7] packed new result or '',
-- [8] packed assessment.corrected body or ''.
local replay = imvo_replay()
if replay then
    return replay
end
local appeal = redis.call('HGET', KEYS[2], ARGV[3])
if not appeal then
    return imvo_fail('not_found', 'appeal_id', 'no appeal with this id')
end
if cmsgpack.unpack(appeal).status ~= 'open' then
    return imvo_fail('conflict', 'appeal_id', 'this appeal was decided already')
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
if ARGV[7] ~= '' then
    redis.call('HSET', ARGV[2] .. ':round:' .. ARGV[5] .. ':results', ARGV[6], ARGV[7])
end
if ARGV[8] ~= '' then
    imvo_emit(ARGV[2] .. ':events', 'assessment.corrected', 'scoring', cmsgpack.unpack(ARGV[8]))
end
return ARGV[4] and imvo_commit_packed(ARGV[4])

-- record_put.lua: stores one packed record in a hash and answers with it, with an optional
-- event: a collective project (project.put), the working group's choice of collective risks
-- (collective.choose), an assessor's verdict or a company's comment (assessment.verify,
-- assessment.comment). A round that is published takes no more verdicts or comments.
-- KEYS[1] idempotency record, KEYS[2] the hash; ARGV: [1] ttl, [2] key prefix, [3] field,
-- [4] packed record (also the reply), [5] round hash that must not be published ('' none),
-- [6] event type ('' none), [7] packed event body, [8] a second hash field to set ('' none),
-- [9] its packed value (e.g. the rescored result), [10] the hash of that field.
local replay = imvo_replay()
if replay then
    return replay
end
if ARGV[5] ~= '' then
    local st, err = imvo_completed_round(ARGV[5], 'published_at')
    if not st then
        return err
    end
    if st[2] then
        return imvo_fail('conflict', 'round_id', 'the round\'s results are published: appeal instead')
    end
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
if ARGV[8] ~= '' then
    redis.call('HSET', ARGV[10], ARGV[8], ARGV[9])
end
if ARGV[6] ~= '' then
    imvo_emit(ARGV[2] .. ':events', ARGV[6], 'scoring', cmsgpack.unpack(ARGV[7]))
end
return imvo_commit_packed(ARGV[4])

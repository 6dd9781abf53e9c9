-- round_commit.lua: stores a chunk of a round's results, each company once (a round resumed
-- after a restart scores no one twice), and emits assessment.scored for each one stored now.
-- Only the runner holding the round's lease writes; each chunk renews the lease.
-- KEYS[1] idempotency record (none: '...:idem:-'), KEYS[2] the round hash; ARGV: [1] '0',
-- [2] key prefix, [3] year, [4] lease token, [5] lease ms, [6] packed [{org_id, result,
-- event}] (result: the packed result; event: the assessment.scored body).
local lease = ARGV[2] .. ':round:' .. ARGV[3] .. ':lease'
if redis.call('GET', lease) ~= ARGV[4] then
    return imvo_fail('conflict', 'round_id', 'another runner holds this round')
end
redis.call('PEXPIRE', lease, ARGV[5])
local results = ARGV[2] .. ':round:' .. ARGV[3] .. ':results'
local stored = 0
for _, r in ipairs(cmsgpack.unpack(ARGV[6])) do
    if redis.call('HSETNX', results, r.org_id, r.result) == 1 then
        stored = stored + 1
        imvo_emit(ARGV[2] .. ':events', 'assessment.scored', 'scoring', r.event)
    end
end
return imvo_commit({ stored = stored })

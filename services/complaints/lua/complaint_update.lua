-- complaint_update.lua: the secretariat sets the respondent of a case that arrived without one
-- (a mail, a report about a place), while the case is received.
-- KEYS[1] idempotency record, KEYS[2] the case hash; ARGV: [1] ttl, [2] key prefix
-- imvo:complaints:{<covenant>}, [3] the respondent (org id), [4] by (role), [5] now (ms).
local replay = imvo_replay()
if replay then
    return replay
end
local case = imvo_hash(KEYS[2])
if not case then
    return imvo_fail('not_found', 'case_id', 'no case with this id')
end
if case.status ~= 'received' then
    return imvo_fail('conflict', 'case_id', 'the respondent of case ' .. case.case_id .. ' can change only while it is ' ..
                     'received (it is ' .. case.status .. ')')
end
-- A join that membership acknowledged counts before the view applied it (as in complaint_submit.lua).
local etype, body = imvo_view_newer('imvo:membership:{' .. case.covenant .. '}:events', redis.call('GET', ARGV[2] .. ':view_at'),
                                    { ['member.joined'] = true, ['member.left'] = true }, 'org_id', ARGV[3], 256)
if etype == 'behind' then
    return imvo_fail('unavailable', 'respondent', 'complaints is catching up with membership; try again shortly')
end
local kind
if etype == 'member.joined' then
    kind = body.kind
elseif etype ~= 'member.left' then
    kind = redis.call('HGET', ARGV[2] .. ':members', ARGV[3])
end
if kind ~= 'company' then
    return imvo_fail('invalid_argument', 'respondent', 'respondent ' .. ARGV[3] .. ' is not a company that is a ' ..
                     'current member of the ' .. case.covenant .. ' covenant')
end
if (case.respondent or '') ~= '' then
    redis.call('ZREM', ARGV[2] .. ':respondent:' .. case.respondent, case.case_id)
end
redis.call('HSET', KEYS[2], 'respondent', ARGV[3], 'updated_at', ARGV[5])
redis.call('ZADD', ARGV[2] .. ':respondent:' .. ARGV[3], case.received_at, case.case_id)
-- The case is found by its respondent's name too (complaint.list's q; complaint_submit.lua).
local named = redis.call('HGET', ARGV[2] .. ':member_words', ARGV[3])
for w in string.gmatch(named or '', '%S+') do
    redis.call('ZADD', ARGV[2] .. ':word:' .. w, case.received_at, case.case_id)
end
return imvo_commit({ case_id = case.case_id, respondent = ARGV[3], status = case.status })

-- complaint_note.lua: a message on a case, or the company's response. The response is the
-- respondent's, while the case is in response (it closes the response deadline); a message
-- from the secretariat or the committee to the complainant starts the feedback deadline again.
-- KEYS[1] idempotency record, KEYS[2] the case hash; ARGV: [1] ttl, [2] key prefix, [3] kind
-- ('respond' or 'message'), [4] by (role), [5] org, [6] text, [7] audience ('complainant' or
-- 'company'), [8] now (ms), [9] feedback length (ms).
local replay = imvo_replay()
if replay then
    return replay
end
local case = imvo_hash(KEYS[2])
if not case then
    return imvo_fail('not_found', 'case_id', 'no case with this id')
end
local p, cid, now = ARGV[2], case.case_id, tonumber(ARGV[8])
local closed = { inadmissible = true, decided = true, settled = true, withdrawn = true, closed = true }
local dl = case.deadlines and cmsgpack.unpack(case.deadlines) or {}
local function close(name)
    redis.call('ZREM', p .. ':deadlines', cid .. '|' .. name)
    redis.call('ZREM', p .. ':overdue', cid .. '|' .. name)
    dl[name] = nil
end
if ARGV[3] == 'respond' then
    if ARGV[5] ~= case.respondent then
        return imvo_fail('forbidden', 'case_id', 'only the respondent company answers a case')
    end
    if case.status ~= 'response' then
        return imvo_fail('conflict', 'case_id', 'the case is in ' .. case.status .. ', not in response')
    end
    close('response')
elseif closed[case.status] then
    return imvo_fail('conflict', 'case_id', 'the case is ' .. case.status .. ': it takes no more messages')
elseif ARGV[4] ~= 'complainant' and ARGV[7] == 'complainant' then
    close('feedback')
    dl.feedback = now + tonumber(ARGV[9])
    redis.call('ZADD', p .. ':deadlines', dl.feedback, cid .. '|feedback')
end
redis.call('RPUSH', KEYS[2] .. ':messages', cmsgpack.pack({ at = now, from = ARGV[4], text = ARGV[6],
                                                             audience = ARGV[7] }))
redis.call('HSET', KEYS[2], 'deadlines', cmsgpack.pack(dl), 'updated_at', now)
return imvo_commit({ case_id = cid, at = now, from = ARGV[4] })

-- complaint_note.lua: a message on a case, or the company's response. The response is the
-- respondent's, while the case is in response (it closes the response deadline); a message
-- from the secretariat or the committee to the complainant starts the feedback deadline again.
-- KEYS[1] idempotency record, KEYS[2] the case hash; ARGV[1] ttl, ARGV[2] by name (imvo_named;
-- complaint.respond's and complaint.message's script_args): prefix, kind ('respond' or
-- 'message'), by (role), person ('' or the signed-in person a gateway spoke for), org, text,
-- audience ('complainant' or 'company'), now (ms),
-- feedback_ms (the feedback deadline's length).
local replay = imvo_replay()
if replay then
    return replay
end
local a = imvo_named()
local case = imvo_hash(KEYS[2])
if not case then
    return imvo_fail('not_found', 'case_id', 'no case with this id')
end
local p, cid, now = a.prefix, case.case_id, tonumber(a.now)
local closed = { inadmissible = true, decided = true, settled = true, withdrawn = true, closed = true }
local dl = case.deadlines and cmsgpack.unpack(case.deadlines) or {}
local function close(name)
    redis.call('ZREM', p .. ':deadlines', cid .. '|' .. name)
    redis.call('ZREM', p .. ':overdue', cid .. '|' .. name)
    dl[name] = nil
end
if a.kind == 'respond' then
    if a.org ~= case.respondent then
        return imvo_fail('forbidden', 'case_id', 'only the respondent company answers a case')
    end
    if case.status ~= 'response' then
        return imvo_fail('conflict', 'case_id', 'the case is in ' .. case.status .. ', not in response')
    end
    close('response')
elseif a.by == 'company' and a.org ~= case.respondent then
    return imvo_fail('forbidden', 'case_id', 'a company writes only on the cases against itself')
elseif closed[case.status] then
    return imvo_fail('conflict', 'case_id', 'the case is ' .. case.status .. ': it takes no more messages')
elseif a.by ~= 'complainant' and a.audience == 'complainant' then
    close('feedback')
    dl.feedback = now + tonumber(a.feedback_ms)
    redis.call('ZADD', p .. ':deadlines', dl.feedback, cid .. '|feedback')
end
redis.call('RPUSH', KEYS[2] .. ':messages', cmsgpack.pack({ at = now, from = a.by, text = a.text,
                                                             person = a.person ~= '' and a.person or nil,
                                                             audience = a.audience }))
redis.call('HSET', KEYS[2], 'deadlines', cmsgpack.pack(dl), 'updated_at', now)
-- No longer late once none of its open deadlines is in the overdue set (complaint.list's :late).
local late = false
for name in pairs(dl) do
    late = late or redis.call('ZSCORE', p .. ':overdue', cid .. '|' .. name) ~= false
end
if not late then
    redis.call('ZREM', p .. ':late', cid)
end
return imvo_commit({ case_id = cid, at = now, from = a.by })

-- complaint_note.lua: a message on a case, or the company's response. The response is the
-- respondent's, while the case is in response (it closes the response deadline); a message
-- from the secretariat or the committee to the complainant starts the feedback deadline again.
-- KEYS[1] idempotency record, KEYS[2] the case hash; ARGV[1] ttl, ARGV[2] by name (imvo_named;
-- complaint.respond's and complaint.message's script_args): prefix, kind ('respond' or
-- 'message'), by (role), person ('' or the signed-in person a gateway spoke for), org, text,
-- audience ('complainant' or 'company'), now (ms),
-- feedback_ms (the feedback deadline's length).
-- A dispute (complaint_submit.lua: kind dispute, claimant_org) has two sides that each answer
-- while it is in response (recorded per side: responded_claimant, responded_respondent; the
-- response deadline closes once both have), and both see both answers (audience 'parties');
-- the claimant party's own messages are its thread with the committee (audience
-- 'complainant'). Staff write to 'parties' (both sides) on a dispute only.
local case, done = imvo_case_to_change()
if not case then
    return done
end
local a = imvo_named()
local p, cid, now = a.prefix, case.case_id, tonumber(a.now)
local closed = { inadmissible = true, decided = true, settled = true, withdrawn = true, closed = true }
local dl = case.deadlines and cmsgpack.unpack(case.deadlines) or {}
local function close(name)
    redis.call('ZREM', p .. ':deadlines', cid .. '|' .. name)
    redis.call('ZREM', p .. ':overdue', cid .. '|' .. name)
    dl[name] = nil
end
local dispute = case.kind == 'dispute'
local audience, side = a.audience, nil
-- A company writes at most 200 times on a case (company_messages counts them, once taken):
-- complaint.messages reads a case's first 1000, so a flood would hide everyone's later messages.
-- Checked before anything is written.
if a.by == 'company' and tonumber(case.company_messages or '0') >= 200 then
    return imvo_fail('too_large', 'text', 'a company writes at most 200 messages on a case; ask the secretariat')
end
if a.kind == 'respond' then
    side = a.org == case.respondent and 'respondent' or (dispute and a.org == case.claimant_org and 'claimant') or nil
    if not side then
        return imvo_fail('forbidden', 'case_id', 'only the respondent company answers a case (in a dispute: either party)')
    end
    if case.status ~= 'response' then
        return imvo_fail('conflict', 'case_id', 'the case is in ' .. case.status .. ', not in response')
    end
    if dispute then
        audience = 'parties'
        redis.call('HSET', KEYS[2], 'responded_' .. side, now)
        if case['responded_' .. (side == 'claimant' and 'respondent' or 'claimant')] then
            close('response')
        end
    else
        close('response')
    end
elseif a.audience == 'parties' and not dispute then
    return imvo_fail('invalid_argument', 'to', 'parties (both sides) is for a dispute; this case is a complaint')
elseif a.by == 'company' and dispute and a.org == case.claimant_org then
    if closed[case.status] then
        return imvo_fail('conflict', 'case_id', 'the case is ' .. case.status .. ': it takes no more messages')
    end
    audience = 'complainant'
elseif a.by == 'company' and a.org ~= case.respondent
       and not (a.org == case.association
                and redis.call('HGET', 'imvo:membership:{' .. case.covenant .. '}:associated', case.respondent) == a.org) then
    -- (the association a respondent is reached through, while it still lists the company)
    return imvo_fail('forbidden', 'case_id', 'a company writes only on the cases against itself')
elseif closed[case.status] then
    return imvo_fail('conflict', 'case_id', 'the case is ' .. case.status .. ': it takes no more messages')
elseif a.by ~= 'complainant' and (a.audience == 'complainant' or a.audience == 'parties') then
    close('feedback')
    dl.feedback = now + tonumber(a.feedback_ms)
    redis.call('ZADD', p .. ':deadlines', dl.feedback, cid .. '|feedback')
end
if a.by == 'company' then
    redis.call('HINCRBY', KEYS[2], 'company_messages', 1)
end
redis.call('RPUSH', KEYS[2] .. ':messages', cmsgpack.pack({ at = now, from = a.by, text = a.text,
                                                             person = a.person ~= '' and a.person or nil,
                                                             audience = audience, side = side }))
redis.call('HSET', KEYS[2], 'deadlines', cmsgpack.pack(dl), 'updated_at', now)
-- No longer late once none of its open deadlines is in the overdue set (complaint.list's :late).
local late = false
for name in pairs(dl) do
    late = late or redis.call('ZSCORE', p .. ':overdue', cid .. '|' .. name) ~= false
end
if not late then
    redis.call('ZREM', p .. ':late', cid)
end
return imvo_commit({ case_id = cid, at = now, from = a.by, side = side })

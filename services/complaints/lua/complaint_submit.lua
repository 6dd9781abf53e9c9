-- complaint_submit.lua: files a complaint and its complaint.received event in one step.
-- KEYS[1] idempotency record; ARGV[1] its lifetime; ARGV[2] the arguments by name (imvo_named;
-- the names are complaint.submit's script_args in proto/catalogue_complaints.c):
--   prefix        the key prefix imvo:complaints:{<covenant>}
--   covenant, year, respondent ('' for none), summary
--   receipt_hash  the keyed hash of the complaint's receipt
--   now           unix ms
--   views_ready   '1' when complaints has read every covenant's members from membership (a
--                 covenant without a view is then unknown), '0' while it has not yet
--   packed by the daemon: file (description, complainant, country, location_id), history (an
--   array holding the first entry), event and reply (maps without case_id), deadlines
--   ({name = due at}: acknowledge, feedback, decision).
--   lang          the language the complainant wrote in (a catalogue code; nl by default)
--   kind          complaint, or dispute: between two parties (seed 001: "Onafhankelijke
--                 klachten- en geschillenmechanisme ingesteld")
--   claimant_org  a dispute's claimant party ('' for a complaint)
--   link          the production location the complaint names ('' for none): the case waits in
--                 :to_link for the companies that disclosed it (complaints_link_queue.c)
-- A dispute's claimant and respondent must both be current parties of the covenant, of any
-- kind, as membership's memberships say (imvo:membership:{<covenant>}:member:<org>, read in the
-- same slot, undeclared like the events; complaints' Redis user may read them).
-- A company that is not a member itself but that a trade association lists (member.associates,
-- imvo:membership:{<covenant>}:associated) is reachable through its association: the case
-- keeps the association (association), and the association hears of the case with the company.
-- The case enters no index here: :cases, :status:received, :respondent:<org>, its three
-- deadlines and its receipt are written behind the commit, many cases a step, and every script
-- that reads them catches up first (imvo_cases_index in the prelude; issue 21, 6: each index
-- member cost the submit more than the command itself). The year's first case adds the year to
-- :indexed, so that the step knows to look at it. :index_version is set with the covenant's
-- first case (an older covenant's indexes are built by complaints_index.c). Its words
-- (:word:<w>) are indexed behind the commit too, by the daemon (complaints_word_index.c).
-- The respondent must be a company that is a current member of the covenant, by complaints'
-- own view of the members (member_view.lua), or by membership's newer events that the view
-- has not applied yet (a member.join acknowledged a moment ago counts: imvo_view_newer reads
-- imvo:membership:{<covenant>}:events, in the same slot, as an undeclared key: a Redis ACL
-- selector allows a command only when it allows all its declared keys), checked after the
-- replay: a retry with a known key gets its first reply even when the respondent has left since.
local replay = imvo_replay()
if replay then
    return replay
end
local a = imvo_named()
local prefix = a.prefix
-- Without a respondent ('') the covenant must still be known: its members' view exists.
local kind
if a.kind == 'dispute' then
    local mp = 'imvo:membership:{' .. a.covenant .. '}:member:'
    for _, side in ipairs({ { 'claimant_org', a.claimant_org }, { 'respondent', a.respondent } }) do
        local m = redis.call('HMGET', mp .. side[2], 'status', 'role')
        if m[1] ~= 'active' or m[2] ~= 'party' then
            return imvo_fail('invalid_argument', side[1], side[2] .. ' is not a current party of the ' .. a.covenant ..
                             ' covenant: a dispute is between two parties')
        end
    end
    kind = 'party'
elseif a.respondent == '' then
    kind = redis.call('EXISTS', prefix .. ':view') == 1 and 'company' or nil
else
    local etype, body = imvo_view_newer('imvo:membership:{' .. a.covenant .. '}:events', redis.call('GET', prefix .. ':view_at'),
                                        { ['member.joined'] = true, ['member.left'] = true }, 'org_id', a.respondent, 256)
    if etype == 'behind' then
        return imvo_fail('unavailable', 'respondent', 'complaints is catching up with membership; try again shortly')
    elseif etype == 'member.joined' then
        kind = body.kind
    elseif etype ~= 'member.left' then
        kind = redis.call('HGET', prefix .. ':members', a.respondent)
    end
end
local association
if not kind and a.respondent ~= '' then
    association = redis.call('HGET', 'imvo:membership:{' .. a.covenant .. '}:associated', a.respondent) or nil
    kind = association and 'company' or nil
end
if not kind then
    if redis.call('EXISTS', prefix .. ':view') == 0 then
        if a.views_ready == '1' then
            return imvo_fail('not_found', 'covenant', 'there is no covenant ' .. a.covenant)
        end
        return imvo_fail('unavailable', 'covenant', 'complaints has not yet read the members of the ' ..
                         a.covenant .. ' covenant from membership; try again shortly')
    end
    return imvo_fail('invalid_argument', 'respondent', 'respondent ' .. a.respondent ..
                     ' is not a current member of the ' .. a.covenant .. ' covenant')
end
if kind ~= 'company' and kind ~= 'party' then
    return imvo_fail('invalid_argument', 'respondent', 'respondent ' .. a.respondent .. ' is a member of the ' ..
                     a.covenant .. ' covenant but not a company (' .. kind .. ')')
end
local n = redis.call('INCR', prefix .. ':seq:' .. a.year)
local case_id = string.upper(a.covenant) .. '-' .. a.year .. '-' .. string.format('%04d', n)
local key = prefix .. ':case:' .. case_id
local now = a.now
redis.call('HSET', key, 'case_id', case_id, 'covenant', a.covenant, 'respondent', a.respondent, 'summary', a.summary,
           'status', 'received', 'received_at', now, 'updated_at', now, 'file', a.file,
           'history', a.history, 'receipt_hash', a.receipt_hash, 'deadlines', a.deadlines, 'lang', a.lang)
local event = imvo_mp_prepend(a.event, 'case_id', case_id)
if a.kind == 'dispute' then
    redis.call('HSET', key, 'kind', 'dispute', 'claimant_org', a.claimant_org)
    event = imvo_mp_prepend(imvo_mp_prepend(event, 'kind', 'dispute'), 'claimant_org', a.claimant_org)
end
if association then
    redis.call('HSET', key, 'association', association)
    event = imvo_mp_prepend(event, 'association', association)
end
-- Only the year's first case can be the covenant's first (:cases gets every case the
-- counter numbers, and loses none): no EXISTS for the others.
if n == 1 then
    if redis.call('EXISTS', prefix .. ':cases') == 0 then
        redis.call('SET', prefix .. ':index_version', '1')
    end
    redis.call('HSETNX', prefix .. ':indexed', a.year, '0')
end
-- Only a complaint about a place waits to be linked: the others cost no consumer's pending
-- entry and acknowledgement (issue 21, 6).
if a.link ~= '' then
    redis.call('ZADD', prefix .. ':to_link', now, case_id .. ' ' .. a.link)
end
imvo_emit_packed(prefix .. ':events', 'complaint.received', 'complaints', event)
return imvo_commit_packed(imvo_mp_prepend(a.reply, 'case_id', case_id))

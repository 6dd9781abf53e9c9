-- complaint_transition.lua: moves a case along its life cycle (proto/README.md) in
-- one step: the move must be in the table and made by its actor, the history gets an entry,
-- the deadline the move answers closes and the one it asks for opens, and
-- complaint.status_changed (and complaint.decided) are emitted.
-- KEYS[1] idempotency record, KEYS[2] the case hash; ARGV[1] ttl, ARGV[2] by name
-- (imvo_named; complaint.transition's script_args): prefix (imvo:complaints:{<covenant>}),
-- to, reason, outcome, decision, by (role), person ('' or the signed-in person a gateway spoke
-- for), now (ms), covenant, lengths (packed deadline
-- lengths {name = ms}; a decided case gets follow_up, which closing it ends). The deadline,
-- overdue, decision and closed sets are the covenant's,
-- in its slot, and so are the indexes complaint.list filters by: :status:<status> and :late
-- (the cases with a deadline passed), both scored by received_at. The events carry a dispute's
-- kind and claimant_org and a case's association (complaint_submit.lua), for notify.
local case, done = imvo_case_to_change()
if not case then
    return done
end
local a = imvo_named()
local p, cid, from, to, by = a.prefix, case.case_id, case.status, a.to, a.by
local now = tonumber(a.now)
local open = { received = true, admissibility = true, response = true, mediation = true, ruling = true }
local moves = {
    received = { admissibility = 'secretariat' },
    admissibility = { inadmissible = 'committee', response = 'committee' },
    response = { mediation = 'committee', ruling = 'committee' },
    mediation = { settled = 'committee', ruling = 'committee' },
    ruling = { decided = 'committee' },
}
local who
if to == 'withdrawn' and open[from] then
    who = { complainant = true, secretariat = true }
elseif to == 'closed' and (from == 'inadmissible' or from == 'decided' or from == 'settled' or from == 'withdrawn') then
    who = { secretariat = true }
elseif moves[from] and moves[from][to] then
    who = { [moves[from][to]] = true }
end
if not who then
    return imvo_fail('conflict', 'to', 'a case in ' .. from .. ' cannot move to ' .. to)
end
if not who[by] then
    local names = {}
    for role in pairs(who) do
        table.insert(names, role)
    end
    table.sort(names)
    return imvo_fail('forbidden', 'to', 'moving a case from ' .. from .. ' to ' .. to .. ' is for: ' ..
                     table.concat(names, ', '))
end
-- A case that arrived without its respondent moves on only once the secretariat set it.
if to == 'admissibility' and (case.respondent or '') == '' then
    return imvo_fail('conflict', 'respondent', 'case ' .. cid .. ' has no respondent yet: set it with complaint.update')
end
-- Deadlines: the move ends the one that asked for it and opens its own.
local lengths = cmsgpack.unpack(a.lengths)
local dl = case.deadlines and cmsgpack.unpack(case.deadlines) or {}
local function close(name)
    if dl[name] then
        redis.call('ZREM', p .. ':deadlines', cid .. '|' .. name)
        redis.call('ZREM', p .. ':overdue', cid .. '|' .. name)
        dl[name] = nil
    end
end
local function start(name)
    close(name)
    dl[name] = now + lengths[name]
    redis.call('ZADD', p .. ':deadlines', dl[name], cid .. '|' .. name)
end
if to == 'admissibility' then
    close('acknowledge')
    start('admissibility')
elseif to == 'inadmissible' or to == 'response' then
    close('admissibility')
    if to == 'response' then
        start('response')
    end
elseif to == 'mediation' or to == 'ruling' then
    close('response')
end
if open[to] then
    start('feedback')                   -- the complainant heard something: three months again
else
    local names = {}
    for name in pairs(dl) do
        table.insert(names, name)
    end
    for _, name in ipairs(names) do
        close(name)
    end
end
local history = case.history and cmsgpack.unpack(case.history) or {}
-- person: the signed-in person a gateway spoke for (its username), beside the role.
table.insert(history, { at = now, by = by, person = a.person ~= '' and a.person or nil, from = from, to = to,
                        reason = a.reason })
redis.call('HSET', KEYS[2], 'status', to, 'updated_at', now, 'history', cmsgpack.pack(history),
           'deadlines', cmsgpack.pack(dl))
redis.call('ZREM', p .. ':status:' .. from, cid)
redis.call('ZADD', p .. ':status:' .. to, case.received_at, cid)
-- Late while one of its open deadlines is in the overdue set.
local late = false
for name in pairs(dl) do
    late = late or redis.call('ZSCORE', p .. ':overdue', cid .. '|' .. name) ~= false
end
if not late then
    redis.call('ZREM', p .. ':late', cid)
end
local out = { case_id = cid, covenant = a.covenant, respondent = case.respondent, summary = case.summary,
              status = to, from = from }
-- The trade association a respondent is reached through hears of the case while it still lists
-- the company (membership's {<covenant>}:associated, in the case's slot).
local association = case.association
if association and redis.call('HGET', 'imvo:membership:{' .. a.covenant .. '}:associated', case.respondent) ~= association then
    association = nil
end
if to == 'decided' then
    -- The committee's check on what it decided: follow_up, until the case is closed.
    dl.follow_up = now + lengths.follow_up
    redis.call('ZADD', p .. ':deadlines', dl.follow_up, cid .. '|follow_up')
    redis.call('HSET', KEYS[2], 'outcome', a.outcome, 'decision', a.decision, 'decided_at', now,
               'deadlines', cmsgpack.pack(dl))
    redis.call('ZADD', p .. ':decisions', now, cid)
    redis.call('ZADD', p .. ':decision_days', (now - tonumber(case.received_at)) / 86400000, cid)
    out.outcome = a.outcome
    imvo_emit(p .. ':events', 'complaint.decided', 'complaints',
              { case_id = cid, covenant = a.covenant, respondent = case.respondent, outcome = a.outcome, decided_at = now,
                summary = case.summary, decision = a.decision, kind = case.kind, claimant_org = case.claimant_org,
                association = association })
end
if to == 'closed' then
    redis.call('ZADD', p .. ':closed', now, cid)
end
imvo_emit(p .. ':events', 'complaint.status_changed', 'complaints',
          { case_id = cid, covenant = a.covenant, respondent = case.respondent, from = from, to = to, by = by,
            reason = a.reason, kind = case.kind, claimant_org = case.claimant_org, association = association })
return imvo_commit(out)

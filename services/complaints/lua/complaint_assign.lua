-- complaint_assign.lua: gives a case to a person of the secretariat or the committee, or takes
-- it back (person ''). The case keeps assigned (username), assigned_by (role) and
-- assigned_by_person and assigned_at; the index :assigned:<person> (score received_at) is
-- what complaint.list's assigned filter reads.
-- KEYS[1] idempotency record, KEYS[2] the case hash; ARGV[1] ttl, ARGV[2] by name (imvo_named;
-- complaint.assign's script_args): prefix (imvo:complaints:{<covenant>}), person ('' to
-- unassign), by (role), by_person ('' or the signed-in person a gateway spoke for), now (ms).
local case, done = imvo_case_to_change()
if not case then
    return done
end
local a = imvo_named()
local cid = case.case_id
if (case.assigned or '') ~= '' then
    redis.call('ZREM', a.prefix .. ':assigned:' .. case.assigned, cid)
end
local out = { case_id = cid }
if a.person == '' then
    redis.call('HDEL', KEYS[2], 'assigned', 'assigned_by', 'assigned_by_person', 'assigned_at')
else
    redis.call('HSET', KEYS[2], 'assigned', a.person, 'assigned_by', a.by, 'assigned_by_person', a.by_person,
               'assigned_at', a.now)
    redis.call('ZADD', a.prefix .. ':assigned:' .. a.person, case.received_at, cid)
    out.assigned = { person = a.person, by = a.by, by_person = a.by_person ~= '' and a.by_person or nil,
                     at = tonumber(a.now) }
end
redis.call('HSET', KEYS[2], 'updated_at', a.now)
return imvo_commit(out)

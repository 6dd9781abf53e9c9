-- complaint_deadlines.lua: the covenant's deadlines that have passed, at most ARGV[3] at a
-- time: each moves to the overdue set and complaint.deadline_due is emitted for it, in the same
-- step, so a deadline is due once however many replicas run this and whenever they run it;
-- the case enters :late (complaint.list's overdue filter, scored by received_at).
-- KEYS[1] idempotency record (none: ':idem:-'), KEYS[2] the deadlines set (score: due at,
-- member: case_id|name); ARGV: [1] '0', [2] key prefix, [3] limit, [4] now (ms), [5] covenant.
local owners = { acknowledge = 'secretariat', admissibility = 'committee', response = 'company',
                 feedback = 'secretariat', decision = 'committee', follow_up = 'committee' }
local p = ARGV[2]
-- Only once every case is in :deadlines (imvo_cases_index): a move's deadline of a case not yet
-- indexed could otherwise be due once here and again when its case is indexed. Until then
-- the daemon calls again (due = the limit).
if imvo_cases_index(p, 200) > 0 then
    return imvo_commit({ due = tonumber(ARGV[3]) })
end
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[4], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #due, 2 do
    local member, at = due[i], tonumber(due[i + 1])
    local cid, name = string.match(member, '^(.*)|([a-z_]+)$')
    redis.call('ZREM', KEYS[2], member)
    redis.call('ZADD', p .. ':overdue', at, member)
    local c = redis.call('HMGET', p .. ':case:' .. cid, 'respondent', 'received_at')
    if c[2] then
        redis.call('ZADD', p .. ':late', c[2], cid)
    end
    imvo_emit(p .. ':events', 'complaint.deadline_due', 'complaints',
              { case_id = cid, covenant = ARGV[5], deadline = name, due_at = at, owner = owners[name],
                respondent = c[1] })
end
return imvo_commit({ due = #due / 2 })

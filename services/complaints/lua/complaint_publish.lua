-- complaint_publish.lua: the committee's public statement on a case that ended decided, settled
-- or inadmissible (or was closed from one of them). The statement is what the public reads of
-- the case (complaint.decisions, /decisions/<covenant>): never the complainant's summary or
-- description, nor the decision text, which may quote her. Publishing again corrects the
-- statement; the case keeps its first published_at (and its place in the list) and notes when
-- it was corrected. Emits complaint.published.
-- The case keeps statement, published_at, published_by (role), published_by_person,
-- statement_updated_at, and how it ended: concluded (decided, settled or inadmissible) and
-- concluded_at (the time it entered that status). The covenant's :published zset (score
-- published_at) is the public list, newest first.
-- KEYS[1] idempotency record, KEYS[2] the case hash; ARGV[1] ttl, ARGV[2] by name (imvo_named;
-- complaint.publish's script_args): prefix (imvo:complaints:{<covenant>}), statement, by
-- (role), person ('' or the signed-in person a gateway spoke for), now (ms).
local case, done = imvo_case_to_change()
if not case then
    return done
end
local a = imvo_named()
local ends = { decided = true, settled = true, inadmissible = true }
local history = case.history and cmsgpack.unpack(case.history) or {}
-- How the case ended: its status, or for a closed case the status it was closed from.
local concluded = case.status
if concluded == 'closed' and #history > 0 then
    concluded = history[#history].from
end
if not ends[concluded] then
    return imvo_fail('conflict', 'case_id', 'case ' .. case.case_id .. ' is ' .. case.status ..
                     ': only a decided, settled or inadmissible case gets a public statement')
end
local concluded_at = tonumber(case.decided_at or 0)
for i = #history, 1, -1 do
    if history[i].to == concluded then
        concluded_at = tonumber(history[i].at)
        break
    end
end
local now = tonumber(a.now)
local published_at = tonumber(case.published_at or now)
redis.call('HSET', KEYS[2], 'statement', a.statement, 'published_at', published_at, 'published_by', a.by,
           'published_by_person', a.person, 'statement_updated_at', now, 'concluded', concluded,
           'concluded_at', concluded_at)
redis.call('ZADD', a.prefix .. ':published', 'NX', published_at, case.case_id)
-- complaint.published: notify tells the complainant (the inbox her receipt opens), the company,
-- the secretariat and the committee; corrected when an earlier statement is replaced. The
-- statement is public; the event carries nothing else of the case.
imvo_emit(a.prefix .. ':events', 'complaint.published', 'complaints',
          { case_id = case.case_id, covenant = case.covenant, respondent = case.respondent, conclusion = concluded,
            statement = a.statement, published_at = published_at, corrected = case.published_at ~= nil })
return imvo_commit({ case_id = case.case_id, published_at = published_at })

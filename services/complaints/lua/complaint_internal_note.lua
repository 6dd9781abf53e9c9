-- complaint_internal_note.lua: an internal note on a case (complaint.note), for staff only:
-- complaint.get shows the notes to the secretariat and the committee, never to a company or
-- the complainant, and complaint.messages never lists them.
-- KEYS[1] idempotency record, KEYS[2] the case hash; ARGV[1] ttl, ARGV[2] by name (imvo_named;
-- complaint.note's script_args): role, person ('' for a certificate without a person), text,
-- now (ms). The notes are the list <case>:notes, oldest first.
local replay = imvo_replay()
if replay then
    return replay
end
local a = imvo_named()
local cid = redis.call('HGET', KEYS[2], 'case_id')
if not cid then
    return imvo_fail('not_found', 'case_id', 'no case with this id')
end
local now = tonumber(a.now)
redis.call('RPUSH', KEYS[2] .. ':notes', cmsgpack.pack({ at = now, role = a.role, person = a.person, text = a.text }))
return imvo_commit({ case_id = cid, at = now })

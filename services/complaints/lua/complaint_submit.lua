-- complaint_submit.lua: files a complaint and its complaint.received event in one step.
-- KEYS[1] idempotency record; ARGV: [1] ttl, [2] key prefix imvo:complaints:{<covenant>},
-- [3] covenant, [4] year, [5] respondent, [6] summary, [7] receipt hash ('' for none),
-- [8] now (unix ms), [9] 1 when complaints has read every covenant's members from membership
-- (a covenant without a view is then unknown), 0 while it has not yet; packed by the daemon:
-- [10] the complaint's file (description, complainant, country, location_id), [11] the
-- history (an array holding the first entry), and, as maps without case_id, [12] the event
-- body and [13] the reply; [14] the deadlines the complaint opens ({name = due at}: acknowledge,
-- feedback, decision).
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
local prefix = ARGV[2]
-- Without a respondent (ARGV[5] '') the covenant must still be known: its members' view exists.
local kind
if ARGV[5] == '' then
    kind = redis.call('EXISTS', prefix .. ':view') == 1 and 'company' or nil
else
    local etype, body = imvo_view_newer('imvo:membership:{' .. ARGV[3] .. '}:events', redis.call('GET', prefix .. ':view_at'),
                                        { ['member.joined'] = true, ['member.left'] = true }, 'org_id', ARGV[5], 256)
    if etype == 'behind' then
        return imvo_fail('unavailable', 'respondent', 'complaints is catching up with membership; try again shortly')
    elseif etype == 'member.joined' then
        kind = body.kind
    elseif etype ~= 'member.left' then
        kind = redis.call('HGET', prefix .. ':members', ARGV[5])
    end
end
if not kind then
    if redis.call('EXISTS', prefix .. ':view') == 0 then
        if ARGV[9] == '1' then
            return imvo_fail('not_found', 'covenant', 'there is no covenant ' .. ARGV[3])
        end
        return imvo_fail('unavailable', 'covenant', 'complaints has not yet read the members of the ' ..
                         ARGV[3] .. ' covenant from membership; try again shortly')
    end
    return imvo_fail('invalid_argument', 'respondent', 'respondent ' .. ARGV[5] ..
                     ' is not a current member of the ' .. ARGV[3] .. ' covenant')
end
if kind ~= 'company' then
    return imvo_fail('invalid_argument', 'respondent', 'respondent ' .. ARGV[5] .. ' is a member of the ' ..
                     ARGV[3] .. ' covenant but not a company (' .. kind .. ')')
end
local n = redis.call('INCR', prefix .. ':seq:' .. ARGV[4])
local case_id = string.upper(ARGV[3]) .. '-' .. ARGV[4] .. '-' .. string.format('%04d', n)
local key = prefix .. ':case:' .. case_id
local now = ARGV[8]
redis.call('HSET', key, 'case_id', case_id, 'covenant', ARGV[3], 'respondent', ARGV[5], 'summary', ARGV[6],
           'status', 'received', 'received_at', now, 'updated_at', now, 'file', ARGV[10],
           'history', ARGV[11], 'receipt_hash', ARGV[7], 'deadlines', ARGV[14])
redis.call('HSET', prefix .. ':receipts', ARGV[7], case_id)
for name, due in pairs(cmsgpack.unpack(ARGV[14])) do
    redis.call('ZADD', prefix .. ':deadlines', due, case_id .. '|' .. name)
end
redis.call('ZADD', prefix .. ':cases', now, case_id)
if ARGV[5] ~= '' then
    redis.call('ZADD', prefix .. ':respondent:' .. ARGV[5], now, case_id)     -- a company's cases (org.get)
end
imvo_emit_packed(prefix .. ':events', 'complaint.received', 'complaints',
                 imvo_mp_prepend(ARGV[12], 'case_id', case_id))
return imvo_commit_packed(imvo_mp_prepend(ARGV[13], 'case_id', case_id))

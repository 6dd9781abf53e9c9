-- member_leave.lua: an organisation leaves a covenant; the membership and its history stay.
-- KEYS[1] idempotency record, KEYS[2] the member hash; ARGV: [1] ttl, [2] key prefix,
-- [3] covenant, [4] org id, [5] reason, [6] today, [7] actor.
local replay = imvo_replay()
if replay then
    return replay
end
local status = redis.call('HGET', KEYS[2], 'status')
if not status then
    return imvo_fail('not_found', 'org_id', 'this organisation is not a member of the covenant')
end
if status ~= 'active' then
    return imvo_fail('conflict', 'org_id', 'this organisation has already left the covenant')
end
local now = imvo_now_ms()
redis.call('HSET', KEYS[2], 'status', 'left', 'left_on', ARGV[6])
redis.call('SREM', ARGV[2] .. ':members', ARGV[4])
-- A trade association that leaves no longer speaks for its member companies (member.associates).
local listed = redis.call('HGET', KEYS[2], 'companies')
for _, c in ipairs(listed and cmsgpack.unpack(listed) or {}) do
    redis.call('HDEL', ARGV[2] .. ':associated', c.org_id)
end
redis.call('HDEL', KEYS[2], 'companies')
local role = redis.call('HGET', KEYS[2], 'role')
redis.call('RPUSH', KEYS[2] .. ':history', cmsgpack.pack({ at = now, on = ARGV[6], action = 'left',
            role = role, reason = ARGV[5] ~= '' and ARGV[5] or nil, by = ARGV[7] }))
imvo_emit(ARGV[2] .. ':events', 'member.left', 'membership',
          { covenant = ARGV[3], org_id = ARGV[4], role = role })
return imvo_commit({ covenant = ARGV[3], org_id = ARGV[4], status = 'left', left_on = ARGV[6] })

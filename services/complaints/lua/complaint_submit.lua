-- complaint_submit.lua: files a complaint and its complaint.received event in one step.
-- KEYS[1] idempotency record; ARGV: [1] ttl, [2] key prefix imvo:complaints:{<covenant>},
-- [3] covenant, [4] year, [5] respondent, [6] summary, [7] description, [8] anonymous 0/1,
-- [9] name, [10] contact, [11] complainant kind, [12] share identity 0/1, [13] country,
-- [14] location_id, [15] receipt hash, [16] receipt (only for the reply), [17] actor,
-- [18] respondent verified with membership 1/0 (0: membership did not answer).
-- Empty strings mean "not given".
local replay = imvo_replay()
if replay then
    return replay
end
local prefix = ARGV[2]
local n = redis.call('INCR', prefix .. ':seq:' .. ARGV[4])
local case_id = string.upper(ARGV[3]) .. '-' .. ARGV[4] .. '-' .. string.format('%04d', n)
local key = prefix .. ':case:' .. case_id
local now = imvo_now_ms()

local fields = { 'case_id', case_id, 'covenant', ARGV[3], 'respondent', ARGV[5],
                 'summary', ARGV[6], 'description', ARGV[7], 'status', 'received',
                 'received_at', now, 'updated_at', now, 'anonymous', ARGV[8],
                 'share_identity', ARGV[12], 'respondent_verified', ARGV[18] }
local optional = { name = ARGV[9], contact = ARGV[10], complainant_kind = ARGV[11],
                   country = ARGV[13], location_id = ARGV[14], receipt_hash = ARGV[15] }
for field, value in pairs(optional) do
    if value ~= '' then
        table.insert(fields, field)
        table.insert(fields, value)
    end
end
redis.call('HSET', key, unpack(fields))
if ARGV[15] ~= '' then
    redis.call('SET', prefix .. ':receipt:' .. ARGV[15], case_id)
end
redis.call('ZADD', prefix .. ':cases', now, case_id)
redis.call('RPUSH', key .. ':history', cmsgpack.pack({ at = now, status = 'received',
            by = ARGV[17], note = 'complaint received' }))

imvo_emit(prefix .. ':events', 'complaint.received', 'complaints',
          { case_id = case_id, covenant = ARGV[3], respondent = ARGV[5], summary = ARGV[6],
            anonymous = ARGV[8] == '1', received_at = now }, now)

local reply = { case_id = case_id, status = 'received' }
if ARGV[16] ~= '' then
    reply.receipt = ARGV[16]
end
return imvo_commit(reply)

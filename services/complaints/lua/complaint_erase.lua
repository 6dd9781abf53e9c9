-- complaint_erase.lua: retention. Closed cases whose retention ended (closed at or before
-- ARGV[3]) lose their personal data: the complainant's name, contact and kind, and the
-- messages, the internal notes and the attachments. The decision, the summary, the description and the history (which holds roles,
-- never names) stay. At most ARGV[4] cases a call.
-- KEYS[1] the closed set (score: closed at); ARGV: [1] key prefix, [2] now (ms), [3] closed
-- at or before (ms), [4] limit.
local p = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, tonumber(ARGV[4]))
for _, cid in ipairs(ids) do
    local key = p .. ':case:' .. cid
    local file = redis.call('HGET', key, 'file')
    if file then
        file = cmsgpack.unpack(file)
        local c = file.complainant or {}
        file.complainant = { anonymous = c.anonymous, share_identity = false, erased = true }
        redis.call('HSET', key, 'file', cmsgpack.pack(file), 'erased_at', ARGV[2])
    end
    redis.call('DEL', key .. ':messages', key .. ':notes')
    -- The evidence too (complaint_attach.lua): uploads under way end by themselves.
    for _, aid in ipairs(redis.call('HKEYS', key .. ':attachments')) do
        redis.call('DEL', key .. ':attachment:' .. aid)
    end
    redis.call('DEL', key .. ':attachments')
    redis.call('HDEL', key, 'attachment_bytes')
    redis.call('ZREM', KEYS[1], cid)
end
return #ids

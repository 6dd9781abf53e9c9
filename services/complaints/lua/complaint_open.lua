-- complaint_open.lua: a company's open cases in one covenant, newest first (at most 1,000), as
-- packed [{case_id, status, summary, received_at}].
-- KEYS[1] imvo:complaints:{<covenant>}:respondent:<org>; ARGV[1] key prefix.
local open = { received = true, admissibility = true, response = true, mediation = true, ruling = true }
local out = {}
for _, id in ipairs(redis.call('ZREVRANGE', KEYS[1], 0, 999)) do
    local c = redis.call('HMGET', ARGV[1] .. ':case:' .. id, 'status', 'summary', 'received_at')
    if c[1] and open[c[1]] then
        table.insert(out, { case_id = id, status = c[1], summary = c[2], received_at = tonumber(c[3]) })
    end
end
return cmsgpack.pack({ cases = out })

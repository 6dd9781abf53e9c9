-- complaint_open.lua: a company's open cases in one covenant, newest first (at most 1,000), as
-- packed [{case_id, status, summary, received_at}]; then the open disputes it filed as the
-- claimant party, each with side 'claimant' (and the other party, respondent), newest first.
-- KEYS[1] imvo:complaints:{<covenant>}:respondent:<org>, KEYS[2] ...:claimant:<org>
-- (complaint_submit.lua); ARGV[1] key prefix.
local open = { received = true, admissibility = true, response = true, mediation = true, ruling = true }
local out = {}
for _, id in ipairs(redis.call('ZREVRANGE', KEYS[1], 0, 999)) do
    local c = redis.call('HMGET', ARGV[1] .. ':case:' .. id, 'status', 'summary', 'received_at')
    if c[1] and open[c[1]] then
        table.insert(out, { case_id = id, status = c[1], summary = c[2], received_at = tonumber(c[3]) })
    end
end
for _, id in ipairs(KEYS[2] and redis.call('ZREVRANGE', KEYS[2], 0, 999) or {}) do
    local c = redis.call('HMGET', ARGV[1] .. ':case:' .. id, 'status', 'summary', 'received_at', 'respondent')
    if c[1] and open[c[1]] then
        table.insert(out, { case_id = id, status = c[1], summary = c[2], received_at = tonumber(c[3]),
                            side = 'claimant', respondent = c[4] })
    end
end
return cmsgpack.pack({ cases = out })

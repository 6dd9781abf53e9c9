-- complaint_list.lua: one covenant's newest cases, packed as an array of summaries.
-- KEYS[1] the covenant's cases zset; ARGV[1] key prefix imvo:complaints:{<covenant>},
-- ARGV[2] limit, ARGV[3] status filter ('' for all). Scans newest first until the limit.
local out = {}
local limit = tonumber(ARGV[2])
local offset = 0
while #out < limit do
    local ids = redis.call('ZREVRANGE', KEYS[1], offset, offset + 199)
    if #ids == 0 then
        break
    end
    offset = offset + #ids
    for _, id in ipairs(ids) do
        local c = redis.call('HMGET', ARGV[1] .. ':case:' .. id, 'case_id', 'covenant', 'respondent',
                             'summary', 'status', 'received_at', 'updated_at')
        if ARGV[3] == '' or c[5] == ARGV[3] then
            table.insert(out, { case_id = c[1], covenant = c[2], respondent = c[3], summary = c[4],
                                status = c[5], received_at = tonumber(c[6]), updated_at = tonumber(c[7]) })
            if #out >= limit then
                break
            end
        end
    end
end
return cmsgpack.pack(out)

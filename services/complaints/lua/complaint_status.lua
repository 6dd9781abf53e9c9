-- complaint_status.lua: the complainant's view of a case, found by the hash of its receipt.
-- KEYS[1] the receipt record; ARGV[1] key prefix imvo:complaints:{<covenant>}.
local case_id = redis.call('GET', KEYS[1])
if not case_id then
    return imvo_fail('not_found', 'receipt', 'no case has this receipt; check it and try again')
end
local s = redis.call('HMGET', ARGV[1] .. ':case:' .. case_id, 'status', 'received_at', 'updated_at')
return cmsgpack.pack({ case_id = case_id, status = s[1], received_at = tonumber(s[2]),
                       updated_at = tonumber(s[3]) })

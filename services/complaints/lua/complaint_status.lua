-- complaint_status.lua: the complainant's view of a case, found by the hash of its receipt.
-- KEYS[1] the covenant's receipts hash; ARGV[1] key prefix imvo:complaints:{<covenant>},
-- ARGV[2] the receipt's hash.
local case_id = redis.call('HGET', KEYS[1], ARGV[2])
if not case_id then
    return imvo_fail('not_found', 'receipt', 'no case has this receipt; check it and try again')
end
local s = redis.call('HMGET', ARGV[1] .. ':case:' .. case_id, 'status', 'received_at', 'updated_at')
return cmsgpack.pack({ case_id = case_id, status = s[1], received_at = tonumber(s[2]),
                       updated_at = tonumber(s[3]) })

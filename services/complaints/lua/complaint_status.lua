-- complaint_status.lua: the complainant's view of a case, found by the keyed hash of its
-- receipt, with the guessing limit of receipt_find.lua.
-- KEYS[1] the covenant's receipts hash, KEYS[2] the client's counter of wrong receipts;
-- ARGV[1] key prefix imvo:complaints:{<covenant>}, ARGV[2] the receipt's hash, ARGV[3] the
-- most wrong receipts, ARGV[4] in how many ms.
local case_id, err = imvo_limited_hget(KEYS[1], ARGV[2], KEYS[2], ARGV[3], ARGV[4], 'receipt')
if not case_id then
    return err
end
local s = redis.call('HMGET', ARGV[1] .. ':case:' .. case_id, 'status', 'received_at', 'updated_at', 'lang',
                    'statement', 'published_at', 'concluded', 'outcome')
-- lang: the language she wrote in (a case filed before complaints kept it: nl). Never the
-- secretariat's translations. Once the committee published its public statement
-- (complaint.publish): statement, published_at, conclusion (decided, settled, inadmissible)
-- and, for decided, outcome: what the public reads of the case on /decisions/<covenant>.
local out = { case_id = case_id, status = s[1], received_at = tonumber(s[2]), updated_at = tonumber(s[3]),
              lang = s[4] or 'nl' }
if s[5] then
    out.statement, out.published_at, out.conclusion = s[5], tonumber(s[6]), s[7] or nil
    if s[7] == 'decided' and s[8] then
        out.outcome = s[8]
    end
end
return cmsgpack.pack(out)

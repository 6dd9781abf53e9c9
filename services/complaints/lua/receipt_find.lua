-- receipt_find.lua: the case a receipt opens, found by the receipt's keyed hash, with the
-- guessing limit (docs/SECURITY.md has the arithmetic).
-- KEYS[1] the covenant's receipts hash, KEYS[2] the client's counter of wrong receipts;
-- ARGV[1] the receipt's hash, ARGV[2] the most wrong receipts, ARGV[3] in how many ms.
-- Returns the case id.
local case_id, err = imvo_limited_hget(KEYS[1], ARGV[1], KEYS[2], ARGV[2], ARGV[3], 'receipt')
return case_id or err

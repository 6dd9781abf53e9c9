-- org_register.lua: registers an organisation.
-- KEYS[1] idempotency record, KEYS[2] the org counter; ARGV: [1] ttl, [2] key prefix
-- imvo:membership:{orgs}, [3] name, [4] kind, [5] country, [6] e-mail, [7] webhook,
-- [8] market share in basis points ('' when not given).
local replay = imvo_replay()
if replay then
    return replay
end
local n = redis.call('INCR', KEYS[2])
local id = 'org-' .. n
local now = imvo_now_ms()
local f = { 'org_id', id, 'name', ARGV[3], 'kind', ARGV[4], 'country', ARGV[5], 'registered_at', now }
if ARGV[6] ~= '' then table.insert(f, 'email'); table.insert(f, ARGV[6]) end
if ARGV[7] ~= '' then table.insert(f, 'webhook'); table.insert(f, ARGV[7]) end
if ARGV[8] ~= '' then table.insert(f, 'market_share_bp'); table.insert(f, ARGV[8]) end
redis.call('HSET', ARGV[2] .. ':org:' .. id, unpack(f))
redis.call('ZADD', ARGV[2] .. ':all', n, id)
return imvo_commit({ org_id = id })

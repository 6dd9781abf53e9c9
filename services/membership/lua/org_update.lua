-- org_update.lua: changes an organisation's given fields.
-- KEYS[1] idempotency record, KEYS[2] the org hash; ARGV: [1] ttl, [2] name, [3] country,
-- [4] e-mail, [5] webhook, [6] market share bp ('' = unchanged).
local replay = imvo_replay()
if replay then
    return replay
end
if redis.call('EXISTS', KEYS[2]) == 0 then
    return imvo_fail('not_found', 'org_id', 'no organisation with this id')
end
local names = { [2] = 'name', [3] = 'country', [4] = 'email', [5] = 'webhook', [6] = 'market_share_bp' }
for i = 2, 6 do
    if ARGV[i] ~= '' then
        redis.call('HSET', KEYS[2], names[i], ARGV[i])
    end
end
redis.call('HSET', KEYS[2], 'updated_at', imvo_now_ms())
return imvo_commit(imvo_hash(KEYS[2]))

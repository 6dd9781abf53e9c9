-- member_pay.lua: records a party's yearly contribution.
-- KEYS[1] idempotency record, KEYS[2] the member hash; ARGV: [1] ttl, [2] key prefix,
-- [3] org id, [4] year, [5] amount in euro ('' = not given), [6] actor.
local replay = imvo_replay()
if replay then
    return replay
end
local m, err = imvo_active_member('owes_contribution')
if not m then
    return err
end
if m[2] ~= '1' then
    return imvo_fail('conflict', 'org_id', 'only companies that are parties owe a yearly contribution')
end
local now = imvo_now_ms()
redis.call('HSET', ARGV[2] .. ':paid:' .. ARGV[4], ARGV[3], ARGV[5] ~= '' and ARGV[5] or '0')
redis.call('RPUSH', KEYS[2] .. ':history', cmsgpack.pack({ at = now, action = 'paid', year = tonumber(ARGV[4]),
            amount_eur = tonumber(ARGV[5]), by = ARGV[6] }))
return imvo_commit({ org_id = ARGV[3], year = tonumber(ARGV[4]), amount_eur = tonumber(ARGV[5]) })

-- steering_put.lua: a covenant's steering group. "Er is een stuurgroep die de uitvoering in
-- goede banen leidt. Deze is samengesteld uit vertegenwoordigers van alle deelnemende
-- geledingen. De voorzitter is een onafhankelijk persoon." (004_31f1f365db175f2f.txt). So each
-- member represents a current party (the catalogue checked the chair is independent), and the
-- chair is no party's representative.
-- KEYS[1] idempotency record, KEYS[2] the steering key (packed group); ARGV: [1] ttl, [2] key
-- prefix, [3] covenant, [4] chair, [5] packed members, [6] source ('' none), [7] by.
local p, err = imvo_covenant_to_change()
if not p then
    return err
end
local members = cmsgpack.unpack(ARGV[5])
for i, m in ipairs(members) do
    local st = redis.call('HMGET', p .. ':member:' .. m.org_id, 'status', 'role')
    if st[1] ~= 'active' or st[2] ~= 'party' then
        return imvo_fail('invalid_argument', 'members.' .. (i - 1) .. '.org_id',
                         m.org_id .. ' is not a party of ' .. ARGV[3] .. ': the steering group represents the parties')
    end
    if m.name == ARGV[4] then
        return imvo_fail('invalid_argument', 'chair', 'the chair is an independent person, not a representative of ' ..
                         m.org_id)
    end
end
local group = { covenant = ARGV[3], chair = ARGV[4], chair_independent = true, members = members,
                source = ARGV[6] ~= '' and ARGV[6] or nil, updated_at = imvo_now_ms(), by = ARGV[7] }
local packed = cmsgpack.pack(group)
redis.call('SET', KEYS[2], packed)
return imvo_commit_packed(packed)

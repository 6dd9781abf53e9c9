-- member_contribute.lua: records a supporter's contribution. Seed 004 (metals), on joining
-- as a supporter: "U kunt financieel bijdragen aan specifieke activiteiten die in het kader
-- van het convenant worden georganiseerd. U kunt ook in natura bijdragen aan collectieve
-- activiteiten." A party's yearly contribution is member.pay's.
-- KEYS[1] idempotency record, KEYS[2] the member hash; ARGV[1] ttl, ARGV[2] by name
-- (imvo_named; member.contribute's script_args): prefix, org_id, contribution (packed {kind,
-- year, amount_eur?, activity?, description?}, checked by the catalogue), actor.
-- Kept in <member>:contributions (a list, oldest first), which member.get shows.
local replay = imvo_replay()
if replay then
    return replay
end
local a = imvo_named()
local m, err = imvo_active_member('role')
if not m then
    return err
end
if m[2] ~= 'supporter' then
    return imvo_fail('conflict', 'org_id', 'contributions to activities are a supporter\'s (this member is a ' .. m[2] ..
                     (m[2] == 'party' and '; a party company\'s yearly contribution is member.pay)' or ')'))
end
local c = cmsgpack.unpack(a.contribution)
local list = KEYS[2] .. ':contributions'
c.at = imvo_now_ms()
c.by = a.actor
c.contribution_id = 'c' .. (redis.call('LLEN', list) + 1)
redis.call('RPUSH', list, cmsgpack.pack(c))
return imvo_commit({ covenant = string.match(a.prefix, '{(.*)}'), org_id = a.org_id, contribution = c })

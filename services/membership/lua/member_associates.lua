-- member_associates.lua: a trade association lists its member companies in a covenant (the
-- whole list: it replaces the one before). Seed 002 (food): "De brancheorganisaties moeten
-- ervoor zorgen dat al hun leden risico's in kaart brengen en aanpakken."
-- KEYS[1] idempotency record, KEYS[2] the association's member hash; ARGV[1] ttl, ARGV[2] by
-- name (imvo_named; member.associates' script_args): prefix (imvo:membership:{<covenant>}),
-- org_id (the association), companies (packed [{org_id, name}], each a registered company,
-- checked by the daemon), today, actor.
-- Keeps the list on the membership (companies, packed) and the index {C}:associated (hash
-- company -> association), which complaint_submit.lua reads in the covenant's slot (a member
-- company is reachable through its association) and member.associated lists. A company is
-- listed by one association of a covenant at a time (conflict naming it otherwise).
-- Emits member.listed with every listed company's name: such a company never joins, so this
-- is how notify learns to name it in texts (member.joined tells it the others' names).
local replay = imvo_replay()
if replay then
    return replay
end
local a = imvo_named()
local p = a.prefix
local m, err = imvo_active_member('kind', 'role', 'companies')
if not m then
    return err
end
if m[2] ~= 'trade_association' or m[3] ~= 'party' then
    return imvo_fail('conflict', 'org_id', 'only a trade association that is a party lists member companies (this one is ' ..
                     tostring(m[2]) .. ', ' .. tostring(m[3]) .. ')')
end
local index = p .. ':associated'
local companies = cmsgpack.unpack(a.companies)
for i, c in ipairs(companies) do
    local other = redis.call('HGET', index, c.org_id)
    if other and other ~= a.org_id then
        return imvo_fail('conflict', 'companies.' .. (i - 1), c.org_id .. ' is listed by association ' .. other ..
                         ' in this covenant')
    end
end
local before, now_in = {}, {}
for _, c in ipairs(m[4] and cmsgpack.unpack(m[4]) or {}) do
    before[c.org_id] = true
end
local added, removed = {}, {}
for _, c in ipairs(companies) do
    now_in[c.org_id] = true
    if not before[c.org_id] then
        table.insert(added, c.org_id)
        redis.call('HSET', index, c.org_id, a.org_id)
    end
end
for org in pairs(before) do
    if not now_in[org] then
        table.insert(removed, org)
        redis.call('HDEL', index, org)
    end
end
table.sort(removed)
local now = imvo_now_ms()
redis.call('HSET', KEYS[2], 'companies', a.companies)
redis.call('RPUSH', KEYS[2] .. ':history', cmsgpack.pack({ at = now, on = a.today, action = 'associates',
            companies = #companies, added = #added, removed = #removed, by = a.actor }))
local ids = {}
for _, c in ipairs(companies) do
    table.insert(ids, c.org_id)
end
imvo_emit(p .. ':events', 'member.listed', 'membership',
          { covenant = string.match(p, '{(.*)}'), org_id = a.org_id, companies = companies, added = added,
            removed = removed })
return imvo_commit({ covenant = string.match(p, '{(.*)}'), org_id = a.org_id, companies = ids, added = added,
                     removed = removed })

-- member_read.lua: memberships as packed msgpack (member.list reads in pages in C,
-- membership_members.c).
-- KEYS[1] the current members set; ARGV[1] key prefix; ARGV[2] mode:
--   'get'    ARGV[3] org id, ARGV[4] '0' to leave out a supporter's contributions (member.get
--            for another company: membership_members.c) -> the membership with its history
--   'unpaid' ARGV[3] year                    -> {year, unpaid = [...]} companies that are parties
local function member(org)
    local m = imvo_hash(ARGV[1] .. ':member:' .. org)
    if not m then
        return nil
    end
    m.working_groups = cmsgpack.unpack(m.working_groups)
    m.votes = m.votes == '1'
    m.owes_contribution = m.owes_contribution == '1'
    m.joined_at = tonumber(m.joined_at)
    m.market_share_bp = tonumber(m.market_share_bp)
    return m
end
if ARGV[2] == 'get' then
    local m = member(ARGV[3])
    if not m then
        return imvo_fail('not_found', 'org_id', 'this organisation has never been a member of the covenant')
    end
    local history = {}
    for _, e in ipairs(redis.call('LRANGE', ARGV[1] .. ':member:' .. ARGV[3] .. ':history', 0, -1)) do
        table.insert(history, cmsgpack.unpack(e))
    end
    m.history = history
    -- A trade association's member companies (member.associates), the association a company
    -- is listed by, and a supporter's contributions (member.contribute).
    if m.companies then
        m.companies = cmsgpack.unpack(m.companies)
    end
    m.association = redis.call('HGET', ARGV[1] .. ':associated', ARGV[3]) or nil
    if ARGV[4] ~= '0' then
        local contributions = {}
        for _, e in ipairs(redis.call('LRANGE', ARGV[1] .. ':member:' .. ARGV[3] .. ':contributions', 0, -1)) do
            table.insert(contributions, cmsgpack.unpack(e))
        end
        m.contributions = contributions
    end
    return cmsgpack.pack(m)
end
-- 'unpaid': the parties that owe a contribution and have not paid it.
local out = {}
local orgs = redis.call('SMEMBERS', KEYS[1])
table.sort(orgs)
for _, org in ipairs(orgs) do
    local m = member(org)
    if m and m.owes_contribution and redis.call('HEXISTS', ARGV[1] .. ':paid:' .. ARGV[3], org) == 0 then
        table.insert(out, { org_id = m.org_id, name = m.name, since = m.since })
    end
end
return cmsgpack.pack({ year = tonumber(ARGV[3]), unpaid = out })

-- member_read.lua: memberships as packed msgpack.
-- KEYS[1] the current members set; ARGV[1] key prefix; ARGV[2] mode:
--   'list'   ARGV[3] role filter ('' = all), ARGV[5] limit, ARGV[6] the cursor (the last org
--            id of the page before, '' for the first) -> {members = [...], next_cursor?}, by
--            org id
--   'get'    ARGV[3] org id                   -> the membership with its history
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
    return cmsgpack.pack(m)
end
local out = {}
local orgs = redis.call('SMEMBERS', KEYS[1])
table.sort(orgs)
local limit = ARGV[2] == 'list' and tonumber(ARGV[5]) or #orgs
local next_cursor
for _, org in ipairs(orgs) do
    if ARGV[2] == 'list' and #out >= limit then
        next_cursor = out[#out].org_id
        break
    end
    local m = ARGV[2] == 'list' and ARGV[6] ~= '' and org <= ARGV[6] and {} or member(org)
    if ARGV[2] == 'list' and m.org_id and (ARGV[3] == '' or m.role == ARGV[3]) then
        table.insert(out, { org_id = m.org_id, name = m.name, kind = m.kind, role = m.role, since = m.since,
                            votes = m.votes, working_groups = m.working_groups })
    elseif ARGV[2] == 'unpaid' and m.owes_contribution
           and redis.call('HEXISTS', ARGV[1] .. ':paid:' .. ARGV[3], org) == 0 then
        table.insert(out, { org_id = m.org_id, name = m.name, since = m.since })
    end
end
if ARGV[2] == 'unpaid' then
    return cmsgpack.pack({ year = tonumber(ARGV[3]), unpaid = out })
end
return cmsgpack.pack({ members = out, next_cursor = next_cursor })

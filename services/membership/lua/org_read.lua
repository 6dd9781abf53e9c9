-- org_read.lua: organisations as packed msgpack.
-- ARGV[1] key prefix imvo:membership:{orgs}; ARGV[2] 'get' with ARGV[3] the org id, or
-- 'list' with ARGV[3] kind and ARGV[4] country filters ('' = any). KEYS[1] the index zset.
local function org(id)
    local o = imvo_hash(ARGV[1] .. ':org:' .. id)
    if not o then
        return nil
    end
    o.registered_at = tonumber(o.registered_at)
    o.updated_at = o.updated_at and tonumber(o.updated_at)
    o.market_share_bp = o.market_share_bp and tonumber(o.market_share_bp)
    o.contacts = { email = o.email, webhook = o.webhook }
    o.email, o.webhook = nil, nil
    return o
end
if ARGV[2] == 'get' then
    local o = org(ARGV[3])
    if not o then
        return imvo_fail('not_found', 'org_id', 'no organisation with this id')
    end
    return cmsgpack.pack(o)
end
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local o = org(id)
    if o and (ARGV[3] == '' or o.kind == ARGV[3]) and (ARGV[4] == '' or o.country == ARGV[4]) then
        o.contacts = nil
        table.insert(out, o)
    end
end
return cmsgpack.pack({ orgs = out })

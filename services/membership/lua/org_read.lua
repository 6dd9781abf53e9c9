-- org_read.lua: organisations as packed msgpack.
-- ARGV[1] key prefix imvo:membership:{orgs}; ARGV[2] 'get' with ARGV[3] the org id, or
-- 'list' with ARGV[3] kind and ARGV[4] country filters ('' = any), ARGV[5] limit, ARGV[6] the
-- cursor ('' for the first page): a page in order of registration, reading at most 1,000
-- organisations a call -> {orgs = [...], next_cursor?}. KEYS[1] the index zset.
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
local limit = tonumber(ARGV[5])
local from = ARGV[6] ~= '' and ('(' .. ARGV[6]) or '-inf'
local batch = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1000)
local next_cursor
for i = 1, #batch, 2 do
    local o = org(batch[i])
    if o and (ARGV[3] == '' or o.kind == ARGV[3]) and (ARGV[4] == '' or o.country == ARGV[4]) then
        o.contacts = nil
        table.insert(out, o)
    end
    if #out >= limit or i + 1 == 2000 then
        -- More may follow: the next page starts after this one.
        if i + 2 <= #batch or redis.call('ZCOUNT', KEYS[1], '(' .. batch[i + 1], '+inf') > 0 then
            next_cursor = batch[i + 1]
        end
        break
    end
end
return cmsgpack.pack({ orgs = out, next_cursor = next_cursor })

-- consumer_trim.lua: trims an event stream below the oldest entry any consumer group still
-- needs (its oldest pending entry, else its last delivered id), and never past ARGV[1], the
-- retention floor (24 hours ago). MINID, not MAXLEN: nothing unprocessed is dropped.
-- Note: a group created later starts from what is left; see docs in common/imvo_consumer.c.
local function older(a, b)
    local a1, a2 = string.match(a, '(%d+)-(%d+)')
    local b1, b2 = string.match(b, '(%d+)-(%d+)')
    a1, a2, b1, b2 = tonumber(a1), tonumber(a2), tonumber(b1), tonumber(b2)
    return a1 < b1 or (a1 == b1 and a2 < b2)
end
local floor = ARGV[1]
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    local info = {}
    for i = 1, #g, 2 do
        info[g[i]] = g[i + 1]
    end
    local need = info['last-delivered-id']
    if info['pending'] > 0 then
        local p = redis.call('XPENDING', KEYS[1], info['name'])
        if p[2] then
            need = p[2]
        end
    end
    if older(need, floor) then
        floor = need
    end
end
return redis.call('XTRIM', KEYS[1], 'MINID', floor)

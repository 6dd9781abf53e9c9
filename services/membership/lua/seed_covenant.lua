-- seed_covenant.lua: loads one covenant from deploy/covenants.json, without overwriting.
-- KEYS[1] the covenant hash, KEYS[2] its working groups hash (code -> packed group);
-- ARGV[1] the covenant as packed msgpack. Every fact is written with HSETNX: a second start
-- changes nothing, and a fact the secretariat edited since is kept. Returns 1 when new.
local c = cmsgpack.unpack(ARGV[1])
local created = redis.call('EXISTS', KEYS[1]) == 0
for _, f in ipairs({ 'code', 'name_nl', 'name_en', 'sector', 'signed_on', 'term_years', 'status',
                     'ends_on', 'secretariat', 'chair' }) do
    if c[f] ~= nil then
        redis.call('HSETNX', KEYS[1], f, tostring(c[f]))
    end
end
-- term {starts_on, years?, ends_on?} and disclosure {publish_on, deadline, reminders_days}
-- (membership_dates.c, membership_deadlines.c) are packed like the lists.
for _, f in ipairs({ 'targets', 'figures', 'notes', 'sources', 'term', 'disclosure', 'themes' }) do
    if c[f] ~= nil then
        redis.call('HSETNX', KEYS[1], f, cmsgpack.pack(c[f]))
    end
end
-- A source the file gained since the first start (term.*, disclosure.*) joins the stored
-- sources; one stored already is kept.
if not created and c.sources ~= nil then
    local stored = cmsgpack.unpack(redis.call('HGET', KEYS[1], 'sources'))
    local added = false
    for k, v in pairs(c.sources) do
        if stored[k] == nil then
            stored[k] = v
            added = true
        end
    end
    if added then
        redis.call('HSET', KEYS[1], 'sources', cmsgpack.pack(stored))
    end
end
for i, wg in ipairs(c.working_groups or {}) do
    wg.order = i
    redis.call('HSETNX', KEYS[2], wg.code, cmsgpack.pack(wg))
end
return created and 1 or 0

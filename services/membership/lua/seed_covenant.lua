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
for _, f in ipairs({ 'targets', 'figures', 'notes', 'sources' }) do
    if c[f] ~= nil then
        redis.call('HSETNX', KEYS[1], f, cmsgpack.pack(c[f]))
    end
end
for i, wg in ipairs(c.working_groups or {}) do
    wg.order = i
    redis.call('HSETNX', KEYS[2], wg.code, cmsgpack.pack(wg))
end
return created and 1 or 0

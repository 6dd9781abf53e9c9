-- location_read.lua: short reads about a covenant's locations, as packed msgpack (the lists
-- and the flags, which grow, are read in pages by membership_loclist.c).
-- KEYS[1] the covenant hash; ARGV[1] key prefix; ARGV[2] mode:
--   'counts'               -> {years = [{year, locations}], published_figures = [seeded figures]}
--   'sourcing' ARGV[3] year ('' for every year), ARGV[4] location id -> [[org_id, year], ...]
--                          (staff and services only); an unknown location is an empty list
local p = ARGV[1]
if redis.call('EXISTS', KEYS[1]) == 0 then
    return imvo_fail('not_found', 'covenant', 'no covenant with this code')
end
local mode = ARGV[2]
if mode == 'counts' then
    local years = {}
    for _, y in ipairs(redis.call('ZRANGE', p .. ':years', 0, -1)) do
        table.insert(years, { year = tonumber(y), locations = redis.call('SCARD', p .. ':year:' .. y .. ':locs'),
                              published_on = redis.call('HGET', p .. ':published', y) or nil })
    end
    local published = {}
    local figures = redis.call('HGET', KEYS[1], 'figures')
    for _, f in ipairs(figures and cmsgpack.unpack(figures) or {}) do
        if f.code == 'production_locations' then
            table.insert(published, { as_of = f.as_of, locations = f.value })
        end
    end
    return cmsgpack.pack({ years = years, published_figures = published })
end
if mode == 'sourcing' then
    local out = {}
    if redis.call('EXISTS', p .. ':loc:' .. ARGV[4]) == 1 then
        local years = ARGV[3] ~= '' and { ARGV[3] } or redis.call('ZRANGE', p .. ':years', 0, -1)
        for _, y in ipairs(years) do
            local orgs = redis.call('SMEMBERS', p .. ':year:' .. y .. ':src:' .. ARGV[4])
            table.sort(orgs)
            for _, org in ipairs(orgs) do
                table.insert(out, { org, tonumber(y) })
            end
        end
    end
    return cmsgpack.pack(out)
end
return imvo_fail('internal', '', 'unknown mode')

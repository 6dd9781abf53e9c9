-- location_read.lua: the published list and its views, as packed msgpack.
-- KEYS[1] the covenant hash; ARGV[1] key prefix; ARGV[2] mode:
--   'list' ARGV[3] year, ARGV[4] view -> {year, count, published_on, draft, locations = [...]}:
--       each location once, no company names. View 'published': the list as location.publish
--       last took it (not_found before that); 'draft' (staff): the disclosures as they are now.
--   'export' ARGV[3] year, ARGV[4] view -> the same as {year, count, published_on, draft, csv}
--   'counts'               -> {years = [{year, locations}], published = [seeded figures]}
--   'flags'                -> {flags = [...]}
--   'sourcing' ARGV[3] year, ARGV[4] location id -> {org_ids = [...]} (secretariat only)
local p = ARGV[1]
if redis.call('EXISTS', KEYS[1]) == 0 then
    return imvo_fail('not_found', 'covenant', 'no covenant with this code')
end
local mode = ARGV[2]
if mode == 'list' or mode == 'export' then
    local draft = ARGV[4] == 'draft'
    local published_on = redis.call('HGET', p .. ':published', ARGV[3]) or nil
    if not draft and not published_on then
        return imvo_fail('not_found', 'year', 'the list for ' .. ARGV[3] .. ' has not been published')
    end
    local set = draft and (p .. ':year:' .. ARGV[3] .. ':locs') or (p .. ':published:' .. ARGV[3] .. ':locs')
    local out = {}
    for _, id in ipairs(redis.call('SMEMBERS', set)) do
        local l = redis.call('HMGET', p .. ':loc:' .. id, 'name', 'address', 'city', 'region', 'country',
                             'workers', 'product_type')
        -- HMGET gives false for absent fields: leave them out of the map.
        if l[1] then
            table.insert(out, { location_id = id, name = l[1], address = l[2], city = l[3],
                                region = (l[4] and l[4] ~= '') and l[4] or nil, country = l[5],
                                workers = l[6] and tonumber(l[6]) or nil, product_type = l[7] or nil })
        end
    end
    table.sort(out, function(a, b)
        if a.country ~= b.country then return a.country < b.country end
        if a.name ~= b.name then return a.name < b.name end
        return a.location_id < b.location_id
    end)
    if mode == 'list' then
        return cmsgpack.pack({ year = tonumber(ARGV[3]), count = #out, published_on = published_on, draft = draft,
                               locations = out })
    end
    local function q(v)
        v = v or ''
        if string.find(v, '[",\r\n]') then
            return '"' .. string.gsub(v, '"', '""') .. '"'
        end
        return v
    end
    local lines = { 'location_id,name,address,city,region,country,workers,product_type' }
    for _, l in ipairs(out) do
        table.insert(lines, table.concat({ q(l.location_id), q(l.name), q(l.address), q(l.city), q(l.region),
                                           q(l.country), l.workers and tostring(l.workers) or '', q(l.product_type) }, ','))
    end
    return cmsgpack.pack({ year = tonumber(ARGV[3]), count = #out, published_on = published_on, draft = draft,
                           csv = table.concat(lines, '\n') .. '\n' })
end
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
if mode == 'flags' then
    local out = {}
    local h = redis.call('HGETALL', p .. ':flags')
    for i = 2, #h, 2 do
        table.insert(out, cmsgpack.unpack(h[i]))
    end
    table.sort(out, function(a, b) return a.flag_id < b.flag_id end)
    return cmsgpack.pack({ flags = out })
end
if mode == 'sourcing' then
    if redis.call('EXISTS', p .. ':loc:' .. ARGV[4]) == 0 then
        return imvo_fail('not_found', 'location_id', 'no location with this id in the covenant')
    end
    local orgs = redis.call('SMEMBERS', p .. ':year:' .. ARGV[3] .. ':src:' .. ARGV[4])
    table.sort(orgs)
    return cmsgpack.pack(orgs)
end
return imvo_fail('internal', '', 'unknown mode')

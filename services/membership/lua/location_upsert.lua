-- location_upsert.lua: discloses production locations of one company for one year, all in
-- one step (location.add: one row; location.import: every row of a CSV, or none).
-- KEYS[1] idempotency record, KEYS[2] the covenant's normal-form index (hash key -> id);
-- ARGV: [1] ttl, [2] key prefix imvo:membership:{<covenant>}, [3] org id, [4] year,
-- [5] packed rows: {name, address, city, region, country, workers, product_type, norm_name,
-- norm_address, line}.
--
-- Matching: the same country + normal-form name + normal-form address is the same location
-- (exact). Otherwise the candidates are the locations in the same country whose normal name
-- starts with the same three characters; their similarity is the Dice coefficient of the
-- character trigrams of "name address". Of the candidates at 0.8 or more, the single one with
-- the same numbers (unit, plot, house number) links the row (near, reported); otherwise any
-- candidates make a new location flagged for the secretariat (location.resolve).
local replay = imvo_replay()
if replay then
    return replay
end
local p, org, year = ARGV[2], ARGV[3], ARGV[4]
local rows = cmsgpack.unpack(ARGV[5])
local now = imvo_now_ms()

local function grams(s)
    local t, n = {}, 0
    s = '  ' .. s .. ' '
    for i = 1, #s - 2 do
        local g = string.sub(s, i, i + 2)
        if not t[g] then
            t[g] = true
            n = n + 1
        end
    end
    return t, n
end

-- A new row is compared with every location of its bucket, and the script holds Redis while it
-- runs: refuse, before writing anything, an import that would compare more pairs than fit in
-- about two seconds (a bucket of thousands filled by one file), and say how to split it.
local MAX_COMPARISONS = 400000
-- The normal-form index entries of this call's rows (false: not there yet), read once here and
-- kept current below.
local index = {}
do
    local sizes, keys, pairs_ = {}, {}, 0
    for _, r in ipairs(rows) do
        local key = r.country .. '|' .. r.norm_name .. '|' .. r.norm_address
        if index[key] == nil then
            index[key] = redis.call('HGET', KEYS[2], key)
        end
        if not keys[key] and not index[key] then
            local bucket = p .. ':bucket:' .. r.country .. ':' .. string.sub(r.norm_name, 1, 3)
            sizes[bucket] = sizes[bucket] or redis.call('HLEN', bucket)
            pairs_ = pairs_ + sizes[bucket]
            sizes[bucket] = sizes[bucket] + 1
        end
        keys[key] = true
    end
    if pairs_ > MAX_COMPARISONS then
        return imvo_fail('too_large', rows[1].line > 0 and 'csv' or 'name',
                         'matching these rows would compare ' .. pairs_ .. ' pairs of locations (at most ' ..
                         MAX_COMPARISONS .. '): split the file into smaller imports')
    end
end

-- The buckets read so far in this call, as {location_id, {trigrams, count}, ...}: one import
-- reads a bucket for many rows, and keeps it current as it adds locations.
local buckets = {}
-- The numbers in a text, in order: "unit 1" and "unit 2", or "plot 14" and "plot 41", are
-- different places however alike the rest is.
local function numbers(s)
    local t = {}
    for d in string.gmatch(s, '%d+') do
        table.insert(t, d)
    end
    return table.concat(t, ' ')
end

local counts = { new = 0, exact = 0, near = 0, flagged = 0 }
local near, flagged, results = {}, {}, {}
for _, r in ipairs(rows) do
    local key = r.country .. '|' .. r.norm_name .. '|' .. r.norm_address
    local text = r.norm_name .. ' ' .. r.norm_address
    local bucket = p .. ':bucket:' .. r.country .. ':' .. string.sub(r.norm_name, 1, 3)
    local id = index[key]
    local match, similarity = 'exact', 1
    if not id then
        local ga, na = grams(text)
        local da = numbers(text)
        local candidates, same_numbers, same = {}, 0, nil
        local b = buckets[bucket]
        if not b then
            b = redis.call('HGETALL', bucket)
            for i = 2, #b, 2 do
                local g, n = grams(b[i])
                b[i] = { g, n, numbers(b[i]) }
            end
            buckets[bucket] = b
        end
        for i = 1, #b, 2 do
            local gb, nb = b[i + 1][1], b[i + 1][2]
            -- Dice >= 0.8 needs 2 * min(na, nb) >= 0.8 * (na + nb): skip the count otherwise.
            local common = 0
            if 2 * math.min(na, nb) >= 0.8 * (na + nb) then
                for g in pairs(gb) do
                    if ga[g] then
                        common = common + 1
                    end
                end
            end
            local s = 2 * common / (na + nb)
            if s >= 0.8 then
                table.insert(candidates, { location_id = b[i], similarity = math.floor(s * 1000) / 1000 })
                if b[i + 1][3] == da then
                    same_numbers, same = same_numbers + 1, candidates[#candidates]
                end
            end
        end
        -- The one candidate whose numbers agree links; a candidate whose numbers differ is
        -- another place, unless it is the only one: then the secretariat decides.
        if same_numbers == 1 then
            id, match, similarity = same.location_id, 'near', same.similarity
            redis.call('HSET', KEYS[2], key, id)
            index[key] = id
        else
            id = 'L' .. string.sub(redis.sha1hex(key), 1, 12)
            match = #candidates == 0 and 'new' or 'flagged'
            redis.call('HSET', p .. ':loc:' .. id, 'location_id', id, 'name', r.name, 'address', r.address,
                       'city', r.city, 'region', r.region or '', 'country', r.country, 'norm', text,
                       'first_year', year, 'created_at', now, 'bucket', bucket)
            redis.call('HSET', KEYS[2], key, id)
            index[key] = id
            redis.call('HSET', bucket, id, text)
            local cached = buckets[bucket]
            if cached then
                table.insert(cached, id)
                table.insert(cached, { ga, na, da })
            end
            if #candidates > 0 then
                local flag_id = 'F' .. string.sub(id, 2)
                redis.call('HSET', p .. ':flags', flag_id, cmsgpack.pack({ flag_id = flag_id, location_id = id,
                           name = r.name, address = r.address, city = r.city, country = r.country,
                           candidates = candidates, org_id = org, year = tonumber(year), at = now }))
                table.insert(flagged, { line = r.line, location_id = id, flag_id = flag_id, candidates = candidates })
            end
        end
    end
    counts[match] = counts[match] + 1
    if match == 'near' then
        table.insert(near, { line = r.line, location_id = id, similarity = similarity, name = r.name })
    end
    if r.workers then
        redis.call('HSET', p .. ':loc:' .. id, 'workers', r.workers)
    end
    if r.product_type then
        redis.call('HSET', p .. ':loc:' .. id, 'product_type', r.product_type)
    end
    if r.extra then
        redis.call('HSET', p .. ':loc:' .. id, 'extra', cmsgpack.pack(r.extra))
    end
    redis.call('SADD', p .. ':year:' .. year .. ':locs', id)
    redis.call('SADD', p .. ':year:' .. year .. ':src:' .. id, org)
    redis.call('ZADD', p .. ':years', tonumber(year), year)
    table.insert(results, { location_id = id, match = match, similarity = similarity })
end
local reply = { rows = #rows, counts = counts, near = near, flagged = flagged }
if #rows == 1 then
    reply.location_id = results[1].location_id
    reply.match = results[1].match
    reply.similarity = results[1].similarity
    if flagged[1] then
        reply.flag_id = flagged[1].flag_id
        reply.candidates = flagged[1].candidates
    end
end
return imvo_commit(reply)

-- covenant_get.lua: a covenant with its facts, working groups, counts, targets, coverage.
-- KEYS[1] covenant hash, KEYS[2] working groups hash, KEYS[3] current members set;
-- ARGV[1] key prefix imvo:membership:{<covenant>}, ARGV[2] 'full' or 'summary', ARGV[3] today
-- (the daemon's clock, YYYY-MM-DD).
local c = imvo_hash(KEYS[1])
if not c then
    return imvo_fail('not_found', 'code', 'no covenant with this code')
end
-- The term as the sources give it, with when it runs out now (its end, or starts_on + years,
-- or the date an extension recorded) and its state: running, due (run out, nothing recorded
-- yet: the secretariat's deadline), extended, ended (membership_dates.c).
local function term_of(c, today)
    if not c.term then
        return nil
    end
    local t = cmsgpack.unpack(c.term)
    local runs_out = imvo_term_runs_out(t, c.term_until)
    t.runs_out_on = runs_out
    t.extended_until = c.term_until
    if c.term_decision then
        t.decision = cmsgpack.unpack(c.term_decision)
    end
    if c.status == 'ended' then
        t.state = 'ended'
    elseif runs_out and today and today >= runs_out then
        t.state = 'due'
        t.due_since = runs_out
    elseif c.term_until then
        t.state = 'extended'
    else
        t.state = 'running'
    end
    return t
end
local out = { code = c.code, name = c.name_en, name_nl = c.name_nl, name_en = c.name_en,
              sector = c.sector, status = c.status, signed_on = c.signed_on, ends_on = c.ends_on,
              secretariat = c.secretariat, chair = c.chair,
              term_years = c.term_years and tonumber(c.term_years), term = term_of(c, ARGV[3]) }
if ARGV[2] == 'summary' then
    return cmsgpack.pack(out)
end
for _, f in ipairs({ 'targets', 'figures', 'notes', 'sources', 'disclosure', 'themes' }) do
    if c[f] then
        out[f] = cmsgpack.unpack(c[f])
    end
end
local groups = {}
local wg = redis.call('HGETALL', KEYS[2])
for i = 2, #wg, 2 do
    local g = cmsgpack.unpack(wg[i])
    table.insert(groups, g)
end
table.sort(groups, function(a, b) return (a.order or 0) < (b.order or 0) end)
for _, g in ipairs(groups) do
    g.order = nil
end
out.working_groups = groups

local kinds = { 'company', 'union', 'government', 'trade_association', 'ngo',
                'knowledge_institution', 'other' }
local roles = { party = 0, supporter = 0, expert = 0 }
local parties = {}
for _, k in ipairs(kinds) do
    parties[k] = 0
end
local share = 0
for _, org in ipairs(redis.call('SMEMBERS', KEYS[3])) do
    local m = redis.call('HMGET', ARGV[1] .. ':member:' .. org, 'role', 'kind', 'market_share_bp')
    roles[m[1]] = (roles[m[1]] or 0) + 1
    if m[1] == 'party' then
        parties[m[2]] = (parties[m[2]] or 0) + 1
        if m[2] == 'company' and m[3] and m[3] ~= '' then
            share = share + tonumber(m[3])
        end
    end
end
-- "93 companies, 2 unions, government, 3 trade associations, 5 NGOs"
local names = { company = { 'company', 'companies' }, union = { 'union', 'unions' },
                government = { 'government', 'government' },
                trade_association = { 'trade association', 'trade associations' },
                ngo = { 'NGO', 'NGOs' }, knowledge_institution = { 'knowledge institution', 'knowledge institutions' },
                other = { 'other', 'others' } }
local parts = {}
for _, k in ipairs(kinds) do
    local n = parties[k]
    if n == 1 and k == 'government' then
        table.insert(parts, 'government')
    elseif n > 0 then
        table.insert(parts, n .. ' ' .. (n == 1 and names[k][1] or names[k][2]))
    end
end
out.counts = { roles = roles, parties_by_constituency = parties, total = roles.party + roles.supporter + roles.expert }
out.summary = #parts > 0 and table.concat(parts, ', ') or 'no parties yet'
out.market_coverage_pct = share / 100
local progress = {}
for _, t in ipairs(out.targets or {}) do
    if t.code == 'signatories' then
        local current = roles.party + roles.supporter
        table.insert(progress, { code = t.code, target = t.value, current = current,
                                 pct = math.floor(current * 1000 / t.value) / 10,
                                 from_year = t.from_year, to_year = t.to_year })
    end
end
out.target_progress = progress
return cmsgpack.pack(out)

-- disclosure_clock.lua: the 4 July list's deadline (membership_deadlines.c). A covenant with a
-- list holds disclosure {publish_on 'MM-DD', deadline 'MM-DD', reminders_days [d, ...]}
-- (deploy/covenants.json). The companies due for year Y are its current company parties that
-- signed (since) on or before Y's deadline; one has disclosed when it disclosed a location for
-- Y (:year:<Y>:orgs, lua/location_write.lua).
-- Each step runs once per covenant and year, its marker in :disclosure:<Y> set when it is
-- done, so that a restart, downtime or a second daemon repeats nothing:
--   reminder:<d>  the companies that have not disclosed hear location.disclosure_reminder,
--                 d days or fewer before the deadline (after downtime only the nearest d);
--   overdue       the day after the deadline, each company still without a disclosure is
--                 flagged (:disclosure:<Y>:overdue) and location.disclosure_overdue emitted
--                 (location.disclosures shows as overdue every company due without a
--                 disclosure after the deadline, flagged or not);
--   published     from publish_on on, the daemon publishes the list (location.publish) and
--                 then sets this marker (mode 'published'); this script only says it is due.
-- A step goes through the members SCAN_COUNT at a time (SSCAN, its cursor kept in
-- :disclosure:<Y> as cursor:<step>), so that no call holds Redis for long however many members
-- the covenant has: the reply's more says that the daemon should call again. A company is
-- told once per step: the step's set (:reminded:<d>, :overdue) is added to first.
-- KEYS[1] idempotency record (none: ':idem:-'), KEYS[2] the covenant hash; ARGV: [1] '0',
-- [2] key prefix, [3] today (the daemon's clock), [4] covenant, [5] mode: 'tick', 'read:<Y>'
-- (location.disclosures: a page of the companies, from the cursor ARGV[6]) or 'published:<Y>'
-- (the list of Y was published today).
local SCAN_COUNT = 16
local p, today, covenant = ARGV[2], ARGV[3], ARGV[4]
local mode, arg = string.match(ARGV[5], '^(%a+):?(%d*)$')
local cfg = redis.call('HGET', KEYS[2], 'disclosure')
if not cfg then
    if mode == 'read' then
        return imvo_fail('conflict', 'covenant', 'the ' .. covenant .. ' covenant publishes no list of production locations')
    end
    return imvo_commit({})
end
cfg = cmsgpack.unpack(cfg)
local year = arg ~= '' and arg or string.sub(today, 1, 4)
local state = p .. ':disclosure:' .. year
if mode == 'published' then
    redis.call('HSET', state, 'published', today)
    return imvo_commit({ year = tonumber(year) })
end
local deadline, publish_on = year .. '-' .. cfg.deadline, year .. '-' .. cfg.publish_on
local reminders = cfg.reminders_days or {}
table.sort(reminders)

-- Days since the epoch of a YYYY-MM-DD date (the civil calendar).
local function days(s)
    local y, m, d = tonumber(string.sub(s, 1, 4)), tonumber(string.sub(s, 6, 7)), tonumber(string.sub(s, 9, 10))
    if m <= 2 then
        y = y - 1
    end
    local era = math.floor(y / 400)
    local yoe = y - era * 400
    local doy = math.floor((153 * (m + (m > 2 and -3 or 9)) + 2) / 5) + d - 1
    return era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
end

-- A member due for the year, as {org_id, name, since, disclosed}, or nil.
local function due(org)
    local m = redis.call('HMGET', p .. ':member:' .. org, 'role', 'kind', 'since', 'name', 'status')
    if m[1] == 'party' and m[2] == 'company' and m[5] == 'active' and (m[3] or '') <= deadline then
        return { org_id = org, name = m[4], since = m[3],
                 disclosed = redis.call('SISMEMBER', p .. ':year:' .. year .. ':orgs', org) == 1 }
    end
    return nil
end

if mode == 'read' then
    local r = redis.call('SSCAN', p .. ':members', ARGV[6] or '0', 'COUNT', SCAN_COUNT)
    local companies = {}
    for _, org in ipairs(r[2]) do
        local c = due(org)
        if c then
            c.reminded = {}
            for _, d in ipairs(reminders) do
                if redis.call('SISMEMBER', state .. ':reminded:' .. d, org) == 1 then
                    table.insert(c.reminded, d)
                end
            end
            -- Overdue: the deadline has passed without a disclosure (a company that joined
            -- later with an earlier signing date too); flagged: it heard the overdue event.
            c.flagged = redis.call('SISMEMBER', state .. ':overdue', org) == 1
            c.overdue = not c.disclosed and today > deadline
            table.insert(companies, c)
        end
    end
    local published = redis.call('HGET', p .. ':published', year)
    return imvo_commit({ covenant = covenant, year = tonumber(year), deadline = deadline, publish_on = publish_on,
                         published_on = published or nil, auto_published = redis.call('HGET', state, 'published') or nil,
                         companies = companies, cursor = r[1] })
end

-- One chunk of a step: each due company without a disclosure that is new to the step's set
-- hears the event. True when the step is done (its marker set).
local function step(name, set, etype, body)
    local r = redis.call('SSCAN', p .. ':members', redis.call('HGET', state, 'cursor:' .. name) or '0',
                         'COUNT', SCAN_COUNT)
    for _, org in ipairs(r[2]) do
        local c = due(org)
        if c and not c.disclosed and redis.call('SADD', set, org) == 1 then
            body.org_id = org
            imvo_emit(p .. ':events', etype, 'membership', body)
        end
    end
    if r[1] == '0' then
        redis.call('HSET', state, name, today)
        redis.call('HDEL', state, 'cursor:' .. name)
        return true
    end
    redis.call('HSET', state, 'cursor:' .. name, r[1])
    return false
end

local left = days(deadline) - days(today)
local out = { year = tonumber(year), more = false }
if left >= 0 then
    -- The nearest reminder whose day has come: d days or fewer before the deadline.
    for _, d in ipairs(reminders) do
        if left <= d then
            if redis.call('HEXISTS', state, 'reminder:' .. d) == 0 then
                out.more = not step('reminder:' .. d, state .. ':reminded:' .. d, 'location.disclosure_reminder',
                                    { covenant = covenant, year = tonumber(year), deadline = deadline,
                                      days_left = left, publish_on = publish_on })
            end
            break
        end
    end
elseif redis.call('HEXISTS', state, 'overdue') == 0 then
    out.more = not step('overdue', state .. ':overdue', 'location.disclosure_overdue',
                        { covenant = covenant, year = tonumber(year), deadline = deadline })
end
if today >= publish_on and redis.call('HEXISTS', state, 'published') == 0 then
    out.publish = tonumber(year)
end
return imvo_commit(out)

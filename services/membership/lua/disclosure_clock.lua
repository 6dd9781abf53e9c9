-- disclosure_clock.lua: the 4 July list's deadline (membership_deadlines.c). A covenant with a
-- list holds disclosure {publish_on 'MM-DD', deadline 'MM-DD', reminders_days [d, ...]}
-- (deploy/covenants.json). The companies due for year Y are its current company parties that
-- signed (since) on or before Y's deadline; one has disclosed when it disclosed a location for
-- Y (:year:<Y>:orgs, lua/location_write.lua).
-- Each step runs once per covenant and year, its marker in :disclosure:<Y> written in the same
-- script as its events, so that a restart, downtime or a second daemon repeats nothing:
--   reminder:<d>  the companies that have not disclosed hear location.disclosure_reminder,
--                 d days or fewer before the deadline (after downtime only the nearest d);
--   overdue       the day after the deadline, each company still without a disclosure is
--                 flagged (:disclosure:<Y>:overdue) and location.disclosure_overdue emitted
--                 (location.disclosures shows as overdue every company due without a
--                 disclosure after the deadline, flagged or not);
--   published     from publish_on on, the daemon publishes the list (location.publish) and
--                 then sets this marker (mode 'published'); this script only says it is due.
-- KEYS[1] idempotency record (none: ':idem:-'), KEYS[2] the covenant hash; ARGV: [1] '0',
-- [2] key prefix, [3] today (the daemon's clock), [4] covenant, [5] mode: 'tick', 'read:<Y>'
-- (location.disclosures) or 'published:<Y>' (the list of Y was published today).
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

-- The companies due for the year: {org_id, name, since, disclosed}, by org id.
local function due()
    local out = {}
    for _, org in ipairs(redis.call('SMEMBERS', p .. ':members')) do
        local m = redis.call('HMGET', p .. ':member:' .. org, 'role', 'kind', 'since', 'name', 'status')
        if m[1] == 'party' and m[2] == 'company' and m[5] == 'active' and (m[3] or '') <= deadline then
            table.insert(out, { org_id = org, name = m[4], since = m[3],
                                disclosed = redis.call('SISMEMBER', p .. ':year:' .. year .. ':orgs', org) == 1 })
        end
    end
    table.sort(out, function(a, b) return a.org_id < b.org_id end)
    return out
end

local reminders = cfg.reminders_days or {}
table.sort(reminders)
if mode == 'read' then
    local companies = due()
    for _, c in ipairs(companies) do
        c.reminded = {}
        for _, d in ipairs(reminders) do
            if redis.call('SISMEMBER', state .. ':reminded:' .. d, c.org_id) == 1 then
                table.insert(c.reminded, d)
            end
        end
        -- Overdue: the deadline has passed without a disclosure (a company that joined later
        -- with an earlier signing date too); flagged: it heard location.disclosure_overdue.
        c.flagged = redis.call('SISMEMBER', state .. ':overdue', c.org_id) == 1
        c.overdue = not c.disclosed and today > deadline
    end
    local published = redis.call('HGET', p .. ':published', year)
    return imvo_commit({ covenant = covenant, year = tonumber(year), deadline = deadline, publish_on = publish_on,
                         published_on = published or nil, auto_published = redis.call('HGET', state, 'published') or nil,
                         companies = companies })
end

local left = days(deadline) - days(today)
local out = { year = tonumber(year) }
if left >= 0 then
    -- The nearest reminder whose day has come: d days or fewer before the deadline.
    for _, d in ipairs(reminders) do
        if left <= d then
            if redis.call('HSETNX', state, 'reminder:' .. d, today) == 1 then
                for _, c in ipairs(due()) do
                    if not c.disclosed then
                        redis.call('SADD', state .. ':reminded:' .. d, c.org_id)
                        imvo_emit(p .. ':events', 'location.disclosure_reminder', 'membership',
                                  { covenant = covenant, org_id = c.org_id, year = tonumber(year), deadline = deadline,
                                    days_left = left, publish_on = publish_on })
                    end
                end
            end
            break
        end
    end
elseif redis.call('HSETNX', state, 'overdue', today) == 1 then
    for _, c in ipairs(due()) do
        if not c.disclosed then
            redis.call('SADD', state .. ':overdue', c.org_id)
            imvo_emit(p .. ':events', 'location.disclosure_overdue', 'membership',
                      { covenant = covenant, org_id = c.org_id, year = tonumber(year), deadline = deadline })
        end
    end
end
if today >= publish_on and redis.call('HEXISTS', state, 'published') == 0 then
    out.publish = tonumber(year)
end
return imvo_commit(out)

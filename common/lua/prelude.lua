-- prelude.lua: helpers every IMVO script shares. common/EmbedLua.cmake puts this text in
-- front of each script, so the conventions below are written once.
--
-- Conventions for a script that changes state:
--   KEYS[1]  the request's idempotency record (same hash tag as the other keys)
--   ARGV[1]  seconds to keep that record, "0" when the request carries no idempotency key
--   it returns imvo_commit(reply_table): the packed reply followed by the events it emitted,
--   which the daemon publishes on its PUB socket after the commit (imvo_outbox_commit).
-- A script with many arguments takes them by name: ARGV[2] is a msgpack map packed by the
-- daemon (imvo_named_t) with the names its catalogue entry lists (script_args), and
-- imvo_named() returns it as a table.
-- Domain errors are returned as imvo_fail(code, field, message): error replies that the
-- daemon turns into the envelope's error (imvo_redis_fail).

local imvo_emitted = {}

local function imvo_fail(code, field, message)
    return redis.error_reply(code .. '|' .. field .. '|' .. message)
end

local function imvo_named()
    return cmsgpack.unpack(ARGV[2])
end

local function imvo_now_ms()
    local t = redis.call('TIME')
    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A hash as a Lua table (field -> value), or nil when the key does not exist.
local function imvo_hash(key)
    local h = redis.call('HGETALL', key)
    if #h == 0 then
        return nil
    end
    local t = {}
    for i = 1, #h, 2 do
        t[h[i]] = h[i + 1]
    end
    return t
end

-- ARGV[1] is '0' without a key, else '<ttl seconds> <digest of the body>'; the record holds
-- the 40-digit digest followed by the packed reply.
-- The stored reply of an earlier request with the same type, key and body; a conflict error
-- when the key came with another body; false the first time.
local function imvo_replay()
    if ARGV[1] ~= '0' then
        local stored = redis.call('GET', KEYS[1])
        if stored then
            if string.sub(stored, 1, 40) ~= string.match(ARGV[1], ' (%x+)$') then
                return redis.error_reply('conflict|key|this key was used for another request of this type; ' ..
                                         'use a new key for a new request')
            end
            return { string.sub(stored, 41) }
        end
    end
    return false
end

-- Appends an event with an already packed body to a stream (the outbox) in the same atomic
-- step as the state change. The entry holds the type and the body: the source is the stream's
-- owner, and the time is the entry id's (unix ms, Redis's clock at the commit).
local function imvo_emit_packed(stream, etype, source, packed)
    local id = redis.call('XADD', stream, '*', 'type', etype, 'body', packed)
    table.insert(imvo_emitted, { stream, id, etype, string.match(id, '^(%d+)'), packed })
    return id
end

-- The same with a Lua table as the body.
local function imvo_emit(stream, etype, source, body)
    return imvo_emit_packed(stream, etype, source, cmsgpack.pack(body))
end

-- The msgpack encoding of string s, to splice into maps a daemon packed: a map of n pairs
-- packed by the daemon as header .. pairs gains a pair with
-- imvo_mp_prepend(packed, key, value) when it has fewer than 15 pairs (a fixmap).
local function imvo_mp_str(s)
    local n = #s
    if n < 32 then
        return string.char(0xa0 + n) .. s
    elseif n < 256 then
        return '\217' .. string.char(n) .. s
    end
    return '\218' .. string.char(math.floor(n / 256), n % 256) .. s
end

local function imvo_mp_prepend(packed, key, value)
    local header = string.byte(packed, 1)
    return string.char(header + 1) .. imvo_mp_str(key) .. imvo_mp_str(value) .. string.sub(packed, 2)
end

-- Stores the packed reply under the idempotency record and returns it with the emitted events.
local function imvo_commit_packed(packed)
    if ARGV[1] ~= '0' then
        local ttl, digest = string.match(ARGV[1], '^(%d+) (%x+)$')
        redis.call('SET', KEYS[1], digest .. packed, 'EX', tonumber(ttl))
    end
    local out = { packed }
    for _, e in ipairs(imvo_emitted) do
        for _, v in ipairs(e) do
            table.insert(out, v)
        end
    end
    return out
end

-- The same with a Lua table as the reply.
local function imvo_commit(reply)
    return imvo_commit_packed(cmsgpack.pack(reply))
end

-- HGET key field for a client that may miss only so often: after `limit` misses within
-- `window_ms` (counted in counter_key) the client gets `busy` on `what` until the window ends;
-- a miss is `not_found` on `what`. Returns the value, or the error reply to return.
local function imvo_limited_hget(key, field, counter_key, limit, window_ms, what)
    if tonumber(redis.call('GET', counter_key) or '0') >= tonumber(limit) then
        return nil, imvo_fail('busy', what, 'too many wrong tries from this client: try again in a minute')
    end
    local value = redis.call('HGET', key, field)
    if not value then
        if redis.call('INCR', counter_key) == 1 then
            redis.call('PEXPIRE', counter_key, window_ms)
        end
        return nil, imvo_fail('not_found', what, 'no case has this ' .. what .. '; check it and try again')
    end
    return value
end

-- Read your own writes for a view kept from another daemon's stream (proto/README.md): the events of `stream` newer than `after` (the newest one the view applied; nil: the
-- view applied none) have been committed but may not be in the view yet. Returns the newest
-- of them whose type is in `types` (a set) and whose body field `field` equals `value`, as
-- type and body table; false when none is about `value` (the view is right); 'behind' when
-- `window` or more events are not applied yet (the view lags too far to tell at once).
-- O(events not yet applied, at most window): the consumer keeps that near zero. XRANGE, not
-- XREVRANGE: the consumers' Redis users may read the streams they consume with XRANGE only.
local function imvo_view_newer(stream, after, types, field, value, window)
    local entries = redis.call('XRANGE', stream, after and ('(' .. after) or '-', '+', 'COUNT', window)
    if #entries >= window then
        return 'behind'
    end
    local found, found_body = false, nil
    for i = 1, #entries do
        local f = entries[i][2]
        local etype, body
        for j = 1, #f, 2 do
            if f[j] == 'type' then
                etype = f[j + 1]
            elseif f[j] == 'body' then
                body = f[j + 1]
            end
        end
        if etype and types[etype] and body then
            local b = cmsgpack.unpack(body)
            if type(b) == 'table' and b[field] == value then
                found, found_body = etype, b
            end
        end
    end
    return found, found_body
end

-- Helpers that the scripts of one daemon share. They stand here because the prelude is the one
-- way scripts share code (common/EmbedLua.cmake); a script that does not call one pays only for
-- defining it, a closure per call.

-- complaints: the start of a script that changes a case (KEYS[2], the case hash). Returns the
-- case, or nil and what the script returns at once: the stored reply of a request made before
-- (imvo_replay), or not_found on case_id.
local function imvo_case_to_change()
    local replay = imvo_replay()
    if replay then
        return nil, replay
    end
    local case = imvo_hash(KEYS[2])
    if not case then
        return nil, imvo_fail('not_found', 'case_id', 'no case with this id')
    end
    return case
end

-- membership: the start of a script that changes a covenant's records (meeting_record.lua,
-- steering_put.lua; ARGV[2] the covenant's key prefix). Returns the prefix, or nil and what
-- the script returns at once: the stored reply of a request made before (imvo_replay), or
-- not_found on covenant.
local function imvo_covenant_to_change()
    local replay = imvo_replay()
    if replay then
        return nil, replay
    end
    local p = ARGV[2]
    if redis.call('EXISTS', p .. ':covenant') == 0 then
        return nil, imvo_fail('not_found', 'covenant', 'no covenant with this code')
    end
    return p
end

-- membership: the fields of the member hash KEYS[2] of an active member, 'status' and then the
-- ones asked for (HMGET); or nil and the error to return: not_found on org_id when the
-- organisation is not a member of the covenant, conflict when it has left.
local function imvo_active_member(...)
    local m = redis.call('HMGET', KEYS[2], 'status', ...)
    if not m[1] then
        return nil, imvo_fail('not_found', 'org_id', 'this organisation is not a member of the covenant')
    end
    if m[1] ~= 'active' then
        return nil, imvo_fail('conflict', 'org_id', 'this organisation has left the covenant')
    end
    return m
end

-- membership: the day (YYYY-MM-DD) a covenant's term runs out: the end of the last extension
-- recorded (term_until), else the term's ends_on, else starts_on plus its years (29 February
-- becomes 28 February); nil when the term gives none of them. term: the unpacked term.
local function imvo_term_runs_out(term, term_until)
    local runs_out = term_until or term.ends_on
    if not runs_out and term.starts_on and term.years then
        local y, rest = string.match(term.starts_on, '^(%d%d%d%d)(.*)$')
        runs_out = string.format('%04d', tonumber(y) + term.years) .. (rest == '-02-29' and '-02-28' or rest)
    end
    return runs_out
end

-- membership: ends a person's sessions (the hashes in <prefix>:sessions:<username>, each
-- <prefix>:session:<hash>) but the one whose hash is keep (nil or '' for none). Returns
-- whether keep was among them.
local function imvo_sessions_end(prefix, username, keep)
    local index = prefix .. ':sessions:' .. username
    local kept = false
    for _, h in ipairs(redis.call('SMEMBERS', index)) do
        if h ~= keep then
            redis.call('DEL', prefix .. ':session:' .. h)
            redis.call('SREM', index, h)
        else
            kept = true
        end
    end
    return kept
end

-- scoring: the fields of a round hash (key) that is completed: 'status' and then the one asked
-- for (HMGET); or nil and the error to return: conflict on round_id while the round runs.
local function imvo_completed_round(key, field)
    local round = redis.call('HMGET', key, 'status', field)
    if round[1] ~= 'completed' then
        return nil, imvo_fail('conflict', 'round_id', 'the round is not completed yet')
    end
    return round
end

-- complaints: the case indexes, kept behind the submit (issue 21, 6; docs/ARCHITECTURE.md,
-- "What a complaint costs Redis"). complaint_submit.lua numbers a case and writes it, its event
-- and its idempotency record, nothing more; this puts the cases numbered since into :cases,
-- :status:<status>, :respondent:<org>, :deadlines and :receipts, and a dispute into
-- :claimant:<org> (the disputes that party filed: complaint.open), each as the case is now: a
-- move made in between (complaint_transition.lua, complaint_note.lua, complaint_update.lua)
-- may have changed its status, deadlines or respondent and wrote its own entries, the same
-- ones. Whatever the indexes miss, the counters say: :indexed holds per year the number of
-- that year's last case indexed (the submit adds a year with its first case), :seq:<year> how
-- far the year's cases go. Every read of these indexes first brings them up to date through
-- complaint_catch_up.lua (complaints_cases_ready, in C: so a client reads its own writes, for an
-- HGETALL and a GET a year when nothing is new), as the daemon's timer does;
-- complaint_deadlines.lua calls this itself. p: the covenant's key prefix; at most `budget`
-- cases a call. Returns the number of cases still not indexed, and what is left of the budget
-- (for imvo_claimants_backfill).
local function imvo_cases_index(p, budget)
    local marks = redis.call('HGETALL', p .. ':indexed')
    local left = 0
    for i = 1, #marks, 2 do
        local year, at = marks[i], tonumber(marks[i + 1])
        local top = tonumber(redis.call('GET', p .. ':seq:' .. year) or '0')
        local to = math.min(top, at + budget)
        if to > at then
            local upper = string.upper(string.match(p, '{(.-)}'))
            local adds, order = {}, {}          -- key -> {score, member, ...}: one ZADD a key
            local function add(key, score, member)
                local t = adds[key]
                if not t then
                    t = {}
                    adds[key] = t
                    order[#order + 1] = key
                end
                t[#t + 1] = score
                t[#t + 1] = member
            end
            local receipts = {}
            for n = at + 1, to do
                local id = upper .. '-' .. year .. '-' .. string.format('%04d', n)
                local c = redis.call('HMGET', p .. ':case:' .. id, 'received_at', 'status', 'respondent', 'deadlines',
                                     'receipt_hash', 'claimant_org')
                if c[1] and c[2] then           -- (none: erased, or a script cut short)
                    add(p .. ':cases', c[1], id)
                    add(p .. ':status:' .. c[2], c[1], id)
                    if (c[3] or '') ~= '' then
                        add(p .. ':respondent:' .. c[3], c[1], id)
                    end
                    for name, due in pairs(c[4] and cmsgpack.unpack(c[4]) or {}) do
                        add(p .. ':deadlines', due, id .. '|' .. name)
                    end
                    if c[6] then
                        add(p .. ':claimant:' .. c[6], c[1], id)
                    end
                    if c[5] then
                        receipts[#receipts + 1] = c[5]
                        receipts[#receipts + 1] = id
                    end
                end
            end
            -- unpack() takes some thousands of values at most: the longest list goes in parts.
            local function each_part(t, f)
                for j = 1, #t, 4000 do
                    f(unpack(t, j, math.min(#t, j + 3999)))
                end
            end
            for _, key in ipairs(order) do
                each_part(adds[key], function(...) redis.call('ZADD', key, ...) end)
            end
            each_part(receipts, function(...) redis.call('HSET', p .. ':receipts', ...) end)
            redis.call('HSET', p .. ':indexed', year, to)
            budget = budget - (to - at)
            at = to
        end
        left = left + math.max(top - at, 0)     -- (a mark above its counter: a counter deleted by hand)
    end
    return left, budget
end

-- complaints: the disputes of a covenant an earlier version wrote into :claimant:<org>, which
-- came after them (complaint.open: a claimant party sees the open disputes it filed). The
-- covenant's marks were given at its counters (complaint_catch_up_marks.lua), so the index
-- step never reads those cases; complaint_catch_up_marks.lua also puts each such year in
-- :claimants_backfill (year -> the number of the newest case not yet looked at), and each
-- catch-up (complaint_catch_up.lua: the timer and the reads) then looks at up to `budget` of
-- them, newest first: a dispute (its claimant_org) into :claimant:<org> with the score the
-- index step gives it (received_at), the year's entry lowered, and removed at 0. An HGETALL of
-- a key that is not there once the backfill is done. Returns the cases still to look at.
local function imvo_claimants_backfill(p, budget)
    local key = p .. ':claimants_backfill'
    local todo = redis.call('HGETALL', key)
    local left = 0
    for i = 1, #todo, 2 do
        local year, hi = todo[i], tonumber(todo[i + 1])
        local lo = math.max(hi - math.max(budget, 0), 0)
        if lo < hi then
            local upper = string.upper(string.match(p, '{(.-)}'))
            for n = hi, lo + 1, -1 do
                local id = upper .. '-' .. year .. '-' .. string.format('%04d', n)
                local c = redis.call('HMGET', p .. ':case:' .. id, 'received_at', 'claimant_org')
                if c[1] and c[2] then           -- (none: a complaint, or erased)
                    redis.call('ZADD', p .. ':claimant:' .. c[2], c[1], id)
                end
            end
            budget = budget - (hi - lo)
            if lo == 0 then
                redis.call('HDEL', key, year)
            else
                redis.call('HSET', key, year, lo)
            end
        end
        left = left + lo
    end
    return left
end

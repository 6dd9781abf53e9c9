-- prelude.lua: helpers every IMVO script shares. common/EmbedLua.cmake puts this text in
-- front of each script, so the conventions below are written once.
--
-- Conventions for a script that changes state:
--   KEYS[1]  the request's idempotency record (same hash tag as the other keys)
--   ARGV[1]  seconds to keep that record, "0" when the request carries no idempotency key
--   it returns imvo_commit(reply_table): the packed reply followed by the events it emitted,
--   which the daemon publishes on its PUB socket after the commit (imvo_outbox_commit).
-- Domain errors are returned as imvo_fail(code, field, message): error replies that the
-- daemon turns into the envelope's error (imvo_redis_fail).

local imvo_emitted = {}

local function imvo_fail(code, field, message)
    return redis.error_reply(code .. '|' .. field .. '|' .. message)
end

local function imvo_now_ms()
    local t = redis.call('TIME')
    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
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

-- Appends an event to a stream (the outbox) in the same atomic step as the state change.
local function imvo_emit(stream, etype, source, body, at)
    local packed = cmsgpack.pack(body)
    local id = redis.call('XADD', stream, '*', 'type', etype, 'source', source,
                          'at', tostring(at), 'body', packed)
    table.insert(imvo_emitted, { stream, id, etype, tostring(at), packed })
    return id
end

-- Stores the reply under the idempotency record and returns it with the emitted events.
local function imvo_commit(reply)
    local packed = cmsgpack.pack(reply)
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

-- True the first time an effect for event_id is recorded in seen_key (a sorted set scored
-- by time, trimmed to 30 days); false when the effect already happened.
local function imvo_once(seen_key, event_id, now)
    if redis.call('ZADD', seen_key, 'NX', now, event_id) == 0 then
        return false
    end
    redis.call('ZREMRANGEBYSCORE', seen_key, '-inf', now - 30 * 86400000)
    return true
end

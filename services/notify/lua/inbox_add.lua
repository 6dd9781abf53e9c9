-- inbox_add.lua: puts notifications in one recipient's inbox, once per event, and queues one
-- delivery per webhook or e-mail subscription of the recipient that wants the event's type.
-- KEYS: imvo:notify:{<recipient>}: [1] :inbox (zset of event ids by time), [2] :items (hash
-- event id -> packed item), [3] :subs, [4] :delivered, [5] :out (hash "<event id>|<channel>"
-- -> what to send), [6] :due, [7] :backlog (hash channel -> deliveries not yet settled),
-- [8] :queued (zset of those by when they were queued). The runtime merges at most 8 events
-- into one call (imvo_calls.c), so no call holds Redis for long.
-- ARGV: one or more groups of 7, packed by the daemon so that nothing here unpacks an event:
-- event id, event time (ms), type, the inbox item in Dutch and in English ({event_id, type, at,
-- case_id?, title, text}), and what a delivery sends in Dutch and in English ({event_id, type,
-- at, body, title, text, html, lang}). The consumer merges the events of one read that go to
-- the same recipient into one call.
-- Applying an event twice writes the same item again, and queues no second delivery of what
-- is queued or delivered already. Returns the items written.
local inbox_en, channels = false, {}
local subs = redis.call('HGETALL', KEYS[3])
for i = 2, #subs, 2 do
    local s = cmsgpack.unpack(subs[i])
    if s.channel == 'inbox' then
        inbox_en = s.lang == 'en'
    else
        local types
        if s.types and #s.types > 0 then
            types = {}
            for _, t in ipairs(s.types) do
                types[t] = true
            end
        end
        table.insert(channels, { channel = s.channel, en = s.lang == 'en', types = types })
    end
end
local now
for i = 1, #ARGV, 7 do
    local id, at, etype = ARGV[i], ARGV[i + 1], ARGV[i + 2]
    redis.call('HSET', KEYS[2], id, inbox_en and ARGV[i + 4] or ARGV[i + 3])
    redis.call('ZADD', KEYS[1], at, id)
    for _, ch in ipairs(channels) do
        local member = id .. '|' .. ch.channel
        if (not ch.types or ch.types[etype]) and redis.call('HEXISTS', KEYS[4], member) == 0
           and redis.call('HSETNX', KEYS[5], member, ch.en and ARGV[i + 6] or ARGV[i + 5]) == 1 then
            now = now or imvo_now_ms()
            redis.call('ZADD', KEYS[6], now, member)
            redis.call('HINCRBY', KEYS[7], ch.channel, 1)
            redis.call('ZADD', KEYS[8], now, member)
        end
    end
end
return #ARGV / 7

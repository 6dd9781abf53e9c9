-- inbox_add.lua: puts notifications in one recipient's inbox, once per event, and queues one
-- delivery per webhook or e-mail subscription of the recipient that wants the event's type.
-- KEYS: imvo:notify:{<recipient>}: [1] :inbox (zset of event ids by time), [2] :items (hash
-- event id -> packed item), [3] :subs, [4] :delivered, [5] :out (hash "<event id>|<channel>"
-- -> what to send), [6] :due, [7] :backlog (hash channel -> deliveries not yet settled),
-- [8] :queued (zset of those by when they were queued). The runtime merges at most 8 events
-- into one call (imvo_calls.c), so no call holds Redis for long.
-- ARGV: one or more groups of 21, packed by the daemon so that nothing here unpacks an event:
-- event id, event time (ms), type, the inbox item in each of the nine languages ({event_id,
-- type, at, case_id?, title, text}; nl, en, fr, es, bn, hi, zh, tr, vi), and what a delivery
-- sends in each of them ({event_id, type, at, body, title, text, html, lang}), in that order.
-- A subscription's lang picks one; Dutch when it names none. The consumer merges the events
-- of one read that go to the same recipient into one call.
-- Applying an event twice writes the same item again, and queues no second delivery of what
-- is queued or delivered already. Returns the items written.
local LANGS = { nl = 0, en = 1, fr = 2, es = 3, bn = 4, hi = 5, zh = 6, tr = 7, vi = 8 }
local GROUP = 3 + 2 * 9
local inbox_lang, channels = 0, {}
local subs = redis.call('HGETALL', KEYS[3])
for i = 2, #subs, 2 do
    local s = cmsgpack.unpack(subs[i])
    if s.channel == 'inbox' then
        inbox_lang = LANGS[s.lang] or 0
    else
        local types
        if s.types and #s.types > 0 then
            types = {}
            for _, t in ipairs(s.types) do
                types[t] = true
            end
        end
        table.insert(channels, { channel = s.channel, lang = LANGS[s.lang] or 0, types = types })
    end
end
local now
for i = 1, #ARGV, GROUP do
    local id, at, etype = ARGV[i], ARGV[i + 1], ARGV[i + 2]
    redis.call('HSET', KEYS[2], id, ARGV[i + 3 + inbox_lang])
    redis.call('ZADD', KEYS[1], at, id)
    for _, ch in ipairs(channels) do
        local member = id .. '|' .. ch.channel
        if (not ch.types or ch.types[etype]) and redis.call('HEXISTS', KEYS[4], member) == 0
           and redis.call('HSETNX', KEYS[5], member, ARGV[i + 12 + ch.lang]) == 1 then
            now = now or imvo_now_ms()
            redis.call('ZADD', KEYS[6], now, member)
            redis.call('HINCRBY', KEYS[7], ch.channel, 1)
            redis.call('ZADD', KEYS[8], now, member)
        end
    end
end
return #ARGV / GROUP

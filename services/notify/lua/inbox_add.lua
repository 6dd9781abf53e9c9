-- inbox_add.lua: puts notifications in one recipient's inbox, once per event, and queues one
-- delivery per webhook or e-mail subscription of the recipient that wants the event's type.
-- KEYS: imvo:notify:{<recipient>}: [1] :inbox (zset of event ids by time), [2] :items (hash
-- event id -> packed item), [3] :subs, [4] :delivered, [5] :out, [6] :due, [7] :backlog (hash
-- channel -> deliveries not yet settled), [8] :queued (zset of those by when they were queued).
-- ARGV: one or more triplets of event id, event time (ms), packed event item {event_id, type,
-- at, case_id?, body, nl = {title, text, html}, en = {...}} (the consumer merges the events of
-- one read that go to the same recipient into one call).
-- Applying an event twice writes the same item again, and queues no second delivery of what
-- is queued or delivered already. Returns the items written.
local inbox_lang, channels = 'nl', {}
local subs = redis.call('HGETALL', KEYS[3])
for i = 2, #subs, 2 do
    local s = cmsgpack.unpack(subs[i])
    if s.channel == 'inbox' then
        inbox_lang = s.lang or 'nl'
    else
        table.insert(channels, s)
    end
end
local now
for i = 1, #ARGV, 3 do
    local id, at, it = ARGV[i], ARGV[i + 1], cmsgpack.unpack(ARGV[i + 2])
    local t = it[inbox_lang] or it.nl
    redis.call('HSET', KEYS[2], id, cmsgpack.pack({ event_id = id, type = it.type, at = it.at, case_id = it.case_id,
                                                    title = t.title, text = t.text }))
    redis.call('ZADD', KEYS[1], at, id)
    for _, ch in ipairs(channels) do
        local wanted = not ch.types or #ch.types == 0
        for _, ty in ipairs(ch.types or {}) do
            wanted = wanted or ty == it.type
        end
        local member = id .. '|' .. ch.channel
        if wanted and redis.call('HEXISTS', KEYS[4], member) == 0 and redis.call('HEXISTS', KEYS[5], member) == 0 then
            now = now or imvo_now_ms()
            local l = it[ch.lang or 'nl'] or it.nl
            redis.call('HSET', KEYS[5], member, cmsgpack.pack({
                event_id = id, type = it.type, at = it.at, body = it.body, title = l.title, text = l.text, html = l.html,
                lang = ch.lang or 'nl', channel = ch.channel, address = ch.address, secret = ch.secret,
                attempts = 0, queued_at = now }))
            redis.call('ZADD', KEYS[6], now, member)
            redis.call('HINCRBY', KEYS[7], ch.channel, 1)
            redis.call('ZADD', KEYS[8], now, member)
        end
    end
end
return #ARGV / 3

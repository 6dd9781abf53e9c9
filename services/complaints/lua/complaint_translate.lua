-- complaint_translate.lua: the secretariat's translation of a complaint's summary and
-- description into another language, kept beside her own words (never in their place), one per
-- language: again for a language corrects it (by, person and at are then the correction's).
-- KEYS[1] idempotency record, KEYS[2] the case hash; ARGV[1] ttl, ARGV[2] by name (imvo_named;
-- complaint.translate's script_args): prefix (imvo:complaints:{<covenant>}), lang, summary,
-- description, by (role), person ('' or the signed-in person a gateway spoke for), now (ms),
-- words (packed: the case-folded words of the translation, complaints_words.c), which join the
-- case's :word:<w> index (score received_at) so that complaint.list's q finds it by them.
-- <case>:translations: hash lang -> packed {lang, summary, description, by, person?, at}.
local replay = imvo_replay()
if replay then
    return replay
end
local a = imvo_named()
local case = redis.call('HMGET', KEYS[2], 'case_id', 'lang', 'received_at')
if not case[1] then
    return imvo_fail('not_found', 'case_id', 'no case with this id')
end
local own = case[2] or 'nl'
if a.lang == own then
    return imvo_fail('invalid_argument', 'lang', 'the complaint is in ' .. own ..
                     ' already: a translation is into another language')
end
local key = KEYS[2] .. ':translations'
local now = tonumber(a.now)
local t = { lang = a.lang, summary = a.summary, description = a.description, by = a.by, at = now }
if a.person ~= '' then
    t.person = a.person
end
redis.call('HSET', key, a.lang, cmsgpack.pack(t))
for _, w in ipairs(cmsgpack.unpack(a.words)) do
    redis.call('ZADD', a.prefix .. ':word:' .. w, tonumber(case[3]), case[1])
end
return imvo_commit({ case_id = case[1], lang = a.lang })

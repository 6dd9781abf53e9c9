-- inbox_lang_default.lua: the language of an organisation's inbox until it chooses one: Dutch
-- for a Dutch organisation, English for others (from its member.joined event).
-- KEYS[1] imvo:notify:{org:<id>}:subs; ARGV[1] 'nl' or 'en'. Returns 1 when it set it.
if redis.call('HEXISTS', KEYS[1], 'inbox') == 1 then
    return 0
end
redis.call('HSET', KEYS[1], 'inbox', cmsgpack.pack({ channel = 'inbox', lang = ARGV[1] }))
return 1

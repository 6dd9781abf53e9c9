-- org_joined.lua: what notify keeps of an organisation from its member.joined event: the
-- language of its inbox until it chooses one (Dutch for a Dutch organisation, English for
-- others), and its name, so that texts name the company rather than its id.
-- KEYS[1] imvo:notify:{org:<id>}:subs, [2] imvo:notify:{org:<id>}:name; ARGV[1] 'nl', 'en' or
-- '' (country unknown: the language is left as it is), [2] the name ('' = unknown).
-- Returns 1 when it set the language.
if ARGV[2] ~= '' then
    redis.call('SET', KEYS[2], ARGV[2])
end
if ARGV[1] == '' or redis.call('HEXISTS', KEYS[1], 'inbox') == 1 then
    return 0
end
redis.call('HSET', KEYS[1], 'inbox', cmsgpack.pack({ channel = 'inbox', lang = ARGV[1] }))
return 1

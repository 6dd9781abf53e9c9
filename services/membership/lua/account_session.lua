-- account_session.lua: a session used (account.session: 'check') or ended (account.logout:
-- 'end'). A session ends after `idle` ms without use and `max` ms in all, on the daemon's clock
-- (its Redis expiry is garbage collection only), and when its account is no longer active.
-- KEYS[1] imvo:membership:{accounts}:session:<hash>; ARGV: [1] prefix imvo:membership:{accounts},
-- [2] 'check' or 'end', [3] the token's hash, [4] now (ms), [5] idle (ms), [6] max (ms).
local s = imvo_hash(KEYS[1])
local function finish()
    redis.call('DEL', KEYS[1])
    if s and s.username then
        redis.call('SREM', ARGV[1] .. ':sessions:' .. s.username, ARGV[3])
    end
end
if ARGV[2] == 'end' then
    finish()
    return cmsgpack.pack({ ended = true })
end
local ended = 'the session has ended; sign in again'
if not s or not s.username then
    return imvo_fail('forbidden', 'session', ended)
end
local now, idle, max = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local created, seen = tonumber(s.created_at), tonumber(s.seen_at)
local status = redis.call('HGET', ARGV[1] .. ':account:' .. s.username, 'status')
if now - seen > idle or now - created >= max or status ~= 'active' then
    finish()
    return imvo_fail('forbidden', 'session', ended)
end
-- A use is written down at most every 30 s: a person reading page after page costs Redis no
-- write (nor an fsync) for each; the idle time is then counted from a use at most 30 s older
-- than the last.
if now - seen >= 30000 then
    redis.call('HSET', KEYS[1], 'seen_at', ARGV[4])
end
return cmsgpack.pack({ username = s.username, name = s.name, role = s.role, org = s.org, lang = s.lang,
                       expires_at = math.min(now + idle, created + max) })

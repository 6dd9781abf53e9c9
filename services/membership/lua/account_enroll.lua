-- account_enroll.lua: an enrollment token used (account.enroll): the account gets its password
-- hash and TOTP secret and becomes active; the token is gone.
-- KEYS[1] idempotency record (account.enroll keeps none); ARGV: [1] ttl, [2] prefix
-- imvo:membership:{accounts}, [3] the token's hash, [4] now (the daemon's clock, ms),
-- [5] the password's Argon2id string, [6] the TOTP secret (base32).
local ekey = ARGV[2] .. ':enroll:' .. ARGV[3]
local username = redis.call('GET', ekey)
local unknown = 'this enrollment token is unknown, used already or lapsed'
if not username then
    return imvo_fail('not_found', 'enroll_token', unknown)
end
local key = ARGV[2] .. ':account:' .. username
local a = imvo_hash(key)
redis.call('DEL', ekey)
if not a or a.enroll_hash ~= ARGV[3] or a.status ~= 'pending' then
    return imvo_fail('not_found', 'enroll_token', unknown)
end
redis.call('HDEL', key, 'enroll_hash', 'enroll_expires')
if tonumber(a.enroll_expires) < tonumber(ARGV[4]) then
    return imvo_fail('not_found', 'enroll_token', unknown)
end
redis.call('HSET', key, 'pwhash', ARGV[5], 'totp', ARGV[6], 'status', 'active', 'enrolled_at', ARGV[4])
redis.call('DEL', ARGV[2] .. ':fails:' .. username)
return imvo_commit({ username = username, totp_secret = ARGV[6] })

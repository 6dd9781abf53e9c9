-- account_session_open.lua: a person signed in (account.login): the TOTP code's time step is
-- used up, the wrong-login count goes and a session begins. The daemon checked the password and
-- the code; here, atomically, that the account is still the one it checked (active, the same
-- password hash) and that no code of this step or a later one was used before (a replay).
-- KEYS[1] imvo:membership:{accounts}:account:<username>; ARGV: [1] prefix
-- imvo:membership:{accounts}, [2] username, [3] the password hash the daemon checked against,
-- [4] the code's time step, [5] the session token's hash, [6] now (the daemon's clock, ms),
-- [7] a session's longest life (ms: the Redis expiry, garbage collection only).
-- Returns the session's fields {name, role, org, lang}, or forbidden on password.
local a = imvo_hash(KEYS[1])
if not a or a.status ~= 'active' or a.pwhash ~= ARGV[3] then
    return imvo_fail('forbidden', 'password', 'wrong username, password or code, or an account that cannot sign in')
end
if tonumber(a.totp_step or '-1') >= tonumber(ARGV[4]) then
    return imvo_fail('forbidden', 'password', 'wrong username, password or code, or an account that cannot sign in')
end
redis.call('HSET', KEYS[1], 'totp_step', ARGV[4], 'login_at', ARGV[6])
redis.call('DEL', ARGV[1] .. ':fails:' .. ARGV[2])
local skey = ARGV[1] .. ':session:' .. ARGV[5]
redis.call('HSET', skey, 'username', ARGV[2], 'role', a.role or '', 'org', a.org or '', 'name', a.name or '',
           'lang', a.lang or 'nl', 'created_at', ARGV[6], 'seen_at', ARGV[6])
redis.call('PEXPIRE', skey, ARGV[7])
-- The person's sessions, so that a new password or a disabled account ends them all; ended
-- ones leave it here (their keys lapse on their own).
local index = ARGV[1] .. ':sessions:' .. ARGV[2]
for _, h in ipairs(redis.call('SMEMBERS', index)) do
    if redis.call('EXISTS', ARGV[1] .. ':session:' .. h) == 0 then
        redis.call('SREM', index, h)
    end
end
redis.call('SADD', index, ARGV[5])
redis.call('PEXPIRE', index, ARGV[7])
return cmsgpack.pack({ name = a.name or '', role = a.role or '', org = a.org or '', lang = a.lang or 'nl' })

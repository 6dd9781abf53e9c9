-- account_password.lua: a person's new password (account.password). The daemon checked the
-- present one; here, atomically, that the account is still the one it checked (active, the same
-- hash). Every session of the person ends but the one the change was made in (if it is hers).
-- KEYS[1] imvo:membership:{accounts}:account:<username>; ARGV: [1] prefix
-- imvo:membership:{accounts}, [2] username, [3] the hash checked against, [4] the new hash,
-- [5] now (ms), [6] the hash of the session that stays ('' for none).
local a = imvo_hash(KEYS[1])
if not a or a.status ~= 'active' or a.pwhash ~= ARGV[3] then
    return imvo_fail('conflict', 'username', 'the account changed meanwhile (a reset, a disable or another new password)')
end
redis.call('HSET', KEYS[1], 'pwhash', ARGV[4], 'password_changed_at', ARGV[5])
return imvo_sessions_end(ARGV[1], ARGV[2], ARGV[6]) and 1 or 0

-- account_login.lua: counts wrong logins (account.login, and a wrong present password in
-- account.password). Five within 15 minutes of each other lock the account for 15 minutes on the
-- daemon's clock (locked_until); the key itself lapses 15 minutes after the last wrong try on
-- Redis's clock, so nothing stays behind.
-- KEYS[1] imvo:membership:{accounts}:fails:<username>; ARGV: [1] 'fail' or 'ok', [2] now (ms),
-- [3] wrong tries that lock (5), [4] how long a lock lasts (ms).
if ARGV[1] == 'ok' then
    redis.call('DEL', KEYS[1])
    return 0
end
local n = redis.call('HINCRBY', KEYS[1], 'count', 1)
if n >= tonumber(ARGV[3]) then
    redis.call('HSET', KEYS[1], 'count', 0, 'locked_until', tonumber(ARGV[2]) + tonumber(ARGV[4]))
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return n

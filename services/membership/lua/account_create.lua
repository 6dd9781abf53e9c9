-- account_create.lua: a person's account, waiting for its enrollment (account.create).
-- KEYS[1] idempotency record; ARGV: [1] ttl, [2] prefix imvo:membership:{accounts},
-- [3] username, [4] name, [5] e-mail, [6] role, [7] org ('' for none), [8] lang, [9] now
-- (the daemon's clock, ms), [10] when the token lapses (ms), [11] the enrollment token's hash,
-- [12] '1' for a company's administrator, else ''.
-- The token itself never reaches Redis: the reply stored for a retry holds its hash only.
local replay = imvo_replay()
if replay then
    return replay
end
local key = ARGV[2] .. ':account:' .. ARGV[3]
if redis.call('EXISTS', key) == 1 then
    return imvo_fail('conflict', 'username', 'an account with this username exists')
end
redis.call('HSET', key, 'username', ARGV[3], 'name', ARGV[4], 'email', ARGV[5], 'role', ARGV[6], 'org', ARGV[7],
           'lang', ARGV[8], 'status', 'pending', 'created_at', ARGV[9], 'enroll_hash', ARGV[11],
           'enroll_expires', ARGV[10])
if ARGV[12] == '1' then
    redis.call('HSET', key, 'admin', '1')
end
redis.call('SET', ARGV[2] .. ':enroll:' .. ARGV[11], ARGV[3])
redis.call('SADD', ARGV[2] .. ':all', ARGV[3])
return imvo_commit({ username = ARGV[3], enroll_hash = ARGV[11] })

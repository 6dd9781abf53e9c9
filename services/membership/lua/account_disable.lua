-- account_disable.lua: an account disabled (account.disable); its enrollment token, if any, and
-- its sessions go.
-- KEYS[1] idempotency record; ARGV: [1] ttl, [2] prefix imvo:membership:{accounts},
-- [3] username, [4] now (ms), [5] the company actor's org ('' for the secretariat).
local replay = imvo_replay()
if replay then
    return replay
end
local key = ARGV[2] .. ':account:' .. ARGV[3]
local a = imvo_hash(key)
if not a then
    return imvo_fail('not_found', 'username', 'no account has this username')
end
if ARGV[5] ~= '' and a.org ~= ARGV[5] then
    return imvo_fail('forbidden', 'username', 'a company disables only its own accounts')
end
if a.enroll_hash then
    redis.call('DEL', ARGV[2] .. ':enroll:' .. a.enroll_hash)
    redis.call('HDEL', key, 'enroll_hash', 'enroll_expires')
end
-- Its sessions end.
imvo_sessions_end(ARGV[2], ARGV[3])
redis.call('HSET', key, 'status', 'disabled', 'disabled_at', ARGV[4])
return imvo_commit({ username = ARGV[3], status = 'disabled' })

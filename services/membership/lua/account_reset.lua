-- account_reset.lua: a new enrollment for an account (account.reset): the old token, password
-- and TOTP secret go, and her sessions; the person enrolls again.
-- KEYS[1] idempotency record; ARGV: [1] ttl, [2] prefix imvo:membership:{accounts},
-- [3] username, [4] now (ms), [5] when the token lapses (ms), [6] the new token's hash,
-- [7] what the secretariat asked to reset (password or totp, kept for the record).
local replay = imvo_replay()
if replay then
    return replay
end
local key = ARGV[2] .. ':account:' .. ARGV[3]
local a = imvo_hash(key)
if not a then
    return imvo_fail('not_found', 'username', 'no account has this username')
end
if a.status == 'disabled' then
    return imvo_fail('conflict', 'username', 'this account is disabled')
end
if a.enroll_hash then
    redis.call('DEL', ARGV[2] .. ':enroll:' .. a.enroll_hash)
end
-- Its sessions end.
imvo_sessions_end(ARGV[2], ARGV[3])
redis.call('HDEL', key, 'pwhash', 'totp', 'totp_step')
redis.call('HSET', key, 'status', 'pending', 'enroll_hash', ARGV[6], 'enroll_expires', ARGV[5],
           'reset_at', ARGV[4], 'reset_what', ARGV[7])
redis.call('SET', ARGV[2] .. ':enroll:' .. ARGV[6], ARGV[3])
redis.call('DEL', ARGV[2] .. ':fails:' .. ARGV[3])
return imvo_commit({ username = ARGV[3], enroll_hash = ARGV[6] })

-- location_commit.lua: the last step of a disclosure (membership_disclose_write.c): stores
-- the reply under the idempotency record and frees the covenant's location lock, once every
-- row was written by location_write.lua.
-- KEYS[1] idempotency record, KEYS[2] the lock; ARGV: [1] ttl, [2] key prefix, [3] lock
-- token, [4] packed reply.
local replay = imvo_replay()
if replay then
    return replay
end
if redis.call('GET', KEYS[2]) ~= ARGV[3] then
    return imvo_fail('unavailable', '', 'the lock on the covenant\'s locations expired: retry the request')
end
redis.call('DEL', KEYS[2])
return imvo_commit_packed(ARGV[4])

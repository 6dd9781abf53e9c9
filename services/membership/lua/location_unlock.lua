-- location_unlock.lua: frees the covenant's location lock if this request still holds it.
-- KEYS[1] the lock; ARGV[1] its token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0

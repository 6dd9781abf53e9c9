-- framework_put.lua: stores a version of a covenant's assessment framework. A version that a
-- round used is frozen: changing it is a conflict (put a new version instead).
-- KEYS[1] idempotency record, KEYS[2] the covenant's frameworks hash; ARGV: [1] ttl, [2] key
-- prefix imvo:scoring:{<covenant>}, [3] covenant, [4] version, [5] packed framework.
local replay = imvo_replay()
if replay then
    return replay
end
if redis.call('SISMEMBER', ARGV[2] .. ':frozen', ARGV[4]) == 1 then
    return imvo_fail('conflict', 'version', 'version ' .. ARGV[4] .. ' was used by a round and is frozen: put version '
                     .. (tonumber(ARGV[4]) + 1))
end
local existed = redis.call('HSET', KEYS[2], ARGV[4], ARGV[5]) == 0
return imvo_commit({ covenant = ARGV[3], version = tonumber(ARGV[4]), replaced = existed })

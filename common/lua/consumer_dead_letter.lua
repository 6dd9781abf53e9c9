-- consumer_dead_letter.lua: moves one event that failed too often to <stream>:dead.
-- KEYS[1] the stream, KEYS[2] its dead-letter stream; ARGV[1] entry id, ARGV[2] group,
-- ARGV[3] deliveries so far. Copy and acknowledge are one step, so the event is never in
-- neither place.
local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
local fields = e[1] and e[1][2] or {}
redis.call('XADD', KEYS[2], '*', 'original_id', ARGV[1], 'group', ARGV[2],
           'deliveries', ARGV[3], unpack(fields))
return redis.call('XACK', KEYS[1], ARGV[2], ARGV[1])

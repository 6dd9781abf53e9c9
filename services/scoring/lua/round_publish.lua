-- round_publish.lua: publishes a round's results once the companies' comment window has
-- passed (the daemon checked the window; published again answers the first time).
-- KEYS[1] idempotency record, KEYS[2] the round hash; ARGV: [1] ttl, [2] key prefix,
-- [3] round id, [4] covenant, [5] year, [6] now (ms).
local replay = imvo_replay()
if replay then
    return replay
end
local st, err = imvo_completed_round(KEYS[2], 'published_at')
if not st then
    return err
end
if st[2] then
    return imvo_commit({ round_id = ARGV[3], published_at = tonumber(st[2]), published = false })
end
redis.call('HSET', KEYS[2], 'published_at', ARGV[6])
imvo_emit(ARGV[2] .. ':events', 'assessment.published', 'scoring',
          { round_id = ARGV[3], covenant = ARGV[4], year = tonumber(ARGV[5]), published_at = tonumber(ARGV[6]) })
return imvo_commit({ round_id = ARGV[3], published_at = tonumber(ARGV[6]), published = true })

-- member_refresh.lua: copies an organisation's changed name and market share into its
-- membership of one covenant (covenant.get and member.list read the copies there, in the
-- covenant's slot). KEYS[1] the member hash; ARGV: [1] name, [2] market share bp ('' =
-- unchanged). Returns 1 when the organisation has a membership here.
if redis.call('EXISTS', KEYS[1]) == 0 then
    return 0
end
if ARGV[1] ~= '' then
    redis.call('HSET', KEYS[1], 'name', ARGV[1])
end
if ARGV[2] ~= '' then
    redis.call('HSET', KEYS[1], 'market_share_bp', ARGV[2])
end
return 1

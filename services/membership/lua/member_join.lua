-- member_join.lua: an organisation joins a covenant, with its member.joined event.
-- KEYS[1] idempotency record, KEYS[2] the covenant hash; ARGV: [1] ttl, [2] key prefix
-- imvo:membership:{<covenant>}, [3] org id, [4] role, [5] packed working group codes,
-- [6] org name, [7] org kind, [8] market share bp ('' = none), [9] today, [10] actor, [11] the
-- org's country (in the event: notify writes to a Dutch organisation in Dutch, to others in English).
-- Rules from the seeds: an ended covenant takes no new members; a party takes part in at
-- least one working group (when the covenant has any); parties vote, supporters and experts
-- do not; a company that is a party owes a yearly contribution.
local replay = imvo_replay()
if replay then
    return replay
end
local p = ARGV[2]
local cov = redis.call('HMGET', KEYS[2], 'code', 'status', 'ends_on')
if not cov[1] then
    return imvo_fail('not_found', 'covenant', 'no covenant with this code')
end
if cov[2] == 'ended' then
    return imvo_fail('conflict', 'covenant', 'the ' .. cov[1] .. ' covenant ended' ..
                     (cov[3] and (' on ' .. cov[3]) or '') .. ' and accepts no new members')
end
local mkey = p .. ':member:' .. ARGV[3]
if redis.call('HGET', mkey, 'status') == 'active' then
    return imvo_fail('conflict', 'org_id', 'this organisation is already a member of the covenant')
end
local groups = cmsgpack.unpack(ARGV[5])
local seen = {}
for i, code in ipairs(groups) do
    if redis.call('HEXISTS', p .. ':wg', code) == 0 then
        return imvo_fail('invalid_argument', 'working_groups.' .. (i - 1),
                         'the covenant has no working group "' .. code .. '"')
    end
    if seen[code] then
        return imvo_fail('invalid_argument', 'working_groups.' .. (i - 1), 'working group "' .. code .. '" is named twice')
    end
    seen[code] = true
end
if ARGV[4] == 'party' and #groups == 0 and redis.call('HLEN', p .. ':wg') > 0 then
    local codes = redis.call('HKEYS', p .. ':wg')
    table.sort(codes)
    return imvo_fail('invalid_argument', 'working_groups',
                     'a party takes part in at least one working group: ' .. table.concat(codes, ', '))
end
local now = imvo_now_ms()
local votes = ARGV[4] == 'party'
local owes = votes and ARGV[7] == 'company'
redis.call('HSET', mkey, 'org_id', ARGV[3], 'role', ARGV[4], 'status', 'active', 'since', ARGV[9],
           'joined_at', now, 'name', ARGV[6], 'kind', ARGV[7], 'market_share_bp', ARGV[8],
           'working_groups', ARGV[5], 'votes', votes and '1' or '0', 'owes_contribution', owes and '1' or '0')
redis.call('HDEL', mkey, 'left_on')
redis.call('SADD', p .. ':members', ARGV[3])
redis.call('RPUSH', mkey .. ':history', cmsgpack.pack({ at = now, on = ARGV[9], action = 'joined',
            role = ARGV[4], working_groups = groups, by = ARGV[10] }))
local membership = { covenant = cov[1], org_id = ARGV[3], name = ARGV[6], kind = ARGV[7],
                     role = ARGV[4], since = ARGV[9], working_groups = groups, votes = votes,
                     owes_contribution = owes, status = 'active' }
imvo_emit(p .. ':events', 'member.joined', 'membership',
          { covenant = cov[1], org_id = ARGV[3], name = ARGV[6], kind = ARGV[7], role = ARGV[4],
            country = ARGV[11] })
return imvo_commit({ membership = membership })

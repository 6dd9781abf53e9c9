-- member_join.lua: an organisation joins a covenant, with its member.joined event.
-- KEYS[1] idempotency record, KEYS[2] the covenant hash; ARGV[1] ttl, ARGV[2] by name
-- (imvo_named; member.join's script_args): prefix (imvo:membership:{<covenant>}), org_id,
-- role, working_groups (packed codes), name, kind, share_bp (market share in basis points, ''
-- for none), today, actor, country (in the event: notify writes to a Dutch organisation in
-- Dutch, to others in English), since (the real signing date, today or earlier: the daemon
-- checked it), source (where that date is written; '' for today's joins).
-- Rules from the seeds: an ended covenant takes no new members; a party takes part in at
-- least one working group (when the covenant has any); parties vote, supporters and experts
-- do not; a company that is a party owes a yearly contribution.
local replay = imvo_replay()
if replay then
    return replay
end
local a = imvo_named()
local p = a.prefix
local cov = redis.call('HMGET', KEYS[2], 'code', 'status', 'ends_on', 'signed_on')
if not cov[1] then
    return imvo_fail('not_found', 'covenant', 'no covenant with this code')
end
if cov[2] == 'ended' then
    return imvo_fail('conflict', 'covenant', 'the ' .. cov[1] .. ' covenant ended' ..
                     (cov[3] and (' on ' .. cov[3]) or '') .. ' and accepts no new members')
end
-- Nobody signed a covenant before the covenant itself was signed.
if cov[4] and cov[4] ~= '' and a.since < cov[4] then
    return imvo_fail('invalid_argument', 'since', 'the ' .. cov[1] .. ' covenant was signed on ' .. cov[4] ..
                     ': a member cannot have signed it on ' .. a.since)
end
local mkey = p .. ':member:' .. a.org_id
if redis.call('HGET', mkey, 'status') == 'active' then
    return imvo_fail('conflict', 'org_id', 'this organisation is already a member of the covenant')
end
local groups = cmsgpack.unpack(a.working_groups)
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
if a.role == 'party' and #groups == 0 and redis.call('HLEN', p .. ':wg') > 0 then
    local codes = redis.call('HKEYS', p .. ':wg')
    table.sort(codes)
    return imvo_fail('invalid_argument', 'working_groups',
                     'a party takes part in at least one working group: ' .. table.concat(codes, ', '))
end
local now = imvo_now_ms()
local votes = a.role == 'party'
local owes = votes and a.kind == 'company'
redis.call('HSET', mkey, 'org_id', a.org_id, 'role', a.role, 'status', 'active', 'since', a.since,
           'joined_at', now, 'name', a.name, 'kind', a.kind, 'market_share_bp', a.share_bp,
           'working_groups', a.working_groups, 'votes', votes and '1' or '0', 'owes_contribution', owes and '1' or '0')
redis.call('HDEL', mkey, 'left_on', 'source')
if a.source ~= '' then
    redis.call('HSET', mkey, 'source', a.source)
end
redis.call('SADD', p .. ':members', a.org_id)
redis.call('RPUSH', mkey .. ':history', cmsgpack.pack({ at = now, on = a.today, action = 'joined',
            since = a.since, source = a.source ~= '' and a.source or nil, role = a.role, working_groups = groups, by = a.actor }))
local membership = { covenant = cov[1], org_id = a.org_id, name = a.name, kind = a.kind,
                     role = a.role, since = a.since, source = a.source ~= '' and a.source or nil, working_groups = groups, votes = votes,
                     owes_contribution = owes, status = 'active' }
imvo_emit(p .. ':events', 'member.joined', 'membership',
          { covenant = cov[1], org_id = a.org_id, name = a.name, kind = a.kind, role = a.role,
            country = a.country })
return imvo_commit({ membership = membership })

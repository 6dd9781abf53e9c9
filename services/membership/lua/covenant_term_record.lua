-- covenant_term_record.lua: the secretariat records what happened when a covenant's term ran
-- out (membership_dates.c): extended until a new date, or ended. Nothing ends on its own;
-- this is where it ends, and then the covenant takes no new members (member_join.lua).
-- KEYS[1] idempotency record, KEYS[2] the covenant hash; ARGV[1] ttl, ARGV[2] by name
-- (imvo_named; covenant.term_record's script_args): prefix, covenant, decision ('extended' or
-- 'ended'), until_on (the body's until; '' when not given), source, today (the daemon's clock), actor.
local replay = imvo_replay()
if replay then
    return replay
end
local a = imvo_named()
local c = redis.call('HMGET', KEYS[2], 'code', 'status', 'term', 'term_until')
if not c[1] then
    return imvo_fail('not_found', 'covenant', 'no covenant with this code')
end
if not c[3] then
    return imvo_fail('conflict', 'covenant', 'the sources give the ' .. a.covenant .. ' covenant no term')
end
if c[2] == 'ended' then
    return imvo_fail('conflict', 'covenant', 'the ' .. a.covenant .. ' covenant has ended already')
end
local t = cmsgpack.unpack(c[3])
local runs_out = imvo_term_runs_out(t, c[4])
local until_ = a.until_on
if a.decision == 'extended' then
    if until_ <= runs_out then
        return imvo_fail('invalid_argument', 'until', 'an extension ends after the term runs out (' .. runs_out .. ')')
    end
    redis.call('HSET', KEYS[2], 'term_until', until_)
else
    if until_ == '' then
        until_ = runs_out <= a.today and runs_out or a.today
    end
    if until_ > a.today then
        return imvo_fail('invalid_argument', 'until', 'record an end once it happened (today is ' .. a.today .. ')')
    end
    redis.call('HSET', KEYS[2], 'status', 'ended', 'ends_on', until_)
end
local decision = { decision = a.decision, ['until'] = until_, source = a.source, on = a.today, by = a.actor }
redis.call('HSET', KEYS[2], 'term_decision', cmsgpack.pack(decision))
redis.call('RPUSH', a.prefix .. ':term:history', cmsgpack.pack(decision))
imvo_emit(a.prefix .. ':events', 'covenant.term_recorded', 'membership',
          { covenant = a.covenant, decision = a.decision, ['until'] = until_, source = a.source })
t.runs_out_on = a.decision == 'extended' and until_ or runs_out
t.extended_until = a.decision == 'extended' and until_ or c[4]
t.state = a.decision
return imvo_commit({ covenant = a.covenant, decision = a.decision, ['until'] = until_, source = a.source,
                     status = a.decision == 'ended' and 'ended' or c[2], term = t })

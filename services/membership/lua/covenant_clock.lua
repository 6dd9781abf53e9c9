-- covenant_clock.lua: the term timer (membership_dates.c). Once a covenant's term has run out
-- (its end, or starts_on + years, or the end of the last extension recorded) and nothing was
-- recorded since, covenant.term_due is emitted, once per run-out date: the marker term_due_on
-- and the event are one step, so a restart or a second daemon does not raise it again.
-- KEYS[1] idempotency record (none: ':idem:-'), KEYS[2] the covenant hash; ARGV: [1] '0',
-- [2] key prefix, [3] today (the daemon's clock, YYYY-MM-DD), [4] covenant.
local c = redis.call('HMGET', KEYS[2], 'status', 'term', 'term_until', 'term_due_on')
if not c[2] or c[1] == 'ended' then
    return imvo_commit({ due = 0 })
end
local t = cmsgpack.unpack(c[2])
local runs_out = imvo_term_runs_out(t, c[3])
if ARGV[3] < runs_out or c[4] == runs_out then
    return imvo_commit({ due = 0 })
end
redis.call('HSET', KEYS[2], 'term_due_on', runs_out)
imvo_emit(ARGV[2] .. ':events', 'covenant.term_due', 'membership',
          { covenant = ARGV[4], runs_out_on = runs_out, starts_on = t.starts_on, years = t.years })
return imvo_commit({ due = 1 })

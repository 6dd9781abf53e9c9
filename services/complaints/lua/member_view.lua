-- member_view.lua: keeps complaints' own view of a covenant's members current from one of
-- membership's member.joined / member.left events, so that complaint.submit checks the
-- respondent inside its own script, without asking membership.
-- KEYS[1] imvo:complaints:{<covenant>}:members (hash org id -> kind of the current members),
-- KEYS[2] imvo:complaints:{<covenant>}:member_events (hash org id -> id of the last event
-- applied for it), KEYS[3] imvo:complaints:{<covenant>}:view (set once the view is built),
-- KEYS[4] imvo:complaints:{<covenant>}:view_at (the newest event id seen: complaint.submit
-- reads membership's events after it, imvo_view_newer);
-- KEYS[5] imvo:complaints:{<covenant>}:member_words (hash org id -> the case-folded
-- words of its name, separated by spaces: a case is found by its respondent's name);
-- ARGV[1] event id, ARGV[2] 'joined' or 'left', ARGV[3] org id, ARGV[4] org kind, ARGV[5] the
-- words of its name (joined).
-- An event older than the last one applied for the org changes nothing (a redelivery).
-- Returns 1 when applied, 0 when it was not newer.
local function older_or_same(a, b)
    local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
    local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
    ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
    return ams < bms or (ams == bms and aseq <= bseq)
end
local at = redis.call('GET', KEYS[4])
if not at or not older_or_same(ARGV[1], at) then
    redis.call('SET', KEYS[4], ARGV[1])
end
local last = redis.call('HGET', KEYS[2], ARGV[3])
if last and older_or_same(ARGV[1], last) then
    return 0
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
if ARGV[2] == 'joined' then
    redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
    redis.call('HSET', KEYS[5], ARGV[3], ARGV[5])
else
    redis.call('HDEL', KEYS[1], ARGV[3])
end
return 1

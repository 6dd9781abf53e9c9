-- member_view_build.lua: builds complaints' view of a covenant's members once, from a
-- member.list snapshot that complaints fetched from membership.
-- KEYS[1] members hash, KEYS[2] member_events hash, KEYS[3] view marker (see member_view.lua);
-- ARGV[1] '1' on the last page of the snapshot (the view is then built), '0' before; then
-- triples of org id, kind and the words of its name (KEYS[5], member_view.lua). Events win: an org that an event already spoke about keeps what the
-- event said, since the snapshot may be older than that event.
-- Returns the number of members written.
local n = 0
for i = 2, #ARGV, 3 do
    if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then
        redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
        redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 2])
        n = n + 1
    end
end
if ARGV[1] == '1' then
    redis.call('SET', KEYS[3], 'built')
end
return n

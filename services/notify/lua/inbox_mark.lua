-- inbox_mark.lua: marks items of one inbox read (ids that are not in the inbox are left out).
-- KEYS[1] :inbox, KEYS[2] :read; ARGV[1] now (ms), then the event ids. Returns how many were
-- newly marked.
local n = 0
for i = 2, #ARGV do
    if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
        n = n + redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[1])
    end
end
return n

-- complaint_catch_up_marks.lua: when the daemon starts, before a request is served, for a
-- covenant whose counters complaint_catch_up.lua found without a mark: one whose cases came
-- before the indexes were kept behind the submit gets its marks first, at its counters (those
-- cases are indexed); then its newest cases into the indexes (imvo_cases_index). Those cases
-- did not go into :claimant:<org> (that index came after them): each year marked here is also
-- put in :claimants_backfill at its counter, for imvo_claimants_backfill to look at its cases,
-- a budget a call, from here on (the marks script runs once; a covenant may have many cases).
-- Returns the number of cases still not indexed (the backfill goes on behind the reads). A WAIT follows it
-- (IMVO_REDIS_WAIT_REPLICAS): a mark lost in a failover would not be given again at its
-- counter's value of now (nor its year put in :claimants_backfill; what the backfill writes
-- after is made again from there, as the step's is).
-- KEYS[1] the covenant's :indexed; ARGV[1] key prefix imvo:complaints:{<covenant>}, ARGV[2] the
-- most cases to index in this call, ARGV[3] this year.
for year = 2000, tonumber(ARGV[3]) + 1 do
    local top = redis.call('GET', ARGV[1] .. ':seq:' .. year)
    if top and redis.call('HEXISTS', KEYS[1], year) == 0 then
        redis.call('HSET', KEYS[1], year, top)
        redis.call('HSET', ARGV[1] .. ':claimants_backfill', year, top)
    end
end
local left, budget = imvo_cases_index(ARGV[1], tonumber(ARGV[2]))
imvo_claimants_backfill(ARGV[1], budget)
return left

-- complaint_catch_up.lua: puts a covenant's newest cases into its case indexes (imvo_cases_index,
-- in the prelude), for the daemon's timer and for the reads made in C (complaint.export,
-- complaint.stats). Returns the number of cases still not indexed.
-- KEYS[1] the covenant's :indexed; ARGV[1] key prefix imvo:complaints:{<covenant>}, ARGV[2] the
-- most cases to index in this call, ARGV[3] '' or, once when the daemon starts, this year: a
-- covenant whose cases came before the indexes were kept behind the submit (its counters
-- without a mark in :indexed) gets its marks first, at its counters (those cases are indexed).
if ARGV[3] ~= '' then
    for year = 2000, tonumber(ARGV[3]) + 1 do
        local top = redis.call('GET', ARGV[1] .. ':seq:' .. year)
        if top and redis.call('HEXISTS', KEYS[1], year) == 0 then
            redis.call('HSET', KEYS[1], year, top)
        end
    end
end
return imvo_cases_index(ARGV[1], tonumber(ARGV[2]))

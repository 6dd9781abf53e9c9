-- complaint_catch_up.lua: puts a covenant's newest cases into its case indexes (imvo_cases_index,
-- in the prelude), for the daemon's timer and for the reads made in C (complaints_cases_ready:
-- complaint.list, complaint.open, the reads by receipt, complaint.export, complaint.stats).
-- Returns the number of cases still not indexed.
-- KEYS[1] the covenant's :indexed; ARGV[1] key prefix imvo:complaints:{<covenant>}, ARGV[2] the
-- most cases to index in this call, ARGV[3] (once when the daemon starts) this year: a covenant
-- whose cases came before the indexes were kept behind the submit has counters without a mark
-- in :indexed; then nothing is written and 'marks' is returned, for
-- complaint_catch_up_marks.lua to give them.
-- Its text past the prelude names no writing command, so no WAIT follows it
-- (IMVO_REDIS_WAIT_REPLICAS, imvo_redis_script_writes): what it writes is made again from the
-- cases after a failover (docs/CLUSTER.md), and a read (or the start) that waited for a
-- replica here answered unavailable while the replica was gone. The marks, which are not made
-- again, are complaint_catch_up_marks.lua's, which a WAIT follows.
if ARGV[3] then
    for year = 2000, tonumber(ARGV[3]) + 1 do
        if redis.call('EXISTS', ARGV[1] .. ':seq:' .. year) == 1 and redis.call('HEXISTS', KEYS[1], year) == 0 then
            return 'marks'
        end
    end
end
-- The backfill of an earlier version's disputes is not counted: a read waits for the cases
-- indexed, not for that (a covenant of 100,000 cases would answer no read for 100 s).
local left, budget = imvo_cases_index(ARGV[1], tonumber(ARGV[2]))
imvo_claimants_backfill(ARGV[1], budget)
return left

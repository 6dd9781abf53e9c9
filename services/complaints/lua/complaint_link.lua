-- complaint_link.lua: records on a case the companies that disclosed the place it names, once,
-- and emits complaint.linked naming them (notify informs each, without the complainant); the
-- case leaves the queue of cases to link (complaints_link_queue.c).
-- KEYS[1] idempotency record (none), KEYS[2] the case hash, KEYS[3] the queue (:to_link);
-- ARGV: [1] '0', [2] key prefix imvo:complaints:{<covenant>}, [3] packed [{org_id, covenant,
-- years}], [4] the case's entry in the queue, [5...] the org ids.
redis.call('ZREM', KEYS[3], ARGV[4])
local case = imvo_hash(KEYS[2])
if not case or case.linked then
    return imvo_commit({ linked = 0 })
end
redis.call('HSET', KEYS[2], 'linked', ARGV[3])
local companies = {}
for i = 5, #ARGV do
    table.insert(companies, ARGV[i])
end
imvo_emit(ARGV[2] .. ':events', 'complaint.linked', 'complaints',
          { case_id = case.case_id, covenant = case.covenant, location_id = cmsgpack.unpack(case.file).location_id,
            companies = companies })
return imvo_commit({ linked = #companies })

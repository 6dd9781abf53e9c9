-- document_put.lua: a document with a company's action plan (submission.attach); the daemon
-- checked its type against its bytes. At most ARGV[8] documents a plan; the plan must be there.
-- KEYS[1] idempotency record, KEYS[2] the plan's documents hash (doc id -> packed meta),
-- KEYS[3] the document's bytes; ARGV: [1] ttl, [2] key prefix, [3] org id, [4] year,
-- [5] doc id, [6] packed meta, [7] the bytes, [8] the most documents a plan has, [9] the most
-- documents a company keeps in the covenant, over all years (the hash :doc_count, org -> count:
-- a plan may be put for any year, so ten a plan alone bound nothing).
local replay = imvo_replay()
if replay then
    return replay
end
if redis.call('HEXISTS', ARGV[2] .. ':sub:' .. ARGV[4], ARGV[3]) == 0 then
    return imvo_fail('not_found', 'year', 'there is no action plan of ' .. ARGV[4] .. ' to attach a document to: submit the plan first')
end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[8]) then
    return imvo_fail('conflict', 'data', 'a plan has at most ' .. ARGV[8] .. ' documents')
end
local counted = ARGV[2] .. ':doc_count'
if tonumber(redis.call('HGET', counted, ARGV[3]) or '0') >= tonumber(ARGV[9]) then
    return imvo_fail('too_large', 'data', 'a company keeps at most ' .. ARGV[9] .. ' documents in a covenant')
end
redis.call('HINCRBY', counted, ARGV[3], 1)
redis.call('HSET', KEYS[2], ARGV[5], ARGV[6])
redis.call('SET', KEYS[3], ARGV[7])
local meta = cmsgpack.unpack(ARGV[6])
return imvo_commit({ doc_id = ARGV[5], name = meta.name, content_type = meta.content_type, size = meta.size })

-- complaint_attach.lua: an attachment, or a part of one (complaints_evidence.c), its bytes
-- already sealed by the daemon.
-- KEYS[1] idempotency record, KEYS[2] the case hash; ARGV[1] ttl, ARGV[2] by name:
-- prefix; step: 'whole' (a file in one call, or part 0 that is also the last), 'first' (part 0
-- of more), 'next' (a later part), 'stale' (a part already taken) or 'gone' (no such upload: both
-- only replay an earlier reply); upload (the upload's hex), attachment_id, part, last ('1'/'0');
-- name, content_type (of a new file); size (the file's bytes so far, this part's included);
-- digest (the SHA-256 in hex, once the file is whole); state (the sealed running hash, while it is not); from
-- ('complainant' or the role), by (who may go on with the upload), person; shared ('1', '0', or
-- '': the complaint's share_identity); now (ms); parts (a packed array of sealed parts);
-- file_max, case_max (bytes), files_max (attachments a case holds); ttl (seconds an upload lasts after its last part).
local replay = imvo_replay()
if replay then
    return replay
end
local a = imvo_named()
if a.step == 'stale' then
    return imvo_fail('conflict', 'part', 'part ' .. a.part .. ' of this upload was taken already: send the next one')
elseif a.step == 'gone' then
    return imvo_fail('not_found', 'upload', 'no such upload: it ended (an hour after its last part) or was finished')
end
local case = imvo_hash(KEYS[2])
if not case then
    return imvo_fail('not_found', 'case_id', 'no case with this id')
end
local ckey, cid, now = KEYS[2], case.case_id, tonumber(a.now)
local ukey = ckey .. ':upload:' .. a.upload
local pkey = ckey .. ':attachment:' .. a.attachment_id
-- Nothing of a refused upload stays.
local function refuse(code, field, message)
    if a.step == 'next' then
        redis.call('DEL', ukey, pkey)
    end
    return imvo_fail(code, field, message)
end
local closed = { inadmissible = true, decided = true, settled = true, withdrawn = true, closed = true }
if closed[case.status] then
    return refuse('conflict', 'case_id', 'the case is ' .. case.status .. ': it takes no more evidence')
end
local size, mib = tonumber(a.size), 1024 * 1024
if size > tonumber(a.file_max) then
    return refuse('too_large', 'data', string.format('a file holds at most %d MiB (%d bytes)',
                                                     tonumber(a.file_max) / mib, tonumber(a.file_max)))
end
local held = tonumber(case.attachment_bytes or '0')
if held + size > tonumber(a.case_max) then
    return refuse('too_large', 'data', string.format('a case holds at most %d MiB of attachments (%d bytes): it holds %d, '
                                                     .. 'and this file would make %d', tonumber(a.case_max) / mib,
                                                     tonumber(a.case_max), held, held + size))
end
if redis.call('HLEN', ckey .. ':attachments') >= tonumber(a.files_max) then
    return refuse('too_large', 'data', 'a case holds at most ' .. a.files_max .. ' attachments')
end
local file = {}
if a.step == 'next' then
    local u = imvo_hash(ukey)
    if not u or tonumber(u.next) ~= tonumber(a.part) then
        return imvo_fail('conflict', 'part', 'part ' .. a.part .. ' does not come next in this upload')
    end
    file = { name = u.name, content_type = u.content_type, from = u.from, person = u.person, shared = u.shared }
else
    file = { name = a.name, content_type = a.content_type, from = a.from, person = a.person, shared = a.shared }
end
for _, part in ipairs(cmsgpack.unpack(a.parts)) do
    redis.call('RPUSH', pkey, part)
end
if a.last ~= '1' then
    if a.step == 'first' then
        redis.call('HSET', ukey, 'attachment_id', a.attachment_id, 'name', a.name, 'content_type', a.content_type,
                   'from', a.from, 'by', a.by, 'person', a.person, 'shared', a.shared)
    end
    redis.call('HSET', ukey, 'next', tonumber(a.part) + 1, 'size', size, 'state', a.state)
    redis.call('EXPIRE', ukey, tonumber(a.ttl))
    redis.call('EXPIRE', pkey, tonumber(a.ttl))
    return imvo_commit({ upload = cid .. '.' .. a.upload })
end
if size == 0 then
    return refuse('invalid_argument', 'data', 'the file is empty')
end
-- Whole: the complainant's evidence is the company's to see when she shares it.
local shared = file.shared == '1'
if file.shared == '' then
    local ok, f = pcall(cmsgpack.unpack, case.file or '')
    shared = ok and type(f) == 'table' and type(f.complainant) == 'table' and f.complainant.share_identity == true
             and not f.complainant.anonymous
end
redis.call('PERSIST', pkey)
redis.call('DEL', ukey)
local meta = { attachment_id = a.attachment_id, name = file.name, content_type = file.content_type, size = size,
               sha256 = a.digest, at = now, from = file.from, shared = shared,
               person = (file.person or '') ~= '' and file.person or nil, parts = redis.call('LLEN', pkey) }
redis.call('HSET', ckey .. ':attachments', a.attachment_id, cmsgpack.pack(meta))
redis.call('HINCRBY', ckey, 'attachment_bytes', size)
redis.call('HSET', ckey, 'updated_at', now)
return imvo_commit({ attachment_id = a.attachment_id, sha256 = a.digest, size = size })

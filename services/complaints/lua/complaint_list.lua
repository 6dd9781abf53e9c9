-- complaint_list.lua: one page of a covenant's cases, newest first, filtered, with a bounded read.
-- KEYS[1] the covenant's cases zset, KEYS[2] its :late zset (cases with a deadline passed),
-- KEYS[3...] the index sets a case must be in: :status:<status> first when ARGV[3] names a
-- status, then :respondent:<org>, :assigned:<person>, :word:<w> for each word of q. Every
-- one of them is scored by received_at (imvo_cases_index, in which complaint.list puts the newest
-- cases first: complaints_cases_ready, and
-- complaint_transition.lua, complaint_assign.lua, complaint_deadlines.lua and, for a
-- covenant's older cases, complaint_index.lua; the words are complaints_word_index.c's, which
-- complaint.list brings up to date before it runs this).
-- ARGV[1] key prefix imvo:complaints:{<covenant>}, ARGV[2] limit, ARGV[3] status ('' for any),
-- ARGV[4] and ARGV[5] the cursor: received_at and case id of the last case of the previous
-- page ('' for the first page), ARGV[6] the most cases to read in this call, ARGV[7] overdue
-- ('' any, '1' only late cases, '0' only the others), ARGV[8] a case id to show alone ('' none).
-- The smallest of the sets leads: its cases are read newest first and each is checked
-- against the others (ZSCORE), so a word search costs what the rarest word's cases cost, and
-- at most ARGV[6] cases are read in one call: the page may then be short, and the frontier
-- says where the next call goes on.
-- Returns packed {cases = [...], frontier = "<received_at>:<case_id>"}: frontier is the last
-- case read (nil when the list ended).
local p, limit, max_read = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[6])
local fields = { 'case_id', 'covenant', 'respondent', 'summary', 'status', 'received_at', 'updated_at', 'assigned' }
local function row(id)
    local c = redis.call('HMGET', p .. ':case:' .. id, unpack(fields))
    if not c[1] then
        return nil, c
    end
    return { case_id = c[1], covenant = c[2], respondent = c[3], summary = c[4], status = c[5],
             received_at = tonumber(c[6]), updated_at = tonumber(c[7]),
             assigned = (c[8] or '') ~= '' and c[8] or nil,
             overdue = redis.call('ZSCORE', KEYS[2], id) ~= false }, c
end
if ARGV[8] ~= '' then
    local one = row(ARGV[8])
    return cmsgpack.pack({ cases = { one } })
end
local indexed = redis.call('EXISTS', p .. ':index_version') == 1
local status_key = ARGV[3] ~= '' and 3 or nil
local sets = {}
for i = 3, #KEYS do
    sets[#sets + 1] = KEYS[i]
end
if ARGV[7] == '1' then
    sets[#sets + 1] = KEYS[2]
end
local scan_status
if not indexed then
    -- A covenant whose indexes complaints is still building (complaint_index.lua): the status
    -- filter reads each case as before; the other filters wait for the indexes.
    if #sets > (status_key and 1 or 0) or ARGV[7] ~= '' then
        return imvo_fail('unavailable', 'covenant', 'the case indexes of this covenant are being built; try again shortly')
    end
    scan_status = ARGV[3] ~= '' and ARGV[3] or nil
    sets = {}
end
local lead, lead_n = KEYS[1], nil
for i, key in ipairs(sets) do
    local n = redis.call('ZCARD', key)
    if n == 0 then
        return cmsgpack.pack({ cases = {} })
    end
    if not lead_n or n < lead_n then
        lead, lead_n = key, n
    end
end
local top = ARGV[4] ~= '' and ARGV[4] or '+inf'
-- When every case the lead set gives is shown (no other set, no overdue or status test), a
-- batch need hold no more than the page lacks (and one for a tie with the cursor's case).
local every = #sets <= 1 and ARGV[7] ~= '0' and not scan_status
local after_score, after_id = tonumber(ARGV[4]), ARGV[5]
local out, read, offset, ended = {}, 0, 0, false
local frontier
while #out < limit and read < max_read do
    local want = every and math.min(200, limit - #out + 1) or 200
    local batch = redis.call('ZREVRANGEBYSCORE', lead, top, '-inf', 'WITHSCORES', 'LIMIT', offset, want)
    if #batch == 0 then
        ended = true
        break
    end
    offset = offset + #batch / 2
    for i = 1, #batch, 2 do
        local id, score = batch[i], batch[i + 1]
        -- The previous page ended at (after_score, after_id): ties come in descending id order.
        if not (after_score and tonumber(score) == after_score and id >= after_id) then
            read = read + 1
            frontier = score .. ':' .. id
            local ok = true
            for _, key in ipairs(sets) do
                if ok and key ~= lead then
                    ok = redis.call('ZSCORE', key, id) ~= false
                end
            end
            if ok and ARGV[7] == '0' then
                ok = redis.call('ZSCORE', KEYS[2], id) == false
            end
            if ok then
                local r = row(id)
                if r and (not scan_status or r.status == scan_status) then
                    out[#out + 1] = r
                end
            end
            if #out >= limit or read >= max_read then
                break
            end
        end
    end
end
if ended then
    frontier = nil
end
return cmsgpack.pack({ cases = out, frontier = frontier })

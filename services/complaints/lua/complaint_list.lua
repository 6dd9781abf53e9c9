-- complaint_list.lua: one page of a covenant's cases, newest first, with a bounded read.
-- KEYS[1] the covenant's cases zset (score: received_at); ARGV[1] key prefix
-- imvo:complaints:{<covenant>}, ARGV[2] limit, ARGV[3] status filter ('' for all), ARGV[4]
-- and ARGV[5] the cursor: received_at and case id of the last case of the previous page (''
-- for the first page), ARGV[6] the most cases to read in this call.
-- Returns packed {cases = [...], frontier = "<received_at>:<case_id>"}: frontier is the last
-- case read (nil when the list ended): the next page starts below it. With a status filter a
-- call reads at most ARGV[6] cases, so it never holds Redis for long; the page may then be
-- short, and the frontier says where to go on.
local limit, max_read = tonumber(ARGV[2]), tonumber(ARGV[6])
local top = ARGV[4] ~= '' and ARGV[4] or '+inf'
local after_score, after_id = tonumber(ARGV[4]), ARGV[5]
local out, read, offset, ended = {}, 0, 0, false
local frontier
while #out < limit and read < max_read do
    local batch = redis.call('ZREVRANGEBYSCORE', KEYS[1], top, '-inf', 'WITHSCORES', 'LIMIT', offset, 200)
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
            local c = redis.call('HMGET', ARGV[1] .. ':case:' .. id, 'case_id', 'covenant', 'respondent',
                                 'summary', 'status', 'received_at', 'updated_at')
            if ARGV[3] == '' or c[5] == ARGV[3] then
                out[#out + 1] = { case_id = c[1], covenant = c[2], respondent = c[3], summary = c[4],
                                  status = c[5], received_at = tonumber(c[6]), updated_at = tonumber(c[7]) }
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

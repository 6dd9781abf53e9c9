-- complaint_index.lua: puts a step of a covenant's older cases (filed before complaints kept
-- indexes) into the indexes complaint.list filters by, a bounded step a call
-- (complaints_index.c reads the cases, makes their words in C and calls this):
-- :status:<status>, :assigned:<person>, :late, :word:<w> (the words of the summary and
-- description, and of the respondent's name from :member_words), each scored by received_at.
-- The status, the assignment and lateness are read here, at the moment of writing, so a move
-- made while the indexes are built is not undone. ARGV[2] '1' on the last step sets
-- :index_version, from when complaint.list uses the indexes.
-- KEYS[1] the covenant's :index_build (the rank of the next case to index); ARGV[1] key
-- prefix imvo:complaints:{<covenant>}, ARGV[2] '1' on the last step, ARGV[3] the rank after
-- this step, then pairs of case id and the packed words of its summary and description.
local p = ARGV[1]
for i = 4, #ARGV, 2 do
    local id = ARGV[i]
    local c = redis.call('HMGET', p .. ':case:' .. id, 'status', 'received_at', 'assigned', 'respondent', 'deadlines')
    if c[1] and c[2] then
        local at = c[2]
        redis.call('ZADD', p .. ':status:' .. c[1], at, id)
        if (c[3] or '') ~= '' then
            redis.call('ZADD', p .. ':assigned:' .. c[3], at, id)
        end
        for name in pairs(c[5] and cmsgpack.unpack(c[5]) or {}) do
            if redis.call('ZSCORE', p .. ':overdue', id .. '|' .. name) then
                redis.call('ZADD', p .. ':late', at, id)
            end
        end
        local words = cmsgpack.unpack(ARGV[i + 1])
        local named = (c[4] or '') ~= '' and redis.call('HGET', p .. ':member_words', c[4])
        for w in string.gmatch(named or '', '%S+') do
            table.insert(words, w)
        end
        for _, w in ipairs(words) do
            redis.call('ZADD', p .. ':word:' .. w, at, id)
        end
    end
end
redis.call('SET', KEYS[1], ARGV[3])
if ARGV[2] == '1' then
    redis.call('SET', p .. ':index_version', '1')
    redis.call('DEL', KEYS[1])
end
return (#ARGV - 3) / 2

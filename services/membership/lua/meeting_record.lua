-- meeting_record.lua: a general meeting of a covenant: who attended, and the parties' votes.
-- Rules from the seeds (004_31f1f365db175f2f.txt): a party "woont de algemene vergaderingen
-- van het convenant bij"; "Als steunbetuiger heeft u geen stem in de besluitvorming." So an
-- attendee is a current member, and a vote counts only from a party (membership's votes
-- flag); a supporter's or expert's vote is refused, naming the field. One vote per member
-- and motion. The same covenant and date again corrects the record.
-- KEYS[1] idempotency record, KEYS[2] the meetings hash (date -> packed meeting); ARGV:
-- [1] ttl, [2] key prefix, [3] covenant, [4] date, [5] packed attendees, [6] packed votes,
-- [7] source ('' none), [8] by.
local p, err = imvo_covenant_to_change()
if not p then
    return err
end
local function member(org)
    local m = redis.call('HMGET', p .. ':member:' .. org, 'status', 'role', 'votes')
    if m[1] ~= 'active' then
        return nil
    end
    return { role = m[2], votes = m[3] == '1' }
end
local attendees = cmsgpack.unpack(ARGV[5])
local present = {}
for i, org in ipairs(attendees) do
    if not member(org) then
        return imvo_fail('invalid_argument', 'attendees.' .. (i - 1), org .. ' is not a current member of ' .. ARGV[3])
    end
    if present[org] then
        return imvo_fail('invalid_argument', 'attendees.' .. (i - 1), org .. ' is named twice')
    end
    present[org] = true
end
local votes = cmsgpack.unpack(ARGV[6])
local tallies = {}
for i, v in ipairs(votes) do
    local seen = {}
    local tally = { motion = v.motion }
    for _, side in ipairs({ 'for', 'against', 'abstain' }) do
        local list = v[side] or {}
        tally[side] = #list
        for k, org in ipairs(list) do
            local field = 'votes.' .. (i - 1) .. '.' .. side .. '.' .. (k - 1)
            local m = member(org)
            if not m then
                return imvo_fail('invalid_argument', field, org .. ' is not a current member of ' .. ARGV[3])
            end
            if not m.votes then
                return imvo_fail('invalid_argument', field, org .. ' is a ' .. m.role .. ' of ' .. ARGV[3] ..
                                 ': only parties vote (Als steunbetuiger heeft u geen stem in de besluitvorming.)')
            end
            if not present[org] then
                return imvo_fail('invalid_argument', field, org .. ' did not attend the meeting')
            end
            if seen[org] then
                return imvo_fail('invalid_argument', field, org .. ' voted twice on this motion')
            end
            seen[org] = true
        end
    end
    tally.carried = tally['for'] > tally.against
    tallies[i] = tally
end
local now = imvo_now_ms()
local meeting = { covenant = ARGV[3], meeting_id = ARGV[3] .. '-' .. ARGV[4], date = ARGV[4],
                  attendees = attendees, votes = votes, results = tallies,
                  source = ARGV[7] ~= '' and ARGV[7] or nil, recorded_at = now, by = ARGV[8] }
local packed = cmsgpack.pack(meeting)
redis.call('HSET', KEYS[2], ARGV[4], packed)
return imvo_commit_packed(packed)

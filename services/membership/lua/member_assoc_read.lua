-- member_assoc_read.lua: the member companies the covenant's trade associations list
-- (member.associated), packed: {companies = [{org_id, name, association, association_name, since}]}
-- (since: the association's signing date, from which the rounds count the company's years)
-- sorted by association, then company. O(members + listed companies): a covenant has tens of
-- parties and an association's list a few thousand companies at most.
-- KEYS[1] the current members set; ARGV[1] key prefix, ARGV[2] 'list', ARGV[3] one association
-- ('' for all).
local out = {}
local orgs = ARGV[3] ~= '' and { ARGV[3] } or redis.call('SMEMBERS', KEYS[1])
table.sort(orgs)
for _, org in ipairs(orgs) do
    local m = redis.call('HMGET', ARGV[1] .. ':member:' .. org, 'status', 'name', 'companies', 'since')
    if m[1] == 'active' and m[3] then
        for _, c in ipairs(cmsgpack.unpack(m[3])) do
            table.insert(out, { org_id = c.org_id, name = c.name, association = org, association_name = m[2],
                                  since = m[4] })
        end
    end
end
return cmsgpack.pack({ covenant = string.match(ARGV[1], '{(.*)}'), companies = out })

-- complaint_get.lua: a case with its history, packed, as one consistent read.
-- KEYS[1] the case hash; ARGV[1] view: 'full' (secretariat, committee) or 'company:<org>'
-- (the respondent: no complainant identity unless the complainant agreed to share it).
local c = redis.call('HGETALL', KEYS[1])
if #c == 0 then
    return imvo_fail('not_found', 'case_id', 'no case with this id')
end
local case = {}
for i = 1, #c, 2 do
    case[c[i]] = c[i + 1]
end
local company = string.match(ARGV[1], '^company:(.*)$')
if company and company ~= case.respondent then
    return imvo_fail('forbidden', 'case_id', 'a company sees only the cases against itself')
end
local out = {
    case_id = case.case_id, covenant = case.covenant, respondent = case.respondent,
    summary = case.summary, description = case.description, status = case.status,
    received_at = tonumber(case.received_at), updated_at = tonumber(case.updated_at),
    country = case.country, location_id = case.location_id,
}
local anonymous = case.anonymous == '1'
local complainant = { anonymous = anonymous }
-- An anonymous complainant may leave a contact for the secretariat; the company never sees it.
if not company or (case.share_identity == '1' and not anonymous) then
    complainant.name = case.name
    complainant.contact = case.contact
    complainant.kind = case.complainant_kind
end
out.complainant = complainant
out.history = case.history and cmsgpack.unpack(case.history) or {}
return cmsgpack.pack(out)

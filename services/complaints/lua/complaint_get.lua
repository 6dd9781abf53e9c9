-- complaint_get.lua: a case with its history, packed, as one consistent read.
-- KEYS[1] the case hash; ARGV[1] view: 'full' (secretariat, committee) or 'company:<org>'
-- (the respondent: no complainant identity unless the complainant agreed to share it).
local case = imvo_hash(KEYS[1])
if not case then
    return imvo_fail('not_found', 'case_id', 'no case with this id')
end
local company = string.match(ARGV[1], '^company:(.*)$')
if company and company ~= case.respondent then
    return imvo_fail('forbidden', 'case_id', 'a company sees only the cases against itself')
end
local file = cmsgpack.unpack(case.file)
local out = {
    case_id = case.case_id, covenant = case.covenant, respondent = case.respondent,
    summary = case.summary, description = file.description, status = case.status,
    received_at = tonumber(case.received_at), updated_at = tonumber(case.updated_at),
    country = file.country, location_id = file.location_id,
}
local filed = file.complainant
local complainant = { anonymous = filed.anonymous }
-- An anonymous complainant may leave a contact for the secretariat; the company never sees it.
if not company or (filed.share_identity and not filed.anonymous) then
    complainant.name = filed.name
    complainant.contact = filed.contact
    complainant.kind = filed.kind
end
out.complainant = complainant
out.history = case.history and cmsgpack.unpack(case.history) or {}
return cmsgpack.pack(out)

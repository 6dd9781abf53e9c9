-- complaint_get.lua: a case with its history, packed, as one consistent read.
-- KEYS[1] the case hash; ARGV[1] view: 'full' (secretariat, committee) or 'company:<org>'
-- (the respondent: no complainant identity unless the complainant agreed to share it); ARGV[2]
-- now (ms, the daemon's clock); ARGV[3] who reads ('<role>:<org>', and ':<person>' when a
-- gateway spoke for a person); ARGV[4] '1' when staff asked for the complainant's identity
-- (complaint.get's identity: true). Staff see the name and the contact only then: each such
-- read is logged on the case (:access, the newest 1000) and shown to staff (identity_reads);
-- otherwise they see identity_hidden. Staff also see the assignment and the internal notes
-- (the newest 200, oldest first), which a company never does.
local case = imvo_hash(KEYS[1])
if not case then
    return imvo_fail('not_found', 'case_id', 'no case with this id')
end
local company = string.match(ARGV[1], '^company:(.*)$')
-- Beside the respondent, a dispute's claimant party and the trade association a respondent is
-- reached through see the case as the respondent does (complaint_submit.lua): the association
-- while it still lists the company (membership's {<covenant>}:associated, the case's slot).
local function listed_by(org)
    return org == case.association
       and redis.call('HGET', 'imvo:membership:{' .. case.covenant .. '}:associated', case.respondent) == org
end
if company and company ~= case.respondent and company ~= case.claimant_org and not listed_by(company) then
    return imvo_fail('forbidden', 'case_id', 'a company sees only the cases against itself')
end
local file = cmsgpack.unpack(case.file)
local out = {
    case_id = case.case_id, covenant = case.covenant, respondent = case.respondent,
    summary = case.summary, description = file.description, status = case.status,
    lang = case.lang or 'nl',       -- the language she wrote in (before complaints kept it: nl)
    received_at = tonumber(case.received_at), updated_at = tonumber(case.updated_at),
    country = file.country, location_id = file.location_id,
}
local filed = file.complainant
local complainant = { anonymous = filed.anonymous }
-- The name and the contact: sealed under the data key (complaints_identity.c opens them, with
-- the receipt's hash they are bound to), or in plain in a case filed before they were.
local function reveal()
    if filed.sealed then
        complainant.sealed = filed.sealed
        complainant.sealed_for = case.receipt_hash
    else
        complainant.name = filed.name
        complainant.contact = filed.contact
    end
end
-- An anonymous complainant may leave a contact for the secretariat; the company never sees it.
local identity = ARGV[4] == '1'
-- She let the company see who complains (share_identity): the respondent, or in a dispute the
-- claimant party that filed it; never the trade association a respondent is reached through.
local shared_with = company and (company == case.respondent or company == case.claimant_org)
if company and shared_with and filed.share_identity and not filed.anonymous then
    reveal()
    complainant.kind = filed.kind
elseif not company then
    complainant.kind = filed.kind
    if identity then
        reveal()
    elseif filed.sealed or filed.name or filed.contact then
        complainant.identity_hidden = true
    end
end
out.complainant = complainant
-- A dispute (kind, claimant_org, each side's response: complaint_note.lua); the association.
out.kind = case.kind
out.claimant_org = case.claimant_org
out.association = case.association
if case.kind == 'dispute' then
    local responses = {}
    for _, side in ipairs({ 'claimant', 'respondent' }) do
        if case['responded_' .. side] then
            table.insert(responses, { side = side, at = tonumber(case['responded_' .. side]) })
        end
    end
    out.responses = responses
end
out.history = case.history and cmsgpack.unpack(case.history) or {}
out.outcome = case.outcome
out.decision = case.decision
out.decided_at = case.decided_at and tonumber(case.decided_at) or nil
-- The committee's public statement (complaint.publish), as the public reads it.
out.statement = case.statement
out.published_at = case.published_at and tonumber(case.published_at) or nil
-- The open deadlines, each with what is left (negative: overdue).
local deadlines, now = {}, tonumber(ARGV[2])
for name, due in pairs(case.deadlines and cmsgpack.unpack(case.deadlines) or {}) do
    table.insert(deadlines, { deadline = name, due_at = due, left_s = math.floor((due - now) / 1000) })
end
table.sort(deadlines, function(a, b) return a.due_at < b.due_at end)
out.deadlines = deadlines
if not company then
    -- The companies that disclosed the place the complaint names (complaint_link.lua).
    out.linked = case.linked and cmsgpack.unpack(case.linked) or nil
    -- A place not on the published lists, as the complainant named it, for staff to match.
    out.place = file.place
    if identity then
        redis.call('LPUSH', KEYS[1] .. ':access', cmsgpack.pack({ at = now, by = ARGV[3] }))
        redis.call('LTRIM', KEYS[1] .. ':access', 0, 999)
    end
    if (case.assigned or '') ~= '' then
        out.assigned = { person = case.assigned, by = case.assigned_by, at = tonumber(case.assigned_at),
                         by_person = (case.assigned_by_person or '') ~= '' and case.assigned_by_person or nil }
    end
    local notes = {}
    for _, n in ipairs(redis.call('LRANGE', KEYS[1] .. ':notes', -200, -1)) do
        table.insert(notes, cmsgpack.unpack(n))
    end
    out.notes = notes
    local access = {}
    for _, a in ipairs(redis.call('LRANGE', KEYS[1] .. ':access', 0, 99)) do
        table.insert(access, cmsgpack.unpack(a))
    end
    out.identity_reads = access
    -- The secretariat's translations (complaint.translate), beside the original, by language;
    -- staff only: never the company's (nor the complainant's, whose view is complaint.status).
    local translations = {}
    local t = redis.call('HGETALL', KEYS[1] .. ':translations')
    for i = 2, #t, 2 do
        table.insert(translations, cmsgpack.unpack(t[i]))
    end
    table.sort(translations, function(x, y) return x.lang < y.lang end)
    if #translations > 0 then
        out.translations = translations
    end
end
-- The attachments (complaint.attach, complaints_evidence.c) the reader may see: staff every
-- one, the respondent company those the complainant shared (as complaint.attachment gives
-- them: not the association); oldest first.
local attachments = {}
for _, packed in ipairs(redis.call('HVALS', KEYS[1] .. ':attachments')) do
    local m = cmsgpack.unpack(packed)
    if not company or (m.shared and company == case.respondent) then
        table.insert(attachments, { attachment_id = m.attachment_id, name = m.name, content_type = m.content_type,
                                    size = m.size, sha256 = m.sha256, at = m.at, from = m.from, shared = m.shared })
    end
end
table.sort(attachments, function(x, y)
    if x.at ~= y.at then
        return x.at < y.at
    end
    return x.attachment_id < y.attachment_id
end)
out.attachments = attachments
return cmsgpack.pack(out)

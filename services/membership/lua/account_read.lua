-- account_read.lua: the accounts (account.list), each with its public fields only (admin: a
-- company's administrator): never the
-- password hash, the TOTP secret or the enrollment token's hash.
-- KEYS[1] imvo:membership:{accounts}:all; ARGV: [1] prefix imvo:membership:{accounts},
-- [2] 'list', [3] only this org ('' for all).
local names = redis.call('SMEMBERS', KEYS[1])
table.sort(names)
local out = {}
for _, u in ipairs(names) do
    local v = redis.call('HMGET', ARGV[1] .. ':account:' .. u, 'username', 'name', 'email', 'role', 'org', 'lang',
                         'status', 'admin')
    if v[1] and (ARGV[3] == '' or v[5] == ARGV[3]) then
        table.insert(out, { username = v[1], name = v[2], email = v[3], role = v[4], org = v[5], lang = v[6],
                            status = v[7], admin = v[8] == '1' })
    end
end
return cmsgpack.pack({ accounts = out })

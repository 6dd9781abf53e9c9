#!/usr/bin/env bash
# Makes the Redis users of a system from deploy/redis/users.acl, in DIR, unless they exist:
#   DIR/<name>.pass   a password per user (default: the operator's; membership, complaints,
#                     scoring, notify: the daemons'), made once
#   DIR/users.acl     the ACL file for redis-server --aclfile: the rules with each password's
#                     SHA-256 (#...), never the password itself
#   DIR/<user>.env    IMVO_REDIS_URL=redis://<user>:<password>@HOST/0 for that daemon (and
#                     intake.env for the portal, which only queues complaints)
# Usage: deploy/make-redis-users.sh DIR HOST:PORT   (e.g. .run/redis-users 127.0.0.1:6379,
# deploy/certs/redis redis:6379). IMVO_CERT_UID: owner of the files, when run as root.
set -euo pipefail
dir=$1
host=$2
acls=("$(dirname "$0")/redis/users.acl" "$(dirname "$0")/redis/intake.acl")
mkdir -p "$dir"
pass() {
  [ -s "$dir/$1.pass" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/$1.pass")
  cat "$dir/$1.pass"
}
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
{
  echo "user default on #$(sha "$(pass default)") ~* &* +@all"
  grep -h '^user ' "${acls[@]}" | while read -r _ name rules; do
    echo "user $name $rules #$(sha "$(pass "$name")")"
    (umask 077; echo "IMVO_REDIS_URL=redis://$name:$(pass "$name")@$host/0" > "$dir/$name.env")
  done
} > "$dir/users.acl.new"
mv "$dir/users.acl.new" "$dir/users.acl"
chmod 644 "$dir/users.acl"
chmod 755 "$dir"
if [ -n "${IMVO_CERT_UID:-}" ]; then
  chown -R "$IMVO_CERT_UID" "$dir"
fi

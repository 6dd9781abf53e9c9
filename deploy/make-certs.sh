#!/usr/bin/env bash
# Makes the CURVE certificates a system needs, in DIR (default deploy/certs), unless they exist:
#   DIR/daemon.txt_secret   the daemons' own (role service): IMVO_CERT of every daemon
#   DIR/daemon.txt          its public part: IMVO_SERVER_CERT of every client
#   DIR/admin.txt_secret    an administrator's (role secretariat), for imvoctl --cert
#   DIR/portal.txt_secret   the web portal's (role gateway: it speaks for the person signed in
#                           to its staff console, and limits its public visitors itself)
#   DIR/clients/            the public certificates let in (IMVO_CERT_DIR): daemon, admin
#   DIR/receipt.key         complaints' key for the receipts' hashes (IMVO_RECEIPT_KEY_FILE)
#   DIR/data.key            complaints' key for the complainant's data at rest (IMVO_DATA_KEY_FILE,
#                           0600; docs/SECURITY.md: keep a copy apart, nothing opens without it)
#   DIR/data.pub            its public half, which the portal seals complainants to
#                           (IMVO_DATA_PUBLIC_KEY_FILE)
# Add a client: imvoctl cert new --role company --org org-7 --out DIR2, then copy
# DIR2/company-org-7.txt into DIR/clients (the daemons see it without a restart).
#   IMVOCTL   the imvoctl to use (default build/services/imvoctl/imvoctl)
#   IMVO_CERT_UID   owner of the files (e.g. 10001, the containers' user), when run as root
set -euo pipefail
dir=${1:-deploy/certs}
ctl=${IMVOCTL:-build/services/imvoctl/imvoctl}
# The data key, made once (also beside certificates made before it existed): never replaced,
# the complainants' identities are sealed under it.
data_key() {
  [ -s "$dir/data.key" ] && [ -s "$dir/data.pub" ] && return 0
  [ -s "$dir/data.key" ] || (umask 077; "$ctl" key new "$dir/data.key")
  "$ctl" key public "$dir/data.key" > "$dir/data.pub.new"
  mv "$dir/data.pub.new" "$dir/data.pub"
  chmod 600 "$dir/data.key"
  chmod 644 "$dir/data.pub"
  [ -z "${IMVO_CERT_UID:-}" ] || chown "$IMVO_CERT_UID" "$dir/data.key" "$dir/data.pub"
  echo "the data key made in $dir/data.key (its public half: $dir/data.pub)"
}
if [ -s "$dir/daemon.txt_secret" ] && [ -s "$dir/admin.txt_secret" ] && [ -s "$dir/portal.txt_secret" ] \
   && [ -d "$dir/clients" ] && [ -s "$dir/receipt.key" ]; then
  # Certificates made before the portal's became a gateway's: a new one for the portal alone.
  if ! grep -q 'role = "gateway"' "$dir/portal.txt"; then
    rm -f "$dir/portal.txt" "$dir/portal.txt_secret" "$dir/clients/portal.txt"
    (umask 077; "$ctl" cert new --role gateway --out "$dir" --name portal >/dev/null)
    cp "$dir/portal.txt" "$dir/clients/"
    chmod 644 "$dir/portal.txt" "$dir/clients/portal.txt"
    [ -z "${IMVO_CERT_UID:-}" ] || chown "$IMVO_CERT_UID" "$dir"/portal.txt* "$dir/clients/portal.txt"
    echo "the portal's certificate in $dir is now of role gateway"
  fi
  data_key
  exit 0
fi
rm -rf "$dir/clients" "$dir"/*.txt "$dir"/*.txt_secret "$dir/receipt.key"
umask 077
"$ctl" cert new --role service --out "$dir" --name daemon >/dev/null
"$ctl" cert new --role secretariat --out "$dir" --name admin >/dev/null
"$ctl" cert new --role gateway --out "$dir" --name portal >/dev/null
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/receipt.key"
mkdir -p "$dir/clients"
cp "$dir/daemon.txt" "$dir/admin.txt" "$dir/portal.txt" "$dir/clients/"
chmod 755 "$dir" "$dir/clients"
chmod 644 "$dir"/*.txt "$dir"/clients/*.txt
if [ -n "${IMVO_CERT_UID:-}" ]; then
  chown -R "$IMVO_CERT_UID" "$dir"
fi
data_key
echo "certificates made in $dir (clients allowed in: $dir/clients)"

#!/usr/bin/env bash
# Runs the system on this machine: installs missing Debian packages, builds, starts an
# embedded redis-server (AOF on, appendfsync always, data in ./.run/redis, a generated
# password) and the four daemons, loads the demo data (the gold covenant's signatories; skip
# it with --no-demo), makes the first secretariat account (once) and prints how to enroll it,
# prints commands to try, and stays up until Ctrl-C, which stops them all.
#   IMVO_REDIS_PORT   Redis's port (6379); the daemons keep their default ports
#   IMVO_BUILD_DIR    use this build directory as it is built (tests), instead of building ./build
#   IMVO_RUN_DIR      where Redis's data, its password, the certificates and the logs go (./.run)
# CURVE is on: certificates are made in $IMVO_RUN_DIR/certs on the first start. A company's:
#   imvoctl cert new --role company --org org-7 --out DIR, then copy DIR/company-org-7.txt
#   into .run/certs/clients; that company uses imvoctl --cert DIR/company-org-7.txt_secret.
set -euo pipefail
cd "$(dirname "$0")"
demo=1
for arg in "$@"; do
  case "$arg" in
    --no-demo) demo=0 ;;
    --demo) demo=1 ;;
    *) echo "usage: $0 [--no-demo]" >&2; exit 2 ;;
  esac
done
deploy/install-deps.sh run
build=${IMVO_BUILD_DIR:-build}
# (A test's build dir is left alone: other tests run its programs while this one runs.)
if [ -z "${IMVO_BUILD_DIR:-}" ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j"$(nproc)"
fi
ctl="$build/services/imvoctl/imvoctl"

port=${IMVO_REDIS_PORT:-6379}
run=${IMVO_RUN_DIR:-$PWD/.run}
mkdir -p "$run/redis" "$run/logs"
if (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "run.sh: port $port is busy (another Redis?); set IMVO_REDIS_PORT to a free port" >&2
  exit 1
fi

# Each daemon connects as its own Redis user (deploy/redis/users.acl) with a password made on
# the first start; the default user is the operator's ($run/redis-users/default.pass).
deploy/make-redis-users.sh "$run/redis-users" "127.0.0.1:$port"
pass=$(cat "$run/redis-users/default.pass")

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]:1}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]:1}"; do wait "$pid" 2>/dev/null || true; done
  redis-cli -p "$port" -a "$pass" --no-auth-warning shutdown >/dev/null 2>&1 || kill "${pids[0]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "stopped"
  exit 0
}
trap stop INT TERM EXIT

redis-server --port "$port" --bind 127.0.0.1 --dir "$run/redis" --appendonly yes \
  --appendfsync always --save '' --aclfile "$run/redis-users/users.acl" > "$run/logs/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  redis-cli -p "$port" -a "$pass" --no-auth-warning ping >/dev/null 2>&1 && break
  sleep 0.1
done

# CURVE on: the daemons' certificate (role service) and the administrator's (secretariat) are
# made on the first start; imvoctl finds them in $run/certs by itself.
certs="$run/certs"
IMVOCTL="$ctl" deploy/make-certs.sh "$certs"
export IMVO_REDIS_URL="redis://:$pass@127.0.0.1:$port/0"
export IMVO_RUN_DIR="$run" IMVO_SERVER_CERT="$certs/daemon.txt" IMVO_CERT="$certs/admin.txt_secret"
for svc in membership complaints scoring notify; do
  # complaints alone holds the data key (the complainant's name, contact and files at rest).
  data=()
  [ "$svc" != complaints ] || data=(IMVO_DATA_KEY_FILE="$certs/data.key")
  env $(cat "$run/redis-users/$svc.env") ${data[@]+"${data[@]}"} \
  IMVO_CERT="$certs/daemon.txt_secret" IMVO_CERT_DIR="$certs/clients" IMVO_RECEIPT_KEY_FILE="$certs/receipt.key" \
    "$build/services/$svc/imvo-$svc" > "$run/logs/$svc.log" 2>&1 &
  pids+=($!)
done
# The web portal: files complaints through the intake queue (as the Redis user intake).
portal=${IMVO_PORTAL_LISTEN:-127.0.0.1:7180}
env $(cat "$run/redis-users/intake.env") IMVO_CERT="$certs/portal.txt_secret" IMVO_PORTAL_LISTEN="$portal" \
  IMVO_DATA_PUBLIC_KEY_FILE="$certs/data.pub" \
  "$build/services/portal/imvo-portal" > "$run/logs/portal.log" 2>&1 &
pids+=($!)
for svc in membership complaints scoring notify; do
  for _ in $(seq 100); do
    "$ctl" --timeout 200 ping "$svc" >/dev/null 2>&1 && break
    sleep 0.1
  done
done
"$ctl" ping || true
respondent=""
if [ "$demo" = 1 ]; then
  echo
  echo "Demo data: the signatories of the gold covenant (imvoctl demo; ./run.sh --no-demo skips it)"
  orgs=$("$ctl" demo)
  echo "$orgs" | sed -n '/^org-/p'
  respondent=$(echo "$orgs" | awk '/Lucardi/ { print $1 }')
  # complaints learns of new members from membership's events: wait until it has.
  for _ in $(seq 100); do
    redis-cli -p "$port" -a "$pass" --no-auth-warning hexists 'imvo:complaints:{gold}:members' "$respondent" \
      2>/dev/null | grep -q 1 && break
    sleep 0.1
  done
fi
# The first person's account: the secretariat's, made once (on a later start it exists).
if account=$("$ctl" account create --username secretariat --name Secretariat --email secretariat@imvo.local \
    --role secretariat 2>&1); then
  token=$(echo "$account" | awk '/^enroll_token:/ { print $2 }')
  echo
  echo "The first account, 'secretariat', waits for its person (the code works once, for 72 hours):"
  echo "  open http://$portal/staff/enroll and give the enrollment code $token"
  echo "  (or: $ctl account enroll --token $token --password 'A PASSWORD OF 12+ BYTES')"
  echo "  then add the TOTP secret to an authenticator app and sign in at http://$portal/staff/"
elif ! echo "$account" | grep -q '^imvoctl: conflict'; then
  echo "run.sh: the secretariat's account was not made: $account" >&2
fi
echo
echo "IMVO covenant services are running (logs in $run/logs)."
echo "The complaint form: http://$portal/ (staff console: http://$portal/staff/; metrics: http://$portal/metrics)."
echo "Try:"
echo "  $ctl covenant list"
echo "  $ctl covenant show gold"
if [ -n "$respondent" ]; then
  echo "  $ctl member list gold"
  echo "  $ctl complaint submit --covenant gold --respondent $respondent \\"
  echo "      --summary \"Child labour at a supplying mine\" --description \"Children seen at the sluices\" --anonymous"
  echo "  $ctl inbox list secretariat:gold"
else
  echo "  $ctl demo          (sample organisations to file complaints against)"
fi
echo "Press Ctrl-C to stop."
tail -n 0 -F "$run"/logs/{membership,complaints,scoring,notify,portal}.log &
pids+=($!)
wait "${pids[0]}"

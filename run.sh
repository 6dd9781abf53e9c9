#!/usr/bin/env bash
# Runs the system on this machine: installs missing Debian packages, builds, starts an
# embedded redis-server (AOF on, appendfsync always, data in ./.run/redis, a generated
# password) and the four daemons, and stays up until Ctrl-C, which stops them all.
set -euo pipefail
cd "$(dirname "$0")"
deploy/install-deps.sh run
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

port=${IMVO_REDIS_PORT:-6379}
mkdir -p .run/redis .run/logs
if [ ! -s .run/redis.pass ]; then
  (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > .run/redis.pass)
fi
pass=$(cat .run/redis.pass)
if (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "run.sh: port $port is busy (another Redis?); set IMVO_REDIS_PORT to a free port" >&2
  exit 1
fi

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

redis-server --port "$port" --bind 127.0.0.1 --dir "$PWD/.run/redis" --appendonly yes \
  --appendfsync always --save '' --requirepass "$pass" > .run/logs/redis.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  redis-cli -p "$port" -a "$pass" --no-auth-warning ping >/dev/null 2>&1 && break
  sleep 0.1
done

export IMVO_REDIS_URL="redis://:$pass@127.0.0.1:$port/0"
export IMVO_DATA_DIR="$PWD/deploy"
for svc in membership complaints scoring notify; do
  "build/services/$svc/imvo-$svc" > ".run/logs/$svc.log" 2>&1 &
  pids+=($!)
done
for svc in membership complaints scoring notify; do
  for _ in $(seq 100); do
    build/services/imvoctl/imvoctl --timeout 200 ping "$svc" >/dev/null 2>&1 && break
    sleep 0.1
  done
done
build/services/imvoctl/imvoctl ping || true
cat <<MSG

IMVO covenant services are running (logs in .run/logs). Try:
  build/services/imvoctl/imvoctl covenant list
  build/services/imvoctl/imvoctl complaint submit --covenant textile --respondent org-1 \\
      --summary "Locked fire exits" --description "Doors locked at night" --anonymous
  build/services/imvoctl/imvoctl inbox list secretariat:textile
Press Ctrl-C to stop.
MSG
tail -n 0 -F .run/logs/membership.log .run/logs/complaints.log .run/logs/scoring.log .run/logs/notify.log &
pids+=($!)
wait "${pids[0]}"

#!/usr/bin/env bash
# The container test: builds the image from deploy/Dockerfile, brings docker-compose.yml up with
# Debian's podman and podman-compose, waits for every health check, files a complaint through
# the published ports and finds it in the secretariat's inbox, restarts the Redis container and
# reads the case back, kills a daemon's process and sees it restarted, and brings everything down
# with its volume. Then the same complaint through the ports on a Redis Cluster
# (docker-compose.cluster.yml: six nodes, three masters with a replica each, made by its one-shot
# cluster-setup container). Run by `./test.sh --containers` and by .ci/run (as root).
#
# No Docker engine and no image registry are needed: the debian:bookworm-slim base is made with
# debootstrap from the Debian mirror apt uses and imported, and redis:7-bookworm is stood in for
# by an image built from Debian's redis-server (deploy/podman/redis.Containerfile). Both stay in
# podman's store, so a second run on the same machine skips them. deploy/podman/containers.conf
# (runc, no default ulimits) is used through CONTAINERS_CONF; /etc is not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CONTAINERS_CONF="$root/deploy/podman/containers.conf"
export IMVO_REDIS_PASSWORD="ci-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
project=imvo-ci
compose_file=docker-compose.yml
imvoctl="$root/build/services/imvoctl/imvoctl"
started=$(date +%s)

say() { printf '[containers %3ds] %s\n' "$(( $(date +%s) - started ))" "$*"; }
fail() { say "FAILED: $*"; exit 1; }
# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local limit=$1; shift
  local until=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$until" ] || return 1
    sleep 0.5
  done
}

missing=()
for p in podman runc podman-compose debootstrap golang-github-containernetworking-plugin-dnsname; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x "$imvoctl" ] || fail "build imvoctl first (./test.sh builds it)"

compose() { podman-compose -p "$project" -f "$compose_file" "$@" >>"$log" 2>&1; }
log=$(mktemp /tmp/imvo-containers.XXXXXX.log)
cleanup() {
  status=$?
  if [ "$status" -ne 0 ]; then
    for c in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do
      echo "--- $c" >&2
      podman logs --tail 20 "$c" >&2 2>&1 || true
    done
    echo "--- podman-compose (last 30 lines of $log)" >&2
    tail -30 "$log" >&2 || true
  fi
  compose down -v || true
  podman volume ls -q | grep "^${project}_" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  exit "$status"
}
trap cleanup EXIT

# 1. The base images, once per machine.
if ! podman image exists docker.io/library/debian:bookworm-slim; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  mirror=${mirror:-http://deb.debian.org/debian}
  rootfs=$(mktemp -d /tmp/imvo-rootfs.XXXXXX)
  say "debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >>"$log" 2>&1 || fail "debootstrap (see $log)"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import - docker.io/library/debian:bookworm-slim >>"$log"
  rm -rf "$rootfs"
fi
if ! podman image exists docker.io/library/redis:7-bookworm; then
  say "building the redis:7-bookworm stand-in from Debian's redis-server"
  podman build --pull=never -q -f deploy/podman/redis.Containerfile -t docker.io/library/redis:7-bookworm \
    deploy/podman >>"$log" 2>&1 || fail "redis image (see $log)"
fi

# 2. The image, from a clean context (.dockerignore keeps build trees out).
say "building imvo-services from deploy/Dockerfile"
podman build --pull=never -f deploy/Dockerfile -t localhost/imvo-services:latest . >>"$log" 2>&1 \
  || fail "image build (see $log)"
size=$(podman image inspect -f '{{.Size}}' localhost/imvo-services:latest)
say "image size: $(( size / 1000000 )) MB"

# The CURVE certificates the compose file mounts as secrets, readable by the containers' user;
# this script speaks to the daemons with the administrator's.
IMVOCTL="$imvoctl" IMVO_CERT_UID=10001 deploy/make-certs.sh deploy/certs >>"$log"
deploy/make-redis-users.sh deploy/certs/redis redis:6379
export IMVO_CERT="$root/deploy/certs/admin.txt_secret" IMVO_SERVER_CERT="$root/deploy/certs/daemon.txt"

# 3. Up, and every health check passing (podman runs them on request: no systemd timers here).
compose down -v || true
compose up -d || fail "podman-compose up"
healthy() { podman healthcheck run "${project}_$1_1"; }
for c in redis membership complaints scoring notify portal; do
  wait_for 90 healthy "$c" || fail "$c never became healthy"
  say "$c healthy"
done

# 4. A complaint through the published ports, into the secretariat's inbox (sets case_id).
export IMVO_MEMBERSHIP_ENDPOINT=tcp://127.0.0.1:7101 IMVO_COMPLAINTS_ENDPOINT=tcp://127.0.0.1:7102 \
       IMVO_SCORING_ENDPOINT=tcp://127.0.0.1:7103 IMVO_NOTIFY_ENDPOINT=tcp://127.0.0.1:7104
through_the_ports() {
  org=$("$imvoctl" --json org register --name "Container Test BV" --kind company --country NL \
        | sed -n 's/.*"org_id": *"\([^"]*\)".*/\1/p')
  [ -n "$org" ] || fail "org register"
  "$imvoctl" member join --covenant textile --org-id "$org" --role supporter >/dev/null
  submit() {
    "$imvoctl" --json --key container-test complaint submit --covenant textile --respondent "$org" \
      --summary "Locked fire exits" --description "Seen in the container test." --anonymous
  }
  wait_for 30 submit || fail "complaint.submit through port 7102"
  case_id=$(submit | sed -n 's/.*"case_id": *"\([^"]*\)".*/\1/p')
  [ -n "$case_id" ] || fail "no case id"
  say "filed $case_id"
  in_inbox() { "$imvoctl" --json inbox list secretariat:textile | grep -q "$case_id"; }
  wait_for 30 in_inbox || fail "$case_id not in the secretariat's inbox"
  say "$case_id is in the secretariat's inbox"
  form() { python3 -c 'import urllib.request,sys; sys.exit(0 if "action=\"/submit\"" in urllib.request.urlopen("http://127.0.0.1:7180/?covenant=textile", timeout=5).read().decode() else 1)'; }
  wait_for 30 form || fail "the portal's form on port 7180"
  say "the portal serves the complaint form on port 7180"
}
through_the_ports

# 5. Redis restarted: the case is still there (the AOF on the volume).
podman restart "${project}_redis_1" >>"$log" 2>&1
wait_for 60 healthy redis || fail "redis after restart"
read_back() { "$imvoctl" --json complaint get "$case_id" | grep -q "\"$case_id\""; }
wait_for 60 read_back || fail "$case_id not read back after the Redis restart"
say "$case_id read back after Redis restarted"

# 6. A daemon's process killed: its restart policy brings it back.
pid=$(podman inspect -f '{{.State.Pid}}' "${project}_notify_1")
kill -9 "$pid"
restarted() { [ "$(podman inspect -f '{{.State.Status}} {{.RestartCount}}' "${project}_notify_1")" != "running 0" ] \
              && [ "$(podman inspect -f '{{.State.Status}}' "${project}_notify_1")" = running ] \
              && [ "$(podman inspect -f '{{.RestartCount}}' "${project}_notify_1")" -ge 1 ]; }
wait_for 60 restarted || fail "notify was not restarted after SIGKILL"
wait_for 60 healthy notify || fail "notify not healthy after its restart"
say "notify restarted after SIGKILL and healthy"

# 7. The same on a Redis Cluster: stage one down (its ports free), docker-compose.cluster.yml up;
#    its one-shot cluster-setup makes three masters with a replica each, then the daemons and the
#    portal start with IMVO_REDIS_CLUSTER=on and IMVO_REDIS_WAIT_REPLICAS=1.
compose down -v || true
podman volume rm -f "${project}_redis-data" >/dev/null 2>&1 || true
project=imvo-ci-cluster
compose_file=docker-compose.cluster.yml
compose down -v || true
compose up -d || fail "podman-compose up (cluster)"
for c in redis redis-2 redis-3 redis-4 redis-5 redis-6; do
  wait_for 90 healthy "$c" || fail "$c never became healthy"
done
made() { [ "$(podman inspect -f '{{.State.Status}} {{.State.ExitCode}}' "${project}_cluster-setup_1")" = "exited 0" ]; }
wait_for 90 made || fail "cluster-setup did not make the cluster"
say "six Redis nodes made into a cluster of three masters with a replica each"
for c in membership complaints scoring notify portal; do
  wait_for 120 healthy "$c" || fail "$c never became healthy on the cluster"
done
say "the daemons and the portal are healthy on the cluster"
through_the_ports
masters=$(podman exec "${project}_redis_1" sh -c 'REDISCLI_AUTH=$(cat /run/secrets/default.pass) redis-cli cluster nodes' \
          | grep -c master)
[ "$masters" -eq 3 ] || fail "$masters masters, not 3"

# 8. The Kubernetes manifests against the Kubernetes schemas (kubernetes-models from npm,
#    installed once per machine): podman kube play would run the pods but has no Services, so
#    the daemons could not find each other by name as they do in a cluster.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/imvo-k8s-validate
if ! command -v npm >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
mkdir -p "$cache"
cp deploy/k8s/validate/package.json deploy/k8s/validate/validate.mjs "$cache/"
if [ ! -d "$cache/node_modules/kubernetes-models" ]; then
  (cd "$cache" && npm install --no-audit --no-fund --silent >>"$log" 2>&1) || fail "npm install (see $log)"
fi
node "$cache/validate.mjs" deploy/k8s/*.yaml || fail "deploy/k8s does not match the Kubernetes schemas"

# 9. Down, with the volumes (the trap does it).
say "passed"

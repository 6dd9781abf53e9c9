#!/usr/bin/env bash
# Runs every test: unit tests, and integration and end-to-end tests against a real
# redis-server and the real daemons (ctest). IMVO_SANITIZE=1 builds with AddressSanitizer and
# UBSan into ./build-asan instead of ./build. `./test.sh --containers` then also builds the
# image and runs docker-compose.yml with podman (tests/containers.sh; as root).
set -euo pipefail
cd "$(dirname "$0")"
containers=0
for arg in "$@"; do
  case "$arg" in
    --containers) containers=1 ;;
    *) echo "usage: $0 [--containers]" >&2; exit 2 ;;
  esac
done
deploy/install-deps.sh test
if [ "${IMVO_SANITIZE:-0}" = 1 ]; then
  dir=build-asan
  cmake -S . -B "$dir" -DIMVO_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
else
  dir=build
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$dir" -j"$(nproc)"
# The tests mostly wait on sockets and daemons: three per core keep the cores busy.
ctest --test-dir "$dir" --output-on-failure -j"$(( $(nproc) * 3 ))"
if [ "$containers" = 1 ]; then
  tests/containers.sh
fi

#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, only when some are missing.
#   deploy/install-deps.sh build     compilers and -dev libraries
#   deploy/install-deps.sh run       build + redis-server
#   deploy/install-deps.sh test      run + redis-tools and python3 modules for the tests
# One list, used by run.sh, test.sh, .ci/run and the Dockerfile's build stage.
set -euo pipefail
build=(build-essential cmake pkg-config libczmq-dev libzmq3-dev libmsgpack-dev libhiredis-dev libicu-dev libjansson-dev
       libgmime-3.0-dev libxml2-dev libcurl4-openssl-dev libsodium-dev libmicrohttpd-dev liboath-dev
       libqrencode-dev libmagic-dev gettext)
run=(redis-server redis-tools iso-codes locales)
test=(python3 python3-zmq python3-msgpack python3-yaml python3-aiosmtpd python3-prometheus-client chromium
      zbar-tools fonts-noto-core fonts-noto-cjk)
# Node.js (the portal's browser tests): Debian's, unless one is on the machine already.
if [ "${1:-run}" = test ] && ! command -v npm >/dev/null; then
  test+=(nodejs npm)
fi
case "${1:-run}" in
  build) want=("${build[@]}") ;;
  run) want=("${build[@]}" "${run[@]}") ;;
  test) want=("${build[@]}" "${run[@]}" "${test[@]}") ;;
  *) echo "usage: $0 build|run|test" >&2; exit 2 ;;
esac
# The locales of the portal's and notify's nine languages (gettext finds a language's texts by
# its locale: common/imvo_i18n.h); made once, with localedef, when missing.
locales=(nl_NL en_GB fr_FR es_ES bn_BD hi_IN zh_CN tr_TR vi_VN)
make_locales() {
  [ "${1:-run}" = build ] && return 0
  local have l todo=()
  have=$(locale -a 2>/dev/null | tr 'A-Z' 'a-z')
  for l in "${locales[@]}"; do
    grep -qx "$(echo "$l.utf8" | tr 'A-Z' 'a-z')" <<<"$have" || todo+=("$l")
  done
  [ ${#todo[@]} -eq 0 ] && return 0
  echo "making locales: ${todo[*]}"
  for l in "${todo[@]}"; do
    $sudo localedef -i "$l" -f UTF-8 "$l.UTF-8"
  done
}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
for p in "${want[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  make_locales "${1:-run}"
  exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
make_locales "${1:-run}"

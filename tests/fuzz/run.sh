#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang and runs them for SECONDS in all (default 60),
# shared out evenly: fuzz_envelope (frames), fuzz_catalogue (every message type's validation),
# fuzz_csv (location imports) and fuzz_mail (complaint from-mail). Each starts from its seed
# corpus in the tree (tests/fuzz/corpus*, read only) and writes what it finds to a scratch
# directory. Exit status: 0, or the first failing harness's (a crash file is in $out).
#   tests/fuzz/run.sh [SECONDS]        (CI: .ci/run; needs clang and the -dev packages)
set -euo pipefail
cd "$(dirname "$0")/../.."
total=${1:-60}
out=${IMVO_FUZZ_DIR:-/tmp/imvo-fuzz}
mkdir -p "$out"
flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -std=c11
       -Wall -Wextra -Werror -Icommon -Iproto)
codec=(common/imvo_msg.c common/imvo_envelope.c common/imvo_json.c proto/imvo_proto.c proto/imvo_ids.c
       proto/catalogue_*.c)
libs=$(pkg-config --cflags --libs msgpack jansson)
clang "${flags[@]}" tests/fuzz/fuzz_envelope.c "${codec[@]}" $libs -o "$out/fuzz_envelope"
clang "${flags[@]}" tests/fuzz/fuzz_catalogue.c "${codec[@]}" $libs -o "$out/fuzz_catalogue"
clang "${flags[@]}" -Iservices/membership tests/fuzz/fuzz_csv.c services/membership/location_csv.c -o "$out/fuzz_csv"
clang "${flags[@]}" -Iservices/imvoctl tests/fuzz/fuzz_mail.c services/imvoctl/imvoctl_mail.c "${codec[@]}" \
  $(pkg-config --cflags --libs msgpack jansson gmime-3.0 libxml-2.0 libczmq) -o "$out/fuzz_mail"
each=$(( total / 4 ))
for h in envelope catalogue csv mail; do
  seeds=tests/fuzz/corpus
  [ "$h" = envelope ] || seeds=tests/fuzz/corpus-$h
  mkdir -p "$out/work-$h"
  echo "fuzz_$h: $each s from $seeds"
  quiet=()
  [ "$h" = mail ] && quiet=(-close_fd_mask=2)     # the mail reader's own refusals on stderr
  (cd "$out" && ./fuzz_"$h" "${quiet[@]}" -max_total_time="$each" -max_len=8192 -print_final_stats=1 "work-$h" \
     "$OLDPWD/$seeds" 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==|SUMMARY|Done)" ) \
    || { echo "fuzz_$h failed: see $out" >&2; exit 1; }
done

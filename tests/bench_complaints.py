"""Benchmark: complaints acknowledged per second with 8 concurrent clients, next to
redis-benchmark -c 8 -t set on the same Redis (AOF on, appendfsync always) in the same run.

    /usr/bin/python3 tests/bench_complaints.py [TOTAL]      (after building into ./build)

Not a test: it prints figures and their ratio. Each submit also asks membership whether the
respondent is a company member of the covenant (one request/reply on loopback). Each
acknowledged complaint is one EVALSHA that writes a hash, a list entry, a sorted-set entry, a
counter, the idempotency record and a stream entry, fsynced before the reply; redis-benchmark's
SET is one key per fsync group.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD_DIR, System  # noqa: E402

TOTAL = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
CLIENTS = 8


def main():
    workers = os.environ.get("IMVO_WORKERS", "8")
    with System(["membership", "complaints"], env={"IMVO_WORKERS": workers}) as s:
        # A real respondent: each submit asks membership about it, as in production.
        org = s.ok("membership", "org.register", {"name": "Bench Brand", "kind": "company", "country": "NL"})["org_id"]
        s.ok("membership", "member.join", {"covenant": "textile", "org_id": org, "role": "party"})
        ref = subprocess.run(["redis-benchmark", "-p", str(s.redis.port), "-c", str(CLIENTS),
                              "-t", "set", "-n", str(TOTAL), "-q"],
                             capture_output=True, text=True, check=True).stdout
        m = re.search(r"SET: ([\d.]+) requests per second", ref.replace("\r", "\n"))
        ref_rps = float(m.group(1))
        out = subprocess.run([os.path.join(BUILD_DIR, "tests", "bench_submit"), s.endpoint("complaints"),
                              str(CLIENTS), str(TOTAL), org], capture_output=True, text=True, check=True).stdout
        got = float(re.search(r"per_second=([\d.]+)", out).group(1))
        stats = s.ok("complaints", "stats", {})
        print("complaints acknowledged: %s" % out.strip())
        print("redis-benchmark -c %d -t set -n %d: %.0f requests/s" % (CLIENTS, TOTAL, ref_rps))
        print("ratio complaint.submit / SET: %.2f" % (got / ref_rps))
        print("daemon workers: %d, requests served: %d" % (stats["workers"], stats["requests"]))


if __name__ == "__main__":
    main()

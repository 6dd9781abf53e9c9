"""Benchmark: import 100,000 production-location rows from 50 companies (about 30 % of them
places that other companies disclose too, written differently), through location.import,
against the membership daemon and the same Redis (AOF, appendfsync always).

    /usr/bin/python3 tests/bench_locations.py [ROWS]      (after building into ./build)

Prints rows per second, CPU microseconds per row of Redis and of the daemon, the daemon's peak
RSS, redis-benchmark -t hset -c 8 on the same Redis in the same run as the reference, and the
SLOWLOG (bench_slowlog.py: no command may take over 1 ms; exits 1 when one did). Not a test.
"""
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_slowlog  # noqa: E402
from harness import System  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
COMPANIES = 50
SHARED = 0.30
COUNTRIES = ["BD", "IN", "TR", "CN", "PK", "VN", "KH", "MM", "ET", "PT"]
SYLLABLES = ["ka", "lo", "mi", "ra", "su", "te", "no", "vi", "da", "ze", "po", "shu", "an", "el", "or"]
SUFFIXES = ["Ltd", "Pvt Ltd", "A.S.", "Co. Ltd", "Limited", ""]


def place(rng, n):
    word = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
    return {"name": "%s Garments %d" % (word, n), "address": "Plot %d, Road %d" % (n % 997, n % 89),
            "city": "City %d" % (n % 50), "country": rng.choice(COUNTRIES)}


def variant(rng, p):
    """The same place as another company writes it: case, punctuation, legal suffix."""
    name = p["name"]
    if rng.random() < 0.5:
        name = name.upper()
    return dict(p, name=(name + " " + rng.choice(SUFFIXES)).strip(), address=p["address"].replace(",", ""))


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def csv_field(v):
    return '"%s"' % v.replace('"', '""') if any(c in v for c in ',"\n') else v


def main():
    rng = random.Random(7)
    per_company = ROWS // COMPANIES
    own = [[place(rng, c * 10 ** 6 + i) for i in range(int(per_company * (1 - SHARED)))] for c in range(COMPANIES)]
    with System(["membership"]) as s:
        bench_slowlog.start(s.redis)
        orgs = []
        for c in range(COMPANIES):
            org = s.ok("membership", "org.register", {"name": "Brand %d" % c, "kind": "company", "country": "NL"})["org_id"]
            s.ok("membership", "member.join", {"covenant": "textile", "org_id": org, "role": "party"})
            orgs.append(org)
        pid = s.procs["membership"].pid
        slow_setup = bench_slowlog.entries(s.redis)
        s.redis.cli("SLOWLOG", "RESET")
        cpu0 = {"redis": cpu_seconds(s.redis.proc.pid), "membership": cpu_seconds(pid)}
        totals = {"new": 0, "exact": 0, "near": 0, "flagged": 0}
        start = time.time()
        for c, org in enumerate(orgs):
            rows = list(own[c])
            while len(rows) < per_company:          # places other companies use too
                other = rng.randrange(COMPANIES)
                rows.append(variant(rng, rng.choice(own[other])))
            lines = ["name,address,city,region,country,workers,product_type"]
            for r in rows:
                lines.append(",".join(csv_field(v) for v in (r["name"], r["address"], r["city"], "", r["country"],
                                                              str(rng.randrange(20, 3000)), "garments")))
            reply = s.ok("membership", "location.import", {"covenant": "textile", "org_id": org, "year": 2018,
                                                           "csv": "\n".join(lines) + "\n"}, timeout=120000)
            for k in totals:
                totals[k] += reply["counts"][k]
        elapsed = time.time() - start
        cpu = {"redis": cpu_seconds(s.redis.proc.pid) - cpu0["redis"], "membership": cpu_seconds(pid) - cpu0["membership"]}
        slow_imports = bench_slowlog.entries(s.redis)
        s.redis.cli("SLOWLOG", "RESET")
        with open("/proc/%d/status" % pid) as f:
            hwm = re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)
        # The year's list, as staff and (once published) as everyone, and its CSV export.
        t = time.time()
        listed = s.ok("membership", "location.list", {"covenant": "textile", "year": 2018}, timeout=120000)["count"]
        t_list = time.time() - t
        s.ok("membership", "location.publish", {"covenant": "textile", "year": 2018}, timeout=120000)
        t = time.time()
        csv = s.ok("membership", "location.export", {"covenant": "textile", "year": 2018}, timeout=120000,
                   actor=False)["csv"]
        t_export = time.time() - t
        slow_reads = bench_slowlog.entries(s.redis)
        ref = subprocess.run(["redis-benchmark", "-p", str(s.redis.port), "-c", "8", "-t", "hset", "-n", "100000", "-q"],
                             capture_output=True, text=True, check=True).stdout.replace("\r", "\n")
        ref_rps = float(re.search(r"HSET: ([\d.]+) requests per second", ref).group(1))
        rows_total = per_company * COMPANIES
        print("rows imported: %d from %d companies in %.2f s: %.0f rows/s" % (rows_total, COMPANIES, elapsed,
                                                                            rows_total / elapsed))
        print("matches: %s; distinct locations listed: %d" % (totals, listed))
        print("CPU us per row: redis %.1f, membership %.1f" % (cpu["redis"] * 1e6 / rows_total,
                                                             cpu["membership"] * 1e6 / rows_total))
        print("membership daemon peak RSS (VmHWM): %s kB" % hwm)
        print("redis-benchmark -c 8 -t hset -n 100000 (same Redis): %.0f requests/s" % ref_rps)
        print("ratio rows/s / HSET/s: %.3f" % (rows_total / elapsed / ref_rps))
        print("location.list of %d locations: %.0f ms; location.export (published, %d bytes): %.0f ms"
              % (listed, t_list * 1000, len(csv), t_export * 1000))
        for what, slow in (("registering and joining", slow_setup), ("the imports", slow_imports),
                           ("list, publish and export", slow_reads)):
            bench_slowlog.report_entries(what, slow)
    if bench_slowlog.failed():
        raise SystemExit(1)


if __name__ == "__main__":
    main()

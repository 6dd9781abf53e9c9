"""Benchmark: the monitoring committee's heaviest pages, a round of 10,000 companies (issue 22, 6).

    /usr/bin/python3 tests/bench_round.py [SECONDS] [COMPANIES]   (after building into ./build;
                                                                 IMVO_BUILD_DIR for another)

Redis, membership and scoring with CURVE on, as ./run.sh runs them, and the portal in front
with its gateway certificate. COMPANIES (default 10,000) companies are registered and made
parties of gold, and nine in ten file a plan, each step pipelined over one connection
(tests/round_seed.py); the round is started as the monitoring committee (assessment.start) and
runs to its end (its time printed). Then 8 monitoring persons sign in, and for SECONDS (default 4)
per page, all in this run on this machine:
  - /healthz (constant: the reference) and /metrics;
  - the results page (/staff/monitoring/round: 100 companies with plan, score, band, track and
    findings), first page, a page deep in the list (offset 5,000), a search by company, and a
    filter by plan (missing);
  - the report page (/staff/monitoring/report: the summary, the bands drawn as SVG, the
    collective risks);
  - the whole report (assessment.report as HTML, every company named) as a download: shorter,
    it is the one read of every result.
8 visitors on kept-alive connections asking as fast as the portal answers, then 1 (the service
time without queueing). Per page: requests/s, p50 and p99, and CPU microseconds per request of
the portal, scoring, membership (the session asked on every page) and Redis (/proc/<pid>/stat).
The load generator (Python asyncio, one thread) shares the two cores; its own cost is printed.
Not a test: it prints figures; exit status 1 when a page answered other than 200.
"""
import asyncio
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_console import accounts, machine_busy, run, sign_in_all  # noqa: E402
from bench_portal import cpu_seconds, pct  # noqa: E402
from harness import System, start_portal  # noqa: E402
from round_seed import seed  # noqa: E402
from test_scoring import FRAMEWORK  # noqa: E402

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
COMPANIES = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
VISITORS = 8
YEAR = 2026
COVENANT = "gold"


def main():
    with System(["membership", "scoring"], curve=True) as s:
        s.redis.cli("CONFIG", "SET", "auto-aof-rewrite-percentage", "0")
        monitor = s.cert("monitoring", "monitoring")
        s.ok("scoring", "framework.put", dict(FRAMEWORK, covenant=COVENANT))
        t = time.time()
        orgs = seed(s, COVENANT, COMPANIES, YEAR, FRAMEWORK, prefix="Bench")
        print("seeded %d company parties of %s, %d plans, in %.1f s (org.register, member.join, submission.put, "
              "64 in flight each)" % (len(orgs), COVENANT, len(orgs) - len(orgs[::10]), time.time() - t))
        t = time.time()
        s.ok("scoring", "assessment.start", {"covenant": COVENANT, "year": YEAR}, cert=monitor)
        done = s.wait_for(lambda: s.redis.cli("HGET", "imvo:scoring:{%s}:round:%d" % (COVENANT, YEAR), "status").strip()
                          == "completed", timeout=300, interval=0.1)
        assert done, s.log("scoring")[-2000:]
        run_ms = s.redis.cli("HGET", "imvo:scoring:{%s}:round:%d" % (COVENANT, YEAR), "run_ms").strip()
        print("round %s-%d completed in %.1f s (the runner's own run_ms %s)" % (COVENANT, YEAR, time.time() - t, run_ms))

        portal, port = start_portal(s, os.path.join(s.workdir, "portal.log"))
        pids = {"portal": portal.pid, "scoring": s.procs["scoring"].pid, "membership": s.procs["membership"].pid,
                "redis": s.redis.proc.pid}
        failed = []
        try:
            sessions = [r[1] for r in asyncio.run(sign_in_all(port, accounts(s, VISITORS, "monitoring"), 4))]
            base = "/staff/monitoring/round?lang=en&covenant=%s&year=%d" % (COVENANT, YEAR)
            pages = [("/healthz (constant)", "/healthz", VISITORS),
                     ("/metrics", "/metrics", VISITORS),
                     ("results, first 100", base, VISITORS),
                     ("results, offset 5000", base + "&offset=5000", VISITORS),
                     ("results, search a company", base + "&q=bench+04242", VISITORS),
                     ("results, plan missing", base + "&status=missing", VISITORS),
                     ("report page", "/staff/monitoring/report?lang=en&covenant=%s&year=%d" % (COVENANT, YEAR),
                      VISITORS),
                     ("whole report (HTML, named)", "/staff/monitoring/report/download?lang=en&covenant=%s&year=%d"
                      "&format=html" % (COVENANT, YEAR), 2)]
            runs = [(label, path, visitors) for label, path, visitors in pages]
            runs += [(label + ", 1 visitor", path, 1) for label, path, _ in pages[2:]]
            print("%d visitors (each signed in as a monitoring person), %.0f s per page" % (VISITORS, SECONDS))
            print("   %-38s %9s %8s %8s %7s | %-40s | %5s" % ("", "", "", "", "", "CPU us per request", "cores"))
            print("   %-38s %9s %8s %8s %7s | %6s %7s %10s %6s %7s | %5s"
                  % ("page", "requests/s", "p50 ms", "p99 ms", "KiB", "portal", "scoring", "membership", "redis",
                     "loadgen", "busy"))
            for label, path, visitors in runs:
                asyncio.run(run(port, path, sessions, visitors, 0.5))       # warm up: connections
                before = {k: cpu_seconds(pid) for k, pid in pids.items()}
                own0, t0, busy0 = time.process_time(), time.monotonic(), machine_busy()
                latencies, errors, sizes = asyncio.run(run(port, path, sessions, visitors, SECONDS))
                took, own, busy1 = time.monotonic() - t0, time.process_time() - own0, machine_busy()
                busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
                count = len(latencies)
                cpu = {k: (cpu_seconds(pid) - before[k]) * 1e6 / count for k, pid in pids.items()}
                print("   %-38s %9.0f %8.2f %8.2f %7.1f | %6.0f %7.0f %10.0f %6.0f %7.0f | %4.0f%%%s"
                      % (label, count / took, pct(latencies, 50), pct(latencies, 99), sum(sizes) / len(sizes) / 1024,
                         cpu["portal"], cpu["scoring"], cpu["membership"], cpu["redis"], own * 1e6 / count, busy * 100,
                         "  (%d not 200: %s)" % (len(errors), sorted(set(errors))) if errors else ""))
                if errors:
                    failed.append(label)
            with open(os.path.join(s.workdir, "portal.log")) as f:
                threads = re.search(r"(\d+) threads", f.read())
            print("portal: %s HTTP threads; Redis %s" % (threads.group(1) if threads else "?",
                                                          s.redis.cli("INFO", "server").split("redis_version:")[1].split()[0]))
        finally:
            portal.terminate()
            portal.wait(10)
        if failed:
            print("FAILED: pages answered other than 200: %s" % ", ".join(failed))
            raise SystemExit(1)


if __name__ == "__main__":
    main()

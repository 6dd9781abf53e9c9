"""Benchmark: complaint intake against the physical limits of this design, in one run.

    /usr/bin/python3 tests/bench_complaints.py [TOTAL]      (after building into ./build)

One Redis (AOF on, appendfsync always) and the real daemons (membership, complaints,
notify). Printed, in this order, all measured in this run on this machine:
  1. redis-benchmark -t set -c 50 on that Redis: the reference the issue names;
  2. bench_script: complaints' own submit script run by bare hiredis clients, pipelined, with
     the same requests in flight (8 connections x 8): Redis and fsync, nothing else;
  3. bench_submit: complaint.submit through the daemon, 8 DEALER connections x 8 in flight,
     each acknowledged after its commit: acked/s, p50/p99 latency;
  4. CPU microseconds per request of Redis and of each daemon (from /proc, over the daemon
     run until notify has put every complaint in the secretariat's inbox), and ratios;
  5. SLOWLOG: commands over 1 ms during the run (bench_slowlog.py: none may be; then
  6. the intake queue drained, and its SLOWLOG. Exits 1 when either SLOWLOG is not empty.
Not a test: it prints figures.
"""
import os
import re
import subprocess
import sys
import time

import msgpack

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_slowlog  # noqa: E402
from harness import BUILD_DIR, System  # noqa: E402

TOTAL = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
CONNECTIONS, DEPTH = int(os.environ.get("BENCH_CONNECTIONS", 8)), int(os.environ.get("BENCH_DEPTH", 8))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def field(name, text):
    return float(re.search(r"%s=([\d.]+)" % name, text).group(1))


def main():
    workers = os.environ.get("IMVO_WORKERS", "4")
    with System(["membership", "complaints", "notify"], env={"IMVO_WORKERS": workers, "IMVO_CONSUMER_RESCAN_MS": os.environ.get("IMVO_CONSUMER_RESCAN_MS", "2000")}) as s:
        org = s.respondent
        # No AOF rewrite (a fork) in the middle of one of the measurements: each run would pay
        # for what the others wrote.
        s.redis.cli("CONFIG", "SET", "auto-aof-rewrite-percentage", "0")
        bench_slowlog.start(s.redis)
        redis_pid = s.redis.proc.pid

        cpu0 = cpu_seconds(redis_pid)
        ref = subprocess.run(["redis-benchmark", "-p", str(s.redis.port), "-c", "50", "-t", "set",
                              "-n", str(max(TOTAL, 100000)), "-q"],
                             capture_output=True, text=True, check=True).stdout.replace("\r", "\n")
        ref_rps = float(re.search(r"SET: ([\d.]+) requests per second", ref).group(1))
        ref_cpu = (cpu_seconds(redis_pid) - cpu0) * 1e6 / max(TOTAL, 100000)
        print("1. redis-benchmark -t set -c 50: %.0f requests/s (Redis %.1f CPU us/request)" % (ref_rps, ref_cpu))

        cpu0 = cpu_seconds(redis_pid)
        out = subprocess.run([os.path.join(BUILD_DIR, "tests", "bench_script"), s.redis.url, str(CONNECTIONS),
                              str(DEPTH), str(TOTAL), org], capture_output=True, text=True, check=True).stdout
        script_rps = field("per_second", out)
        script_cpu = (cpu_seconds(redis_pid) - cpu0) * 1e6 / TOTAL
        print("2. bare hiredis, submit script pipelined, %dx%d in flight: %.0f complaints/s "
              "(Redis %.1f CPU us/complaint)" % (CONNECTIONS, DEPTH, script_rps, script_cpu))

        pids = {name: s.procs[name].pid for name in ("membership", "complaints", "notify")}
        pids["redis"] = redis_pid
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        inbox_key = "imvo:notify:{secretariat:textile}:inbox"
        inbox0 = int(s.redis.cli("ZCARD", inbox_key))
        out = subprocess.run([os.path.join(BUILD_DIR, "tests", "bench_submit"), s.endpoint("complaints"),
                              str(CONNECTIONS), str(DEPTH), str(TOTAL), org],
                             capture_output=True, text=True)
        if out.returncode:
            print(out.stdout, out.stderr)
            raise SystemExit(1)
        ended = time.time()
        got = field("per_second", out.stdout)
        s.wait_for(lambda: int(s.redis.cli("ZCARD", inbox_key)) >= inbox0 + TOTAL, timeout=300, interval=0.02)
        lag = time.time() - ended
        cpu = {name: (cpu_seconds(pid) - before[name]) * 1e6 / TOTAL for name, pid in pids.items()}
        print("3. complaint.submit through the daemon, %dx%d in flight: %.0f acked/s, p50 %.2f ms, "
              "p99 %.2f ms, max %.2f ms" % (CONNECTIONS, DEPTH, got, field("p50_ms", out.stdout),
                                           field("p99_ms", out.stdout), field("max_ms", out.stdout)))
        print("   notify had every complaint in the secretariat's inbox %.2f s after the last ack" % lag)
        print("4. CPU us per complaint: " + ", ".join("%s %.1f" % (n, cpu[n]) for n in
                                                      ("redis", "complaints", "notify", "membership"))
              + ", load generator %.1f" % field("cpu_us_per_req", out.stdout))
        stats = s.ok("complaints", "stats", {})
        print("   complaints: %d workers, %d batches, largest batch %d" % (stats["workers"], stats["batches"],
                                                                          stats["largest_batch"]))
        print("   ratio to redis-benchmark SET -c 50: %.2f; to the bare pipelined script: %.2f"
              % (got / ref_rps, got / script_rps))
        print("5. SLOWLOG")
        bench_slowlog.report(s.redis, "1-4 (redis-benchmark, the bare script, complaint.submit, notify)")

        # 6. The intake queue: TOTAL envelopes queued while complaints is down, then drained.
        s.stop("complaints")
        envelopes = []
        for n in range(TOTAL):
            body = {"covenant": "textile", "respondent": org, "summary": "Queued complaint %d" % n,
                    "description": "Sent through the intake queue.", "complainant": {"anonymous": True}}
            envelopes.append(["XADD", "imvo:complaints:intake", "*", "msg",
                              msgpack.packb({"v": 1, "id": "q%d" % n, "type": "complaint.submit",
                                             "key": "queue-%d" % n, "body": body})])
        t = time.time()
        s.redis.pipe(envelopes)
        queued = time.time() - t
        pids["complaints"] = None
        bench_slowlog.start(s.redis)
        t = time.time()
        s.start("complaints")
        pid = s.procs["complaints"].pid
        c0, r0 = cpu_seconds(pid), cpu_seconds(redis_pid)
        s.wait_for(lambda: s.redis.cli("EXISTS", "imvo:complaints:intake:result:queue-%d" % (TOTAL - 1)).strip() == "1",
                   timeout=600,
                   interval=0.02)
        drained = time.time() - t
        print("6. intake queue: %d envelopes queued with XADD in %.2f s (%.0f/s); complaints started and made them "
              "cases in %.2f s: %.0f cases/s, ratio to the socket's %.2f; CPU us per case: complaints %.1f, redis %.1f"
              % (TOTAL, queued, TOTAL / queued, drained, TOTAL / drained, TOTAL / drained / got,
                 (cpu_seconds(pid) - c0) * 1e6 / TOTAL, (cpu_seconds(redis_pid) - r0) * 1e6 / TOTAL))
        bench_slowlog.report(s.redis, "the intake queue's drain")
    if bench_slowlog.failed():
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Benchmark: the monitoring committee's round over 10,000 companies x 60 criteria, against
the real membership and scoring daemons and Redis (AOF, appendfsync always).

    /usr/bin/python3 tests/bench_scoring.py [COMPANIES]      (after building into ./build)

Prints the round's time (assessment.start to completed, and the runner's own time), companies
per second next to redis-benchmark -P 16 -t get on the same Redis in the same run, CPU
microseconds per company of Redis and of scoring, and the SLOWLOG of the setup and of the
round (bench_slowlog.py: no command may take over 1 ms; exits 1 when one did). Not a test.
"""
import os
import re
import subprocess
import sys
import time
import uuid

import msgpack
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_slowlog  # noqa: E402
from harness import System  # noqa: E402

COMPANIES = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
YEAR = 2026
FRAMEWORK = {"covenant": "pensions", "version": 1, "due": "12-31", "name": "benchmark: 6 parts x 10 criteria",
             "parts": [{"code": "p%d" % p, "name": "Part %d" % p, "weight": 20 if p < 4 else 10,
                        "criteria": [{"id": "p%d.c%d" % (p, c), "text": "criterion", "max": 4} for c in range(10)]}
                       for p in range(6)],
             "bands": [{"code": "basic", "min": 0}, {"code": "improving", "min": 20}, {"code": "established", "min": 40},
                       {"code": "advanced", "min": 60}, {"code": "mature", "min": 80}]}


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def flood(s, service, requests, window=256):
    """Sends (type, body, actor) requests with `window` in flight; returns the replies' bodies in order."""
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.connect(s.endpoint(service))
    out, waiting, sent = [None] * len(requests), {}, 0
    while sent < len(requests) or waiting:
        while sent < len(requests) and len(waiting) < window:
            mtype, body, actor = requests[sent]
            rid = uuid.uuid4().hex
            sock.send(msgpack.packb({"v": 1, "id": rid, "type": mtype, "body": body, "actor": actor}))
            waiting[rid] = sent
            sent += 1
        reply = msgpack.unpackb(sock.recv(), raw=False)
        n = waiting.pop(reply["id"])
        assert reply["ok"], reply
        out[n] = reply["body"]
    sock.close()
    return out


def main():
    with System(["membership", "scoring"]) as s:
        bench_slowlog.start(s.redis)
        sec = {"role": "secretariat"}
        s.ok("scoring", "framework.put", FRAMEWORK, actor={"role": "monitoring"})
        t = time.time()
        orgs = [b["org_id"] for b in flood(s, "membership", [("org.register", {"name": "Pension fund %d" % i,
                                                                               "kind": "company", "country": "NL"}, sec)
                                                               for i in range(COMPANIES)])]
        flood(s, "membership", [("member.join", {"covenant": "pensions", "org_id": o, "role": "party"}, sec) for o in orgs])
        plans = []
        for i, o in enumerate(orgs):
            level = (i * 7) % 5                     # companies at five levels, criteria around them
            answers = {c["id"]: max(0, min(4, level + k % 3 - 1))
                       for k, c in enumerate(c for p in FRAMEWORK["parts"] for c in p["criteria"])}
            plans.append(("submission.put", {"covenant": "pensions", "org_id": o, "year": YEAR, "answers": answers,
                                             "risks": [{"theme": "climate", "country": "NL", "severity": 1 + i % 4}]},
                          sec))
        flood(s, "scoring", plans[: COMPANIES - COMPANIES // 20])      # 5 % send no plan
        setup = time.time() - t
        pids = {"redis": s.redis.proc.pid, "scoring": s.procs["scoring"].pid}
        slow_setup = bench_slowlog.entries(s.redis)
        s.redis.cli("SLOWLOG", "RESET")
        cpu0 = {k: cpu_seconds(p) for k, p in pids.items()}
        t = time.time()
        s.ok("scoring", "assessment.start", {"covenant": "pensions", "year": YEAR}, actor={"role": "monitoring"})
        rid = "pensions-%d" % YEAR
        while s.redis.cli("HGET", "imvo:scoring:{pensions}:round:%d" % YEAR, "status").strip() != "completed":
            time.sleep(0.01)
        wall = time.time() - t
        cpu = {k: cpu_seconds(p) - cpu0[k] for k, p in pids.items()}
        slow = bench_slowlog.entries(s.redis)
        run_ms = int(s.redis.cli("HGET", "imvo:scoring:{pensions}:round:%d" % YEAR, "run_ms"))
        got = s.ok("scoring", "assessment.get", {"round_id": rid}, actor={"role": "monitoring"}, timeout=60000)
        ref = subprocess.run(["redis-benchmark", "-p", str(s.redis.port), "-P", "16", "-t", "get", "-n", "1000000", "-q"],
                             capture_output=True, text=True, check=True).stdout.replace("\r", "\n")
        get_rps = float(re.search(r"GET: ([\d.]+) requests per second", ref).group(1))
        print("setup: %d companies registered, joined and %d plans sent in %.1f s" % (COMPANIES, len(plans) * 19 // 20,
                                                                                  setup))
        print("round over %d companies x 60 criteria: %.3f s from assessment.start to completed; the runner's own "
              "time %d ms (the rest is waiting for its next tick, at most 0.5 s)" % (COMPANIES, wall, run_ms))
        print("summary: %s" % {k: got["summary"][k] for k in ("companies", "scored", "missing", "mean", "bands")})
        print("companies per second (runner): %.0f; redis-benchmark -P 16 -t get: %.0f GET/s; ratio %.3f"
              % (COMPANIES / (run_ms / 1000.0), get_rps, COMPANIES / (run_ms / 1000.0) / get_rps))
        print("CPU us per company: redis %.1f, scoring %.1f" % (cpu["redis"] * 1e6 / COMPANIES,
                                                                cpu["scoring"] * 1e6 / COMPANIES))
        bench_slowlog.report_entries("the setup (registering, joining, plans)", slow_setup)
        bench_slowlog.report_entries("the round", slow)
    if bench_slowlog.failed():
        raise SystemExit(1)


if __name__ == "__main__":
    main()

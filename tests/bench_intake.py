"""Benchmark: the idle path from the intake queue to a case (issue 18, item 3).

    /usr/bin/python3 tests/bench_intake.py [N]      (after building into ./build)

One Redis (AOF on, appendfsync always), membership and complaints. The queue is idle before
each of N complaints (default 300): one XADD to imvo:complaints:intake, then the time until
complaints publishes the case's complaint.received on its event socket (the case is committed
before that). complaints reads the queue with XREADGROUP BLOCK, so this is a Redis round trip
and a commit, not a polling interval. Printed beside, in the same run: a Redis PING round trip
and complaint.submit on the request socket (the same commit, without the queue), and the CPU
microseconds complaints spends per idle second (the cost of waiting on the queue).
Not a test: it prints figures.
"""
import os
import random
import sys
import time
import uuid

import msgpack
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_slowlog import Resp  # noqa: E402
from harness import System  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 300


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))] * 1000


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def body(s, n):
    return {"covenant": "textile", "respondent": s.respondent, "summary": "Queued complaint %d" % n,
            "description": "Sent through the intake queue.", "complainant": {"anonymous": True}}


def main():
    with System(["membership", "complaints"]) as s:
        sub = zmq.Context.instance().socket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, b"complaint.received")
        sub.connect(s.events_endpoint("complaints"))
        redis = Resp(s.redis.port)
        # The subscription is live once a published event arrives.
        s.ok("complaints", "complaint.submit", body(s, -1), key=uuid.uuid4().hex)
        while not sub.poll(2000):
            s.ok("complaints", "complaint.submit", body(s, -1), key=uuid.uuid4().hex)
        while sub.poll(200):
            sub.recv_multipart()

        ping = []
        for _ in range(N):
            t = time.perf_counter()
            redis.call("PING")
            ping.append(time.perf_counter() - t)

        socket_path = []
        for n in range(N):
            t = time.perf_counter()
            s.ok("complaints", "complaint.submit", body(s, n), key=uuid.uuid4().hex)
            socket_path.append(time.perf_counter() - t)
        while sub.poll(200):
            sub.recv_multipart()

        queue_path = []
        for n in range(N):
            time.sleep(random.uniform(0.005, 0.02))        # the queue is idle before each
            env = msgpack.packb({"v": 1, "id": uuid.uuid4().hex, "type": "complaint.submit",
                                 "key": "idle-%d-%s" % (n, uuid.uuid4().hex), "body": body(s, n)})
            t = time.perf_counter()
            redis.call("XADD", "imvo:complaints:intake", "*", "msg", env)
            if not sub.poll(15000):
                sys.exit("no complaint.received within 15 s for queued complaint %d" % n)
            sub.recv_multipart()
            queue_path.append(time.perf_counter() - t)

        pid = s.procs["complaints"].pid
        c0, t0 = cpu_seconds(pid), time.time()
        time.sleep(5)
        idle_cpu = (cpu_seconds(pid) - c0) / (time.time() - t0)

        print("idle path, %d complaints, each after the queue was idle (ms):" % N)
        for name, values in (("redis PING round trip", ping), ("complaint.submit on the socket", socket_path),
                             ("intake queue: XADD to complaint.received", queue_path)):
            print("  %-42s p50 %6.2f  p99 %6.2f  max %6.2f" % (name, pct(values, 50), pct(values, 99),
                                                                pct(values, 100)))
        print("  ratio intake p99 / socket p99: %.2f" % (pct(queue_path, 99) / pct(socket_path, 99)))
        print("complaints idle: %.0f CPU us per second (all its threads)" % (idle_cpu * 1e6))


if __name__ == "__main__":
    main()

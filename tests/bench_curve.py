"""Benchmark: what CURVE costs per request. One run, figures printed, not a test.

    /usr/bin/python3 tests/bench_curve.py [TOTAL]      (after building into ./build)

The same membership daemon build, once with IMVO_CURVE=off and once with CURVE on (certificates
as run.sh makes them), answers TOTAL `covenant.list` requests (a real handler that reads Redis; BENCH_TYPE=ping
for the transport alone)
from one DEALER with 64 in flight. Printed for each: requests/s, p50/p99 round trip, and CPU µs
per request of the daemon; then the ratio on/off.
"""
import os
import sys
import time
import uuid

import msgpack
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import System, zpl_keys  # noqa: E402

TOTAL = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
DEPTH = 64
MTYPE = os.environ.get("BENCH_TYPE", "covenant.list")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def run(curve):
    with System(["membership"], curve=curve) as s:
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        if curve:
            sock.curve_publickey, sock.curve_secretkey = zpl_keys(os.path.join(s.certs, "admin.txt_secret"))
            sock.curve_serverkey = zpl_keys(os.path.join(s.certs, "daemon.txt"))[0]
        sock.connect(s.endpoint("membership"))
        frame = lambda: msgpack.packb({"v": 1, "id": uuid.uuid4().hex, "type": MTYPE, "body": {},
                                       "actor": {"role": "secretariat"}})
        # Warm up (the handshake, the scripts).
        sock.send(frame())
        sock.recv()
        pid = s.procs["membership"].pid
        cpu0, t0 = cpu_seconds(pid), time.time()
        sent, done, lat, waiting = 0, 0, [], {}
        while done < TOTAL:
            while sent < TOTAL and len(waiting) < DEPTH:
                env = frame()
                waiting[msgpack.unpackb(env)["id"]] = time.time()
                sock.send(env)
                sent += 1
            reply = msgpack.unpackb(sock.recv(), raw=False)
            assert reply["ok"], reply
            lat.append(time.time() - waiting.pop(reply["id"]))
            done += 1
        elapsed = time.time() - t0
        cpu = (cpu_seconds(pid) - cpu0) * 1e6 / TOTAL
        sock.close()
        lat.sort()
        return TOTAL / elapsed, lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000, cpu


def main():
    off = run(False)
    on = run(True)
    for name, (rps, p50, p99, cpu) in (("CURVE off", off), ("CURVE on ", on)):
        print(("%s: %d " + MTYPE + ", %d in flight: %.0f requests/s, p50 %.2f ms, p99 %.2f ms, "
               "membership %.1f CPU us/request") % (name, TOTAL, DEPTH, rps, p50, p99, cpu))
    print("CURVE on / off: throughput %.2f, CPU per request %.2f" % (on[0] / off[0], on[3] / off[3]))


if __name__ == "__main__":
    main()

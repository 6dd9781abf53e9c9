"""Benchmark: does notify keep up with intake? One run, figures printed, not a test.

    /usr/bin/python3 tests/bench_notify.py [TOTAL]      (after building into ./build)

One Redis (AOF on, appendfsync always), membership, complaints and notify; the committee of
the textile covenant subscribes a webhook to a local HTTP receiver (threaded, keep-alive).
bench_submit files TOTAL complaints at the intake benchmark's top rate (8 connections x 8 in
flight) while a sampler reads, every 5 ms over one raw Redis connection, how many items the
secretariat's inbox holds and how far notify's consumer group is behind. Printed:
  1. the XADD round trip on that Redis (redis-benchmark -c 1, p50/p99): the floor of any lag;
  2. intake: acked/s;
  3. event -> inbox lag, p50/p99/max (event time: its stream id; arrival: the first sample
     that saw the inbox hold it), and the largest backlog (consumer-group lag) during the run;
  4. webhook deliveries per second to the receiver, and when the last one arrived;
  5. CPU us per complaint of Redis, complaints and notify; the SLOWLOG (bench_slowlog.py: no
     command over 1 ms; exits 1 when there is one).
"""
import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_slowlog  # noqa: E402
from bench_slowlog import Resp  # noqa: E402
from harness import BUILD_DIR, System  # noqa: E402

TOTAL = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
# The intake benchmark's top rate is 8 connections x 8 in flight; fewer make a steadier load.
CONNECTIONS, DEPTH = int(os.environ.get("BENCH_CONNECTIONS", 8)), int(os.environ.get("BENCH_DEPTH", 8))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def main():
    arrivals = []

    class Hook(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            arrivals.append(time.time())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    with System(["membership", "complaints", "notify"]) as s:
        org = s.respondent
        s.redis.cli("CONFIG", "SET", "auto-aof-rewrite-percentage", "0")
        if not os.environ.get("BENCH_NO_WEBHOOK"):
          s.ok("notify", "subscription.put", {"recipient": "committee:textile", "channel": "webhook", "lang": "en",
                                            "address": "http://127.0.0.1:%d/hook" % server.server_address[1],
                                            "types": ["complaint.received"]})
        ref = subprocess.run(["redis-benchmark", "-p", str(s.redis.port), "-c", "1", "-n", "20000",
                              "XADD", "bench:xadd", "MAXLEN", "1000", "*", "f", "v"],
                             capture_output=True, text=True, check=True).stdout.replace("\r", "\n")
        summary = ref[ref.index("latency summary"):].split("\n")
        head, values = summary[1].split(), summary[2].split()
        xadd = dict(zip(head, values))
        print("1. XADD round trip (redis-benchmark -c 1): p50 %s ms, p99 %s ms" % (xadd["p50"], xadd["p99"]))
        bench_slowlog.start(s.redis)

        stream = "imvo:complaints:{textile}:events"
        inbox_key = "imvo:notify:{secretariat:textile}:inbox"
        conn = Resp(s.redis.port)
        inbox0 = conn.call("ZCARD", inbox_key)
        samples, backlog = [], [0]
        done = threading.Event()

        def sample():
            while not done.is_set():
                n = conn.call("ZCARD", inbox_key)
                samples.append((time.time(), n - inbox0))
                groups = conn.call("XINFO", "GROUPS", stream)
                for g in groups or []:
                    info = dict(zip(g[0::2], g[1::2]))
                    if info.get(b"name") == b"notify" and isinstance(info.get(b"lag"), int):
                        backlog[0] = max(backlog[0], info[b"lag"] + info[b"pending"])
                if n - inbox0 >= TOTAL:
                    return
                time.sleep(0.005)

        pids = {name: s.procs[name].pid for name in ("complaints", "notify")}
        pids["redis"] = s.redis.proc.pid
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        last = conn.call("XREVRANGE", stream, "+", "-", "COUNT", "1")
        first_id = last[0][0] if last else b"0-0"
        sampler = threading.Thread(target=sample)
        sampler.start()
        out = subprocess.run([os.path.join(BUILD_DIR, "tests", "bench_submit"), s.endpoint("complaints"),
                              str(CONNECTIONS), str(DEPTH), str(TOTAL), org],
                             capture_output=True, text=True)
        if out.returncode:
            print(out.stdout, out.stderr)
            raise SystemExit(1)
        acked = float(re.search(r"per_second=([\d.]+)", out.stdout).group(1))
        sampler.join(300)
        done.set()
        cpu = {name: (cpu_seconds(pid) - before[name]) * 1e6 / TOTAL for name, pid in pids.items()}
        print("2. intake: %d complaints, %.0f acked/s (%dx%d in flight)" % (TOTAL, acked, CONNECTIONS, DEPTH))

        # Each complaint event's time is its stream id; it arrived when the inbox first held
        # as many items as its place in the stream.
        entries, after = [], first_id
        while True:                 # in pages: one XRANGE of the whole run would hold Redis for ms
            page = conn.call("XRANGE", stream, b"(" + after, "+", "COUNT", "500")
            entries += page or []
            if not page or len(page) < 500:
                break
            after = page[-1][0]
        times = [int(e[0].split(b"-")[0]) / 1000.0 for e in entries
                 if e[1][e[1].index(b"type") + 1] == b"complaint.received"][:TOTAL]
        lags, k = [], 0
        for at, n in samples:
            while k < len(times) and k < n:
                lags.append((at - times[k]) * 1000)
                k += 1
        print("3. event -> inbox lag over %d events: p50 %.1f ms, p99 %.1f ms, max %.1f ms; largest backlog %d events"
              % (len(lags), percentile(lags, 0.5), percentile(lags, 0.99), max(lags) if lags else float("nan"),
                 backlog[0]))
        s.wait_for(lambda: len(arrivals) >= TOTAL, timeout=300, interval=0.02)
        if len(arrivals) >= 2:
            span = arrivals[-1] - arrivals[0]
            print("4. webhook: %d deliveries in %.2f s, %.0f/s; the last %.2f s after the last event"
                  % (len(arrivals), span, len(arrivals) / span if span else 0, arrivals[-1] - times[-1]))
        print("5. CPU us per complaint: " + ", ".join("%s %.1f" % (n, cpu[n]) for n in ("redis", "complaints", "notify"))
              + " (notify: inbox items until the sampler saw the last; deliveries not all in)")
        stats = s.ok("notify", "stats", {})
        print("   notify: %d batches, largest %d; deliveries %s" % (stats["batches"], stats["largest_batch"],
                                                                    stats["deliveries"]))
        bench_slowlog.report(s.redis, "intake, inbox and webhooks")
        calls = re.search(r"cmdstat_evalsha:calls=(\d+),usec=(\d+)", s.redis.cli("INFO", "commandstats"))
        print("   Redis scripts in the whole run: %s calls, %.1f us each on average" % (calls.group(1), int(calls.group(2)) / int(calls.group(1))))
    server.shutdown()
    if bench_slowlog.failed():
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Benchmark: the staff queue's queries on a covenant of many cases (issue 19, C).

    /usr/bin/python3 tests/bench_console_queries.py [CASES]    (after building; IMVO_BUILD_DIR)

Files CASES complaints (default 100,000) into one covenant through complaint.submit (64 in
flight on one DEALER), with summaries and descriptions drawn from a vocabulary of 2,000 words
so that word sets have realistic sizes (bench_cases.py, shared with bench_console.py). Then
times, each 200 times, one request at a time: complaint.list's first page (limit 50), a page
of one status, a one-word search of a rare word, a two-word search of common words, an overdue
page, and an export page. Prints p50/p99 in ms and the Redis SLOWLOG (commands over 1 ms) of
the query phase.
Not a test: it prints figures.
"""
import os
import sys
import time
import uuid

import msgpack

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_cases import VOCAB, dealer, fill  # noqa: E402
from harness import System  # noqa: E402

CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
ROUNDS = 200


def timed(s, mtype, body):
    sock = dealer(s, "complaints")
    times, last = [], None
    for _ in range(ROUNDS):
        req = msgpack.packb({"v": 1, "id": uuid.uuid4().hex, "type": mtype, "body": body,
                             "actor": {"role": "secretariat", "person": "bench"}})
        t = time.perf_counter()
        sock.send(req)
        assert sock.poll(10000)
        last = msgpack.unpackb(sock.recv_multipart()[-1], raw=False)
        times.append((time.perf_counter() - t) * 1000)
        assert last.get("ok"), last
    sock.close()
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99) - 1], last["body"]


def main():
    with System(["complaints"]) as s:
        covenant = "textile"
        n, secs = fill(s, covenant, CASES)
        print("filed %d cases in %.1f s (%.0f/s)" % (n, secs, n / secs))
        s.redis.cli("CONFIG", "SET", "slowlog-log-slower-than", "1000")
        s.redis.cli("SLOWLOG", "RESET")
        rare = VOCAB[1500]
        queries = [
            ("first page (limit 50)", "complaint.list", {"covenant": covenant, "limit": 50}),
            ("first page, all covenants", "complaint.list", {"limit": 50}),
            ("status received", "complaint.list", {"covenant": covenant, "status": "received", "limit": 50}),
            ("word search, a rare word", "complaint.list", {"covenant": covenant, "q": rare, "limit": 50}),
            ("word search, two common words", "complaint.list", {"covenant": covenant, "q": "w0001 w0002", "limit": 50}),
            ("word search, common + rare", "complaint.list", {"covenant": covenant, "q": "w0000 " + rare, "limit": 50}),
            ("overdue: false", "complaint.list", {"covenant": covenant, "overdue": False, "limit": 50}),
            ("export page (1000 cases)", "complaint.export", {"covenant": covenant}),
        ]
        print("%-32s %9s %9s %7s" % ("query", "p50 ms", "p99 ms", "cases"))
        for name, mtype, body in queries:
            p50, p99, last = timed(s, mtype, body)
            count = len(last.get("cases", [])) if "cases" in last else last.get("csv", "").count("\n") - 1
            print("%-32s %9.2f %9.2f %7d" % (name, p50, p99, count))
        slow = s.redis.slowlog()
        print("SLOWLOG over 1 ms during the queries: %d" % len(slow))
        for us, words in slow[:10]:
            print("  %6d us  %s" % (us, " ".join(str(w) for w in words)[:120]))


if __name__ == "__main__":
    main()

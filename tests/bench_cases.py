"""Many cases in one covenant, filed fast: the loading shared by the console's benchmarks
(bench_console_queries.py, bench_console.py).

fill() files complaints through complaint.submit, 64 in flight on one DEALER (with CURVE, as
the tests' administrator), with summaries and descriptions drawn from a vocabulary of 2,000
words with Zipf-like weights (a few words in many cases, most in few), so that the word sets
the search intersects have realistic sizes. VOCAB[1] and VOCAB[2] are common words, VOCAB[1500]
a rare one.
"""
import os
import random
import sys
import time
import uuid

import msgpack
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import zpl_keys  # noqa: E402

VOCAB = ["w%04d" % i for i in range(2000)]
WEIGHTS = [1.0 / (i + 1) for i in range(len(VOCAB))]


def text(rng, n):
    return " ".join(rng.choices(VOCAB, WEIGHTS, k=n))


def dealer(s, name):
    """A DEALER to the daemon (with CURVE, as the tests' administrator, role secretariat)."""
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    if s.curve:
        sock.curve_publickey, sock.curve_secretkey = zpl_keys(os.path.join(s.certs, "admin.txt_secret"))
        sock.curve_serverkey = zpl_keys(os.path.join(s.certs, "daemon.txt"))[0]
    sock.connect(s.endpoint(name))
    return sock


def fill(s, covenant, cases, seed=19, in_flight=64):
    """Files `cases` complaints against s.respondent; returns (acked, seconds)."""
    rng = random.Random(seed)
    sock = dealer(s, "complaints")
    sent = acked = errors = 0
    started = time.time()
    while acked + errors < cases:
        while sent < cases and sent - acked - errors < in_flight:
            body = {"covenant": covenant, "respondent": s.respondent, "summary": text(rng, 6),
                    "description": text(rng, 40), "complainant": {"anonymous": True}}
            sock.send(msgpack.packb({"v": 1, "id": uuid.uuid4().hex, "type": "complaint.submit", "body": body}))
            sent += 1
        if sock.poll(30000):
            r = msgpack.unpackb(sock.recv_multipart()[-1], raw=False)
            if r.get("ok"):
                acked += 1
            else:
                errors += 1
                if errors < 3:
                    print("error:", r, file=sys.stderr)
        else:
            raise SystemExit("the daemon stopped answering")
    sock.close()
    return acked, time.time() - started

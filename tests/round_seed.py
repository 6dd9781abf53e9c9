"""Many companies in one covenant, seeded fast: the loading shared by the monitoring console's
test (tests/test_console_monitoring.py) and benchmark (tests/bench_round.py).

pipeline() sends requests to a daemon over one DEALER (with CURVE as the tests' administrator,
role secretariat), `in_flight` at a time, and returns the replies in the order of the requests.
seed() registers n companies (org.register), makes them parties of a covenant (member.join)
and files a plan for most of them (submission.put), each step pipelined.
"""
import os
import sys
import uuid

import msgpack

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_cases import dealer  # noqa: E402


def pipeline(s, service, requests, in_flight=64, actor=None):
    """requests: [(type, body)]; the reply envelopes in their order (AssertionError on a timeout)."""
    sock = dealer(s, service)
    try:
        ids = [uuid.uuid4().hex for _ in requests]
        replies, sent = {}, 0
        while len(replies) < len(requests):
            while sent < len(requests) and sent - len(replies) < in_flight:
                mtype, body = requests[sent]
                req = {"v": 1, "id": ids[sent], "type": mtype, "body": body,
                       "actor": actor or {"role": "secretariat"}}
                sock.send(msgpack.packb(req))
                sent += 1
            assert sock.poll(30000), "no reply from %s" % service
            r = msgpack.unpackb(sock.recv_multipart()[-1], raw=False)
            replies[r["id"]] = r
        return [replies[i] for i in ids]
    finally:
        sock.close()


def answers_for(i, framework):
    """A plan's answers for the i-th company: points varying with i over every criterion."""
    out = {}
    for part in framework["parts"]:
        for c in part["criteria"]:
            out[c["id"]] = (i * 7 + len(out)) % (c["max"] + 1)
    return out


def seed(s, covenant, n, year, framework, with_plan=lambda i: i % 10 != 0, prefix="Company", in_flight=64):
    """n company parties of covenant, named '<prefix> <i>', most with a plan for year (every
    tenth none); returns their org ids."""
    made = pipeline(s, "membership", [("org.register", {"name": "%s %05d BV" % (prefix, i), "kind": "company",
                                                        "country": "NL"}) for i in range(n)], in_flight)
    assert all(r.get("ok") for r in made), [r for r in made if not r.get("ok")][:2]
    orgs = [r["body"]["org_id"] for r in made]
    joined = pipeline(s, "membership", [("member.join", {"covenant": covenant, "org_id": o, "role": "party"})
                                        for o in orgs], in_flight)
    assert all(r.get("ok") for r in joined), [r for r in joined if not r.get("ok")][:2]
    risks = [{"theme": "living_wage", "country": "BD", "severity": 3}, {"theme": "child_labour", "country": "IN",
                                                                        "severity": 4}]
    plans = [("submission.put", {"covenant": covenant, "org_id": o, "year": year, "answers": answers_for(i, framework),
                                 "risks": risks[:1 + i % 2]}) for i, o in enumerate(orgs) if with_plan(i)]
    put = pipeline(s, "scoring", plans, in_flight)
    assert all(r.get("ok") for r in put), [r for r in put if not r.get("ok")][:2]
    return orgs

"""Faults, measured: submits with retries by key while complaints is killed (SIGKILL) twice
and Redis (AOF, appendfsync always) once, then a check that nothing was lost or doubled.

Used by test_faults.py (a short run in ctest) and bench_faults.py (10,000 submits, figures).
The client is what the protocol (proto/README.md) asks of one: each complaint has its own idempotency key; a
request without a reply in time, or answered `unavailable`, is sent again with the same key.
"""
import threading
import time
import uuid

import msgpack
import zmq

from harness import System

IN_FLIGHT = 64
RESEND_AFTER = 2.0      # seconds without a reply before the same key is sent again


def body(s, n):
    return {"covenant": "textile", "respondent": s.respondent, "summary": "Fault run complaint %d" % n,
            "description": "Submitted while daemons and Redis are killed.", "complainant": {"anonymous": True}}


def run(total, log=print):
    """Returns a dict of figures; raises AssertionError when a guarantee did not hold."""
    with System(["membership", "complaints", "notify"]) as s:
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        connected = [s.endpoint("complaints")]
        sock.connect(connected[0])
        run_id = uuid.uuid4().hex[:8]
        keys = ["fault-%s-%d" % (run_id, n) for n in range(total)]
        acked = {}                  # key -> case_id
        waiting = {}                # request id -> (key index, sent at)
        next_n = 0
        resent = unavailable = misdelivered = 0
        faults = []
        progress = {"acked": 0}
        plan = [(0.25, "complaints"), (0.5, "redis"), (0.75, "complaints")]
        # The generator sends no key past the gate: a fault comes at its share of the run with
        # a window of requests in flight, however fast the rest would go without it.
        gate = {"n": int(plan[0][0] * total) + IN_FLIGHT}
        stop = threading.Event()

        def chaos():
            # Faults at a quarter, a half and three quarters of the acknowledgements.
            for k, (share, what) in enumerate(plan):
                while progress["acked"] < share * total and not stop.is_set():
                    time.sleep(0.005)
                if stop.is_set():
                    return
                t = time.time()
                at = progress["acked"]
                if what == "redis":
                    s.redis.proc.kill()
                    s.redis.proc.wait()
                    s.redis.start()
                else:
                    s.kill(what)
                    s.start(what)
                faults.append((what, at, time.time() - t))
                gate["n"] = int(plan[k + 1][0] * total) + IN_FLIGHT if k + 1 < len(plan) else total

        chaos_thread = threading.Thread(target=chaos)
        chaos_thread.start()
        started = time.time()

        def follow():
            # complaints comes back on the ports it gets then: the client follows it, as one
            # that looks its server up would, and lets go of the old ports while it is down
            # (another test's daemon may get them). Requests in flight are sent again.
            ports = s.bound("complaints")
            now = "tcp://127.0.0.1:%d" % ports[0] if ports else None
            if now != connected[0]:
                if connected[0]:
                    sock.disconnect(connected[0])
                if now:
                    sock.connect(now)
                connected[0] = now
            return now is not None

        def send(n):
            # Never blocks: a DEALER whose peer does not read (a daemon stopped, not yet seen
            # gone) blocks its sender once 1,000 requests queue for it, and the run would wait
            # past its deadline without a word. Not sent is as not answered: sent again later.
            rid = uuid.uuid4().hex
            env = {"v": 1, "id": rid, "type": "complaint.submit", "key": keys[n], "body": body(s, n)}
            try:
                sock.send(msgpack.packb(env), zmq.NOBLOCK)
            except zmq.Again:
                pass
            waiting[rid] = (n, time.time())

        try:
            deadline = time.time() + max(120, total / 50)
            while len(acked) < total and time.time() < deadline:
                pending_keys = {n for n, _ in waiting.values()}
                up = follow()
                while up and next_n < min(total, gate["n"]) and len(pending_keys) < IN_FLIGHT:
                    if keys[next_n] not in acked:
                        send(next_n)
                        pending_keys.add(next_n)
                    next_n += 1
                if sock.poll(50):
                    while True:
                        try:
                            reply = msgpack.unpackb(sock.recv(zmq.NOBLOCK), raw=False)
                        except zmq.Again:
                            break
                        got = waiting.pop(reply.get("id"), None)
                        if got is None:
                            continue            # a reply to a request sent again meanwhile
                        n, _ = got
                        if reply["ok"]:
                            case_id = reply["body"]["case_id"]
                            assert acked.get(keys[n], case_id) == case_id, "one key, two cases"
                            acked[keys[n]] = case_id
                            progress["acked"] = len(acked)
                        else:
                            if reply["error"]["code"] == "unknown_type" and "complaint.submit" in \
                                    reply["error"].get("message", ""):
                                # Another daemon, restarted on the port complaints had before
                                # the client followed it, answered: complaints never saw it.
                                misdelivered += 1
                            else:
                                assert reply["error"]["code"] == "unavailable", reply
                                unavailable += 1
                            # Sent again 100 ms from now, by the loop below.
                            waiting["retry-" + uuid.uuid4().hex] = (n, time.time() - RESEND_AFTER + 0.1)
                now = time.time()
                for rid, (n, at) in list(waiting.items()):
                    if now - at > RESEND_AFTER and keys[n] not in acked and up:
                        del waiting[rid]
                        if not any(m == n for m, _ in waiting.values()):
                            resent += not rid.startswith("retry-")
                            send(n)
                    elif keys[n] in acked:
                        del waiting[rid]
        finally:
            stop.set()
            chaos_thread.join()
            sock.close()
        elapsed = time.time() - started
        assert len(acked) == total, "only %d of %d acknowledged; faults %r; complaints' log ends:\n%s" % (
            len(acked), total, faults, s.log("complaints")[-3000:])
        assert len(faults) == 3, faults

        # Every acknowledged case exists once, and no key made two cases.
        cases = s.cases("textile")
        assert len(cases) == len(set(cases)) == total, (len(cases), len(set(cases)), total)
        assert set(cases) == set(acked.values()), "cases and acknowledgements differ"
        assert len(set(acked.values())) == total
        for case_id in list(acked.values())[:: max(1, total // 200)]:
            assert s.ok("complaints", "complaint.get", {"case_id": case_id},
                        actor={"role": "secretariat"})["case_id"] == case_id
        # The secretariat's inbox holds each case once.
        inbox_key = "imvo:notify:{secretariat:textile}:items"
        s.wait_for(lambda: int(s.redis.cli("HLEN", inbox_key)) >= total and s.drained("notify"), timeout=60)
        # (The secretariat also hears that the respondent joined: only complaints are counted.)
        received, cursor = [], None
        while True:
            query = {"recipient": "secretariat:textile", "limit": 1000}
            if cursor:
                query["cursor"] = cursor
            page = s.ok("notify", "inbox.list", query, actor={"role": "secretariat"})
            received += [i["case_id"] for i in page["items"] if i["type"] == "complaint.received"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        assert len(received) == len(set(received)) == total, (len(received), len(set(received)), total)
        assert set(received) == set(acked.values()), "inbox and acknowledgements differ"
        figures = {"submits": total, "seconds": round(elapsed, 2), "acked_per_second": round(total / elapsed),
                   "sent_again_after_2s_without_reply": resent, "answered_unavailable_and_sent_again": unavailable,
                   "answered_by_another_daemon_on_a_reused_port": misdelivered,
                   "faults": ["%s at %d acked (back in %.2f s)" % f for f in faults],
                   "cases": len(cases), "inbox_items": len(received)}
        log(figures)
        return figures

"""End to end: complaint -> complaints daemon -> outbox stream -> notify -> secretariat inbox.

Real redis-server, real daemons, real sockets (harness.py). Covers the foundation issue's
flows: the inbox names the case, idempotent submits, notify killed while complaints arrive,
Redis restarted mid-way, clean shutdown, a daemon started before Redis, dead-lettering.
"""
import json
import os
import signal
import subprocess
import unittest

import msgpack

from harness import BUILD_DIR, SERVICES, SharedSystem, System


def complaint(system, n=0, anonymous=False, covenant="textile"):
    body = {"covenant": covenant, "respondent": system.respondent,
            "summary": "Unpaid overtime at supplier %d" % n,
            "description": "Workers report unpaid overtime in line %d." % n,
            "complainant": {"anonymous": anonymous}}
    if not anonymous:
        body["complainant"].update({"name": "Worker %d" % n, "contact": "w%d@example.org" % n})
    return body


def inbox(system, recipient="secretariat:textile", kind="complaint."):
    """The recipient's items about complaints (the secretariat also hears of members joining)."""
    r = system.call("notify", "inbox.list", {"recipient": recipient, "limit": 1000})
    assert r and r["ok"], r
    return [i for i in r["body"]["items"] if i["type"].startswith(kind)]


class Shared(SharedSystem):
    """Tests that share one system: each files into a covenant (and reads inboxes) of its own."""

    SERVICES = ["complaints", "notify"]

    def test_submit_reaches_secretariat_inbox(self):
        s = self.s
        body = s.ok("complaints", "complaint.submit", complaint(s, 1, covenant="food"), key="e2e-1")
        case_id = body["case_id"]
        self.assertEqual(body["status"], "received")
        self.assertRegex(case_id, r"^FOOD-\d{4}-\d{4}$")
        items = s.wait_for(lambda: inbox(s, "secretariat:food"))
        self.assertEqual(len(items), 1)
        self.assertIn(case_id, items[0]["title"] + items[0]["text"])
        self.assertEqual(items[0]["type"], "complaint.received")
        # Other covenants' secretariats see nothing.
        self.assertEqual(inbox(s, "secretariat:insurance"), [])
        # The same through imvoctl, as a user would.
        out = s.imvoctl("inbox", "list", "secretariat:food")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(case_id, out.stdout)

    def test_imvoctl_reads_long_replies(self):
        # A reply of 700 items (over 100 KB): the client must not read the frame it freed
        # (heap-use-after-free under AddressSanitizer, SIGSEGV without it). bench_submit
        # files into textile: no other test of this class does.
        s = self.s
        out = subprocess.run([os.path.join(BUILD_DIR, "tests", "bench_submit"), s.endpoint("complaints"),
                              "2", "8", "700", s.respondent], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertTrue(s.wait_for(lambda: len(inbox(s)) == 700, timeout=30))
        out = s.imvoctl("inbox", "list", "secretariat:textile", "--limit", "1000")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.count("Nieuwe klacht TEXTILE-"), 700)
        out = s.imvoctl("--json", "call", "notify", "inbox.list", '{"recipient": "secretariat:textile", "limit": 1000}')
        self.assertEqual(out.returncode, 0, out.stderr)
        whole = json.loads(out.stdout)["items"]
        self.assertEqual(sum(i["type"] == "complaint.received" for i in whole), 700)
        # Page by page with the cursor: the same items in the same order.
        paged, cursor = [], None
        while True:
            body = {"recipient": "secretariat:textile", "limit": 64}
            if cursor:
                body["cursor"] = cursor
            page = s.ok("notify", "inbox.list", body)
            paged += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        self.assertEqual([i["event_id"] for i in paged], [i["event_id"] for i in whole])

    def test_inboxes_are_read_by_their_owners(self):
        s = self.s
        # A company and a covenant nothing else here writes to.
        acme = {"role": "company", "org": "org-901"}
        for recipient, actor, code, field in [
                ("secretariat:floriculture", acme, "forbidden", "recipient"),
                ("org:org-902", acme, "forbidden", "recipient"),
                ("org:org-901", {"role": "complainant"}, "forbidden", "actor.role")]:
            with self.subTest(recipient=recipient, actor=actor):
                r = s.call("notify", "inbox.list", {"recipient": recipient}, actor=actor)
                self.assertEqual((r["error"]["code"], r["error"]["field"]), (code, field), r)
        self.assertEqual(s.ok("notify", "inbox.list", {"recipient": "org:org-901"}, actor=acme)["items"], [])
        # (its secretariat did hear that the respondent joined: only complaints are counted)
        self.assertEqual(inbox(s, "secretariat:floriculture"), [])

    def test_same_key_twice_is_one_case(self):
        s = self.s
        def pensions(n):
            return complaint(s, n, anonymous=True, covenant="pensions")
        first = s.ok("complaints", "complaint.submit", pensions(2), key="same-key")
        second = s.ok("complaints", "complaint.submit", pensions(2), key="same-key")
        self.assertEqual(first, second)         # same case id, same receipt
        self.assertIn("receipt", first)
        # The same key with another body is a client's mistake: conflict, nothing written.
        r = s.call("complaints", "complaint.submit", pensions(3), key="same-key")
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("conflict", "key"), r)
        other = s.ok("complaints", "complaint.submit", pensions(2), key="other-key")
        self.assertNotEqual(other["case_id"], first["case_id"])
        self.assertEqual(len(s.cases("pensions")), 2)
        self.assertTrue(s.wait_for(lambda: len(inbox(s, "secretariat:pensions")) == 2))
        items = inbox(s, "secretariat:pensions")
        self.assertEqual(sorted(i["case_id"] for i in items), sorted([first["case_id"], other["case_id"]]))

    def test_req_and_dealer_clients_both_served(self):
        s = self.s
        req = msgpack.packb({"v": 1, "id": "req-1", "type": "ping", "body": {}})
        r = s.send_raw("complaints", [req], req=True)
        self.assertEqual(r["id"], "req-1")
        self.assertTrue(r["ok"])
        r = s.send_raw("complaints", req)
        self.assertEqual(r["id"], "req-1")


class EndToEnd(unittest.TestCase):
    """Each with a system of its own: they kill, stop or restart daemons and Redis, or run
    them with an environment of their own."""

    def test_notify_killed_while_100_complaints_arrive(self):
        with System(["complaints", "notify"]) as s:
            case_ids = []
            for n in range(100):
                if n == 30:
                    self.assertEqual(s.kill("notify"), -signal.SIGKILL)
                case_ids.append(s.ok("complaints", "complaint.submit", complaint(s, n), key="kill-%d" % n)["case_id"])
            self.assertEqual(len(set(case_ids)), 100)
            s.start("notify")
            self.assertTrue(s.wait_for(lambda: s.drained("notify"), timeout=30))
            items = inbox(s)
            self.assertEqual(len(items), 100)
            self.assertEqual(sorted(i["case_id"] for i in items), sorted(case_ids))
            self.assertEqual(len({i["event_id"] for i in items}), 100)

    def test_notify_killed_mid_consumption_no_duplicates(self):
        # Kill notify repeatedly while it works through a backlog: every event is applied
        # once even when it was read but not acknowledged.
        with System(["complaints"]) as s:
            case_ids = [s.ok("complaints", "complaint.submit", complaint(s, n), key="bk-%d" % n)["case_id"]
                        for n in range(100)]
            for _ in range(3):
                s.start("notify")
                # Killed once it has applied some of the backlog (not before it began).
                consumed = len(inbox(s))
                s.wait_for(lambda: len(inbox(s)) > consumed or s.drained("notify"), interval=0.005)
                s.kill("notify")
            s.start("notify")
            self.assertTrue(s.wait_for(lambda: s.drained("notify"), timeout=30))
            items = inbox(s)
            self.assertEqual(sorted(i["case_id"] for i in items), sorted(case_ids))

    def test_redis_restart_mid_way(self):
        with System(["complaints", "notify"]) as s:
            acked = []
            for n in range(20):
                acked.append(s.ok("complaints", "complaint.submit", complaint(s, n), key="r1-%d" % n)["case_id"])
            s.redis.stop()
            codes = set()
            for n in range(5):
                r = s.call("complaints", "complaint.submit", complaint(s, 100 + n), key="down-%d" % n)
                self.assertIsNotNone(r, "a daemon must answer while Redis is down")
                self.assertFalse(r["ok"])
                codes.add(r["error"]["code"])
            self.assertEqual(codes, {"unavailable"})
            ping = s.ok("complaints", "ping", {})
            self.assertEqual(ping["redis"], "down")
            s.redis.start()
            # The daemon reconnects on its own; once ping says Redis is ok, every request
            # works at once: no connection waits out a backoff of its own.
            self.assertTrue(s.wait_for(lambda: s.ok("complaints", "ping", {})["redis"] == "ok", timeout=15))
            for n in range(20, 40):
                r = s.call("complaints", "complaint.submit", complaint(s, n), key="r1-%d" % n)
                self.assertTrue(r and r["ok"], r)
                acked.append(r["body"]["case_id"])
            lists = [s.call("complaints", "complaint.list", {"limit": 5}, actor={"role": "secretariat"})
                     for _ in range(8)]      # served by the workers, each with its own connection
            self.assertTrue(all(r and r["ok"] for r in lists), lists)
            # Every acknowledged complaint survived (AOF, appendfsync always) ...
            for case_id in acked:
                self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": case_id})["case_id"], case_id)
            # ... and reached the inbox exactly once.
            self.assertTrue(s.wait_for(lambda: s.drained("notify"), timeout=30))
            self.assertEqual(sorted(i["case_id"] for i in inbox(s)), sorted(acked))

    def test_sigterm_exits_zero(self):
        with System(SERVICES) as s:
            for name in SERVICES:
                self.assertTrue(s.ok(name, "ping", {})["service"] == name)
            for name in SERVICES:
                self.assertEqual(s.stop(name), 0, s.log(name))

    def test_daemon_started_before_redis_waits(self):
        s = System(["complaints"])
        try:
            s.start("complaints", wait=False)
            self.assertTrue(s.wait_for(lambda: "waiting for redis" in s.log("complaints")))
            self.assertIsNone(s.procs["complaints"].poll(), "the daemon must wait for Redis, not exit")
            s.redis.start()
            s.wait_ready("complaints")
            # membership comes up last: complaints reads its members once it answers.
            s.start("membership")
            s.respondent = s.company("Late Brand BV", ["textile"])
            s.ok("complaints", "complaint.submit", complaint(s, 1), key="late")
        finally:
            s.close()

    def test_redis_password_from_url(self):
        with System(["complaints", "notify"], password="s3cret-pw") as s:
            case_id = s.ok("complaints", "complaint.submit", complaint(s, 3), key="pw")["case_id"]
            items = s.wait_for(lambda: inbox(s))
            self.assertEqual(items[0]["case_id"], case_id)

    def test_failing_event_goes_to_dead_letter_stream(self):
        env = {"IMVO_MAX_ATTEMPTS": "3", "IMVO_CLAIM_IDLE_MS": "100"}
        with System(["complaints"], env=env) as s:
            stream = "imvo:complaints:{textile}:events"
            # An event notify cannot apply: its body lacks the case id.
            s.redis.cli("XADD", stream, "*", "type", "complaint.received", "source", "complaints",
                        "at", "1", "body", "\x80")
            s.redis.cli("SADD", "imvo:complaints:streams", stream)     # as complaints does
            s.start("notify")
            dead = stream + ":dead"
            self.assertTrue(s.wait_for(lambda: s.redis.cli("XLEN", dead).strip() == "1", timeout=20),
                            s.log("notify"))
            self.assertEqual(s.redis.cli("XPENDING", stream, "notify").split("\n")[0].strip(), "0")
            # A good event behind it still flows.
            case_id = s.ok("complaints", "complaint.submit", complaint(s, 4), key="after-dead")["case_id"]
            self.assertTrue(s.wait_for(lambda: any(i["case_id"] == case_id for i in inbox(s))))
            stats = s.ok("notify", "stats", {})
            self.assertGreaterEqual(stats["events_failed"], 3)

    def test_pending_replay_reads_each_failing_event_once(self):
        # 200 events notify cannot apply stay pending (few attempts, no reclaim yet). On restart
        # the pending list is replayed once, not the first batch over and over.
        env = {"IMVO_MAX_ATTEMPTS": "100", "IMVO_CLAIM_IDLE_MS": "600000"}
        with System(["notify"], env=env) as s:
            stream = "imvo:complaints:{textile}:events"
            s.redis.cli("XGROUP", "CREATE", stream, "notify", "$", "MKSTREAM")
            s.redis.cli("SADD", "imvo:complaints:streams", stream)     # as complaints does
            s.redis.pipe(["XADD", stream, "*", "type", "complaint.received", "source", "complaints",
                          "at", "1", "body", "\x80"] for _ in range(200))
            self.assertTrue(s.wait_for(lambda: s.ok("notify", "stats", {})["events_failed"] >= 200, timeout=20))
            self.assertEqual(s.stop("notify"), 0)
            s.start("notify")
            # Each entry was delivered once before the restart and once in its replay: had the
            # replay read the first batch over and over, those would count more before the
            # last entries reached two.
            def deliveries():
                out = s.redis.cli("XPENDING", stream, "notify", "-", "+", "1000").split()
                return [int(n) for n in out[3::4]]
            self.assertTrue(s.wait_for(lambda: min(deliveries()) >= 2, timeout=20), deliveries())
            counts = deliveries()
            self.assertEqual((len(counts), max(counts)), (200, 2), counts)
            self.assertEqual(s.ok("notify", "stats", {})["events_failed"], 200)
            self.assertEqual(s.stop("notify"), 0)


if __name__ == "__main__":
    unittest.main()

"""Identities that cannot be forged: the daemons run with CURVE as the README starts them, and
each test is one threat (docs/SECURITY.md): a client without a certificate, a company that
claims to be the secretariat, a company reading another's inbox or case, a complainant
certificate doing more than a complainant may, and the daemons' own calls and event
consumers, which use their service certificate."""
import os
import subprocess
import unittest

from harness import USER_PASSWORD, System, imvoctl_path


def complaint(respondent, n=0):
    return {"covenant": "textile", "respondent": respondent, "summary": "Case %d" % n,
            "description": "What happened in case %d." % n,
            "complainant": {"anonymous": False, "name": "Worker Secret", "contact": "secret@example.org"}}


class Curve(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = System(["complaints", "notify"], curve=True).__enter__()
        s = cls.s
        cls.acme = s.company("Acme BV", ["textile"])
        cls.other = s.company("Other BV", ["textile"])
        cls.acme_cert = s.cert("acme", "company", cls.acme)
        cls.other_cert = s.cert("other", "company", cls.other)
        cls.worker_cert = s.cert("worker", "complainant")
        cls.case = s.ok("complaints", "complaint.submit", complaint(cls.acme))
        s.ok("complaints", "complaint.transition", {"case_id": cls.case["case_id"], "to": "admissibility",
                                                    "reason": "checked"})

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def code(self, r):
        self.assertIsNotNone(r, "no reply")
        self.assertFalse(r["ok"], r)
        return r["error"]["code"], r["error"]["field"]

    def test_a_client_without_a_known_certificate_gets_nothing(self):
        s = self.s
        # No CURVE at all: the handshake fails, nothing is answered.
        plain = System([], curve=False)
        plain.ports = s.ports
        try:
            self.assertIsNone(plain.call("membership", "ping", {}, timeout=500))
        finally:
            plain.redis.stop()
        # A certificate that is not in IMVO_CERT_DIR: refused as well.
        stranger = s.cert("stranger", "secretariat")
        os.unlink(os.path.join(s.certs, "clients", "stranger.txt"))
        self.assertIsNone(s.call("membership", "ping", {}, timeout=500, cert=stranger))
        # imvoctl without a certificate says what is missing.
        env = dict(s.env(), IMVO_CERT="/nonexistent", IMVO_RUN_DIR="/nonexistent")
        out = subprocess.run([imvoctl_path(), "--timeout", "300", "ping", "membership"], env=env,
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("IMVO_CERT", out.stderr)

    def test_a_company_that_claims_to_be_the_secretariat_is_a_company(self):
        s = self.s
        claim = {"role": "secretariat"}
        r = s.call("notify", "inbox.list", {"recipient": "secretariat:textile"}, actor=claim, cert=self.acme_cert)
        self.assertEqual(self.code(r), ("forbidden", "recipient"))
        r = s.call("complaints", "complaint.list", {"covenant": "textile"}, actor=claim, cert=self.acme_cert)
        self.assertEqual(self.code(r)[0], "forbidden")
        # Its own case, without the complainant's identity, whatever the envelope says.
        got = s.call("complaints", "complaint.get", {"case_id": self.case["case_id"]}, actor=claim,
                     cert=self.acme_cert)
        self.assertTrue(got["ok"], got)
        self.assertNotIn("Worker Secret", repr(got))
        # The same envelope from the administrator's certificate is the secretariat.
        got = s.ok("complaints", "complaint.get", {"case_id": self.case["case_id"], "identity": True}, actor=False)
        self.assertIn("Worker Secret", repr(got))

    def test_a_company_reads_neither_another_companys_inbox_nor_its_case(self):
        s = self.s
        mine = {"role": "company", "org": self.other}
        r = s.call("notify", "inbox.list", {"recipient": "org:" + self.acme}, actor=mine, cert=self.other_cert)
        self.assertEqual(self.code(r), ("forbidden", "recipient"))
        # Even naming the other company in the envelope: the certificate says who it is.
        r = s.call("notify", "inbox.list", {"recipient": "org:" + self.acme},
                   actor={"role": "company", "org": self.acme}, cert=self.other_cert)
        self.assertEqual(self.code(r), ("forbidden", "recipient"))
        r = s.call("complaints", "complaint.get", {"case_id": self.case["case_id"]}, actor=mine, cert=self.other_cert)
        self.assertIn(self.code(r)[0], ("forbidden", "not_found"))
        # Its own inbox it reads, and it heard of its case (a daemon's consumer with CURVE).
        self.assertTrue(s.wait_for(lambda: s.ok("notify", "inbox.list", {"recipient": "org:" + self.acme},
                                                cert=self.acme_cert)["items"]))

    def test_a_complainant_certificate_submits_follows_and_writes_only(self):
        s = self.s
        w = self.worker_cert
        body = complaint(self.acme, 2)
        body["complainant"] = {"anonymous": True}
        mine = s.call("complaints", "complaint.submit", body, actor={"role": "secretariat"}, cert=w)
        self.assertTrue(mine["ok"], mine)
        receipt = mine["body"]["receipt"]
        self.assertTrue(s.call("complaints", "complaint.status", {"receipt": receipt}, cert=w)["ok"])
        self.assertTrue(s.call("complaints", "complaint.message", {"receipt": receipt, "text": "More news"},
                               cert=w)["ok"])
        for daemon, mtype, b in [("complaints", "complaint.list", {"covenant": "textile"}),
                                 ("complaints", "complaint.get", {"case_id": self.case["case_id"]}),
                                 ("complaints", "complaint.transition", {"case_id": mine["body"]["case_id"],
                                                                         "to": "withdrawn", "reason": "x"}),
                                 ("notify", "inbox.list", {"recipient": "secretariat:textile"}),
                                 ("membership", "org.register", {"name": "Fake", "kind": "company", "country": "NL"})]:
            with self.subTest(mtype=mtype):
                r = s.call(daemon, mtype, b, actor={"role": "secretariat"}, cert=w)
                self.assertEqual(self.code(r)[0], "forbidden", r)

    def test_guessing_receipts_is_throttled_and_the_store_holds_keyed_hashes(self):
        s = self.s
        guesser = s.cert("guesser", "complainant")
        body = complaint(self.acme, 3)
        body["complainant"] = {"anonymous": True}
        receipt = s.ok("complaints", "complaint.submit", body, cert=self.worker_cert)["receipt"]
        wrong = receipt[:-4] + ("AAAA" if not receipt.endswith("AAAA") else "BBBB")
        for _ in range(10):
            r = s.call("complaints", "complaint.status", {"receipt": wrong}, cert=guesser)
            self.assertEqual(self.code(r), ("not_found", "receipt"))
        # The eleventh try within the minute is refused, even with the right receipt, and by
        # every message that takes a receipt.
        for mtype, b in [("complaint.status", {"receipt": receipt}),
                         ("complaint.messages", {"receipt": receipt}),
                         ("complaint.message", {"receipt": receipt, "text": "hello"})]:
            with self.subTest(mtype=mtype):
                r = s.call("complaints", mtype, b, cert=guesser)
                self.assertEqual(self.code(r), ("busy", "receipt"))
        # Another client is not held up.
        self.assertTrue(s.call("complaints", "complaint.status", {"receipt": receipt}, cert=self.worker_cert)["ok"])
        # The store holds 64-hex keyed hashes (BLAKE2b with the server's key), never the
        # receipt or its plain SHA-1.
        import hashlib
        stored = s.redis.cli("HKEYS", "imvo:complaints:{textile}:receipts").split()
        self.assertTrue(stored and all(len(h) == 64 for h in stored), stored)
        self.assertNotIn(hashlib.sha1(receipt.encode()).hexdigest(), stored)
        self.assertNotIn(hashlib.blake2b(receipt.encode(), digest_size=32).hexdigest(), stored)
        dump = s.redis.cli("--no-raw", "HGETALL", "imvo:complaints:{textile}:receipts")
        self.assertNotIn(receipt, dump)

    def test_the_daemons_calls_and_consumers_use_their_certificates(self):
        s = self.s
        # complaints read the members from membership (a client call) and heard the companies
        # join (its consumer): it took a complaint against them; notify heard the complaint.
        case_id = self.case["case_id"]
        self.assertTrue(s.wait_for(lambda: any(i.get("case_id") == case_id for i in
                                               s.ok("notify", "inbox.list", {"recipient": "secretariat:textile"})["items"])))
        # A certificate added while the daemons run is let in.
        late = s.cert("late", "committee")
        self.assertTrue(s.wait_for(lambda: (s.call("complaints", "ping", {}, timeout=500, cert=late) or {}).get("ok")))


class RedisUsers(unittest.TestCase):
    """Each daemon's Redis user (deploy/redis/users.acl) touches only its own keys and the
    event streams it consumes."""

    def test_the_users_limits_hold(self):
        with System(["complaints", "notify"]) as s:
            org = s.respondent
            s.ok("complaints", "complaint.submit", complaint(org))

            def as_user(name, *args):
                out = subprocess.run(["redis-cli", "-p", str(s.redis.port), "--user", name, "--pass",
                                      USER_PASSWORD % name, "--no-auth-warning"] + list(args),
                                     capture_output=True, text=True)
                return out.stdout + out.stderr
            member_key = "imvo:membership:{orgs}:org:" + org
            self.assertIn(org, s.redis.cli("HGETALL", member_key))
            # complaints may not read membership's keys, nor write them.
            self.assertIn("NOPERM", as_user("complaints", "HGETALL", member_key))
            self.assertIn("NOPERM", as_user("complaints", "HSET", member_key, "name", "Forged"))
            self.assertIn("NOPERM", as_user("complaints", "XADD", "imvo:membership:{textile}:events", "*", "a", "b"))
            # notify reads the streams it consumes but not the cases behind them.
            self.assertIn("NOPERM", as_user("notify", "ZRANGE", "imvo:complaints:{textile}:cases", "0", "-1"))
            self.assertNotIn("NOPERM", as_user("notify", "XLEN", "imvo:complaints:{textile}:events"))
            # membership may not touch complaints' keys; nobody may run dangerous commands.
            self.assertIn("NOPERM", as_user("membership", "HGETALL", "imvo:complaints:{textile}:receipts"))
            for user in ("membership", "complaints", "scoring", "notify"):
                for command in (["FLUSHALL"], ["KEYS", "*"], ["CONFIG", "GET", "*"], ["ACL", "LIST"], ["SCRIPT", "FLUSH"]):
                    with self.subTest(user=user, command=command[0]):
                        self.assertIn("NOPERM", as_user(user, *command))
            # Their own keys they use: the case is there, read by complaints' user.
            self.assertNotIn("NOPERM", as_user("complaints", "ZCARD", "imvo:complaints:{textile}:cases"))


if __name__ == "__main__":
    unittest.main()

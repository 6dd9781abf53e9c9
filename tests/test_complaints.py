"""complaints daemon: complaint.submit validation, case ids, receipts, confidentiality, and
the Redis-facing parts of the runtime (NOSCRIPT) and the client's Lazy Pirate retry."""
import json
import os
import signal
import subprocess
import time
import unittest

from harness import System, imvoctl_path


RESPONDENT = {}     # the company of the running test class's system


def named(**over):
    body = {"covenant": "textile", "respondent": RESPONDENT.get("org"), "summary": "Locked fire exits",
            "description": "Doors were locked during the night shift.",
            "complainant": {"anonymous": False, "name": "Asha", "contact": "asha@example.org"}}
    body.update(over)
    return body


def anonymous(**over):
    body = named(**over)
    body["complainant"] = {"anonymous": True}
    return body


class Complaints(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = System(["complaints"]).__enter__()
        RESPONDENT["org"] = cls.s.respondent
        cls.acme = cls.s.company("Acme Garments BV", ["textile"])

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def error(self, body, mtype="complaint.submit", **kw):
        r = self.s.call("complaints", mtype, body, **kw)
        self.assertIsNotNone(r)
        self.assertFalse(r["ok"], r)
        return r["error"]

    def test_case_ids_count_per_covenant(self):
        a = self.s.ok("complaints", "complaint.submit", named(covenant="natural-stone"))["case_id"]
        b = self.s.ok("complaints", "complaint.submit", named(covenant="natural-stone"))["case_id"]
        year = time.gmtime().tm_year
        self.assertRegex(a, r"^NATURAL-STONE-%d-\d{4}$" % year)
        self.assertEqual(int(b[-4:]), int(a[-4:]) + 1)
        case = self.s.ok("complaints", "complaint.get", {"case_id": b})
        self.assertEqual(case["covenant"], "natural-stone")
        self.assertEqual(case["status"], "received")
        self.assertEqual((case["history"][0]["to"], case["history"][0].get("from")), ("received", None))

    def test_missing_and_wrong_fields_are_named(self):
        cases = [
            ({k: v for k, v in named().items() if k != "summary"}, "summary"),
            (named(covenant="Textile!"), "covenant"),
            (named(summary=""), "summary"),
            (named(summary="x" * 201), "summary"),
            (named(summary="two\nlines"), "summary"),
            (named(description=12), "description"),
            (named(complainant="me"), "complainant"),
            (named(complainant={"name": "A"}), "complainant.anonymous"),
            (named(complainant={"anonymous": "no"}), "complainant.anonymous"),
            (named(complainant={"anonymous": False, "contact": "x@y.z"}), "complainant.name"),
            (named(complainant={"anonymous": False, "name": "A"}), "complainant.contact"),
            (named(complainant={"anonymous": True, "name": "A"}), "complainant.name"),
            (named(complainant={"anonymous": True, "kind": "boss"}), "complainant.kind"),
            (named(complainant={"anonymous": True, "share_identity": True}), "complainant.share_identity"),
            (named(country="XX"), "country"),
            (named(country="nl"), "country"),
            (named(respondent="has space"), "respondent"),
            (named(description="bad \xff utf8".encode("latin-1")), "description"),
        ]
        for body, field in cases:
            with self.subTest(field=field, body=body):
                err = self.error(body)
                self.assertEqual(err["code"], "invalid_argument", err)
                self.assertEqual(err["field"], field, err)
                self.assertIn(field.split(".")[-1], err["message"])

    def test_anonymous_receipt_follows_the_case_and_is_stored_hashed(self):
        r = self.s.ok("complaints", "complaint.submit", anonymous(), key="anon-1")
        receipt = r["receipt"]
        self.assertRegex(receipt, r"^TEXTILE(-[0-9A-HJKMNP-TV-Z]{4}){4}$")
        status = self.s.ok("complaints", "complaint.status", {"receipt": receipt})
        self.assertEqual(status, {**status, "case_id": r["case_id"], "status": "received"})
        # Typed by a person: lower case, spaces, O for 0 and l for 1 still work.
        typed = " " + receipt.lower().replace("0", "o").replace("1", "l") + " "
        self.assertEqual(self.s.ok("complaints", "complaint.status", {"receipt": typed})["case_id"], r["case_id"])
        # The case keeps only a hash: the plain receipt is nowhere but in the idempotency record.
        case_key = "imvo:complaints:{textile}:case:" + r["case_id"]
        self.assertNotIn(receipt, self.s.redis.cli("HGETALL", case_key))
        keys = self.s.redis.cli("KEYS", "imvo:complaints:*").split()
        holders = [k for k in keys if self.s.redis.cli("TYPE", k).strip() == "string"
                   and receipt in self.s.redis.cli("GET", k)]
        self.assertEqual(len(holders), 1)
        self.assertIn(":idem:complaint.submit:anon-1", holders[0])
        ttl = int(self.s.redis.cli("TTL", holders[0]))
        self.assertTrue(0 < ttl <= 86400)
        # The anonymous case shows no identity, even to the secretariat.
        case = self.s.ok("complaints", "complaint.get", {"case_id": r["case_id"]})
        self.assertEqual(case["complainant"], {"anonymous": True})

    def test_wrong_receipts(self):
        for receipt, code in [("TEXTILE-0000-0000-0000-0000", "not_found"),
                              ("GOLD-ABCD-EFGH-JKMN-PQRS", "not_found"),
                              ("not a receipt", "invalid_argument"),
                              ("TEXTILE-UUUU-0000-0000-0000", "invalid_argument")]:
            with self.subTest(receipt=receipt):
                err = self.error({"receipt": receipt}, "complaint.status")
                self.assertEqual((err["code"], err["field"]), (code, "receipt"))

    def test_company_sees_own_cases_without_identity(self):
        secret = self.s.ok("complaints", "complaint.submit", named(respondent=self.acme))["case_id"]
        shared = self.s.ok("complaints", "complaint.submit", named(
            respondent=self.acme, complainant={"anonymous": False, "name": "Bo", "contact": "bo@x.org",
                                                "share_identity": True}))["case_id"]
        acme = {"role": "company", "org": self.acme}
        case = self.s.ok("complaints", "complaint.get", {"case_id": secret}, actor=acme)
        self.assertNotIn("name", case["complainant"])
        self.assertNotIn("contact", case["complainant"])
        case = self.s.ok("complaints", "complaint.get", {"case_id": shared}, actor=acme)
        self.assertEqual(case["complainant"]["name"], "Bo")
        err = self.error({"case_id": secret}, "complaint.get", actor={"role": "company", "org": "org-other"})
        self.assertEqual(err["code"], "forbidden")
        err = self.error({"case_id": secret}, "complaint.get", actor={"role": "complainant"})
        self.assertEqual(err["code"], "forbidden")
        full = self.s.ok("complaints", "complaint.get", {"case_id": secret}, actor={"role": "secretariat"})
        self.assertEqual(full["complainant"], {"anonymous": False, "identity_hidden": True})      # until asked for
        full = self.s.ok("complaints", "complaint.get", {"case_id": secret, "identity": True}, actor={"role": "secretariat"})
        self.assertEqual(full["complainant"]["name"], "Asha")

    def test_anonymous_contact_reaches_the_secretariat_only(self):
        # An anonymous worker may leave a contact (a union's number) for the secretariat.
        body = anonymous(respondent=self.acme)
        body["complainant"] = {"anonymous": True, "contact": "+880 1711 000000", "kind": "worker"}
        case_id = self.s.ok("complaints", "complaint.submit", body)["case_id"]
        case = self.s.ok("complaints", "complaint.get", {"case_id": case_id},
                         actor={"role": "company", "org": self.acme})
        self.assertEqual(case["complainant"], {"anonymous": True})
        full = self.s.ok("complaints", "complaint.get", {"case_id": case_id, "identity": True}, actor={"role": "secretariat"})
        self.assertEqual(full["complainant"]["contact"], "+880 1711 000000")

    def test_complainant_actor_without_org(self):
        # The protocol: actor.org may be absent or "" for a role without an organisation.
        for actor in ({"role": "complainant", "org": ""}, {"role": "complainant"}):
            with self.subTest(actor=actor):
                r = self.s.ok("complaints", "complaint.submit", anonymous(), actor=actor)
                self.assertEqual(self.s.ok("complaints", "complaint.status", {"receipt": r["receipt"]},
                                           actor=actor)["status"], "received")

    def test_unknown_case(self):
        err = self.error({"case_id": "TEXTILE-2026-9999"}, "complaint.get")
        self.assertEqual((err["code"], err["field"]), ("not_found", "case_id"))
        err = self.error({"case_id": "nonsense"}, "complaint.get")
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "case_id"))

    def test_list_newest_first_per_covenant_and_across(self):
        gold = [self.s.ok("complaints", "complaint.submit", named(covenant="gold"))["case_id"] for _ in range(3)]
        metals = self.s.ok("complaints", "complaint.submit", named(covenant="metals"))["case_id"]
        cases = self.s.ok("complaints", "complaint.list", {"covenant": "gold"})["cases"]
        self.assertEqual([c["case_id"] for c in cases], gold[::-1])
        self.assertEqual({c["status"] for c in cases}, {"received"})
        everything = self.s.ok("complaints", "complaint.list", {"limit": 1000})["cases"]
        ids = [c["case_id"] for c in everything]
        self.assertIn(metals, ids)
        self.assertTrue(set(gold) <= set(ids))
        times = [c["received_at"] for c in everything]
        self.assertEqual(times, sorted(times, reverse=True))
        self.assertEqual(len(self.s.ok("complaints", "complaint.list", {"limit": 2})["cases"]), 2)
        self.assertEqual(self.s.ok("complaints", "complaint.list", {"covenant": "forestry"})["cases"], [])
        err = self.error({"covenant": "gold"}, "complaint.list", actor={"role": "company", "org": "x"})
        self.assertEqual(err["code"], "forbidden")

    def test_list_pages_with_a_cursor(self):
        for n in range(12):
            self.s.ok("complaints", "complaint.submit", named(covenant="food", summary="page %d" % n))
            self.s.ok("complaints", "complaint.submit", named(covenant="insurance", summary="page %d" % n))
        for query in ({}, {"covenant": "food"}, {"status": "received"}):
            with self.subTest(query=query):
                whole = self.s.ok("complaints", "complaint.list", dict(query, limit=1000))
                self.assertNotIn("next_cursor", whole)
                paged, cursor = [], None
                for _ in range(100):
                    body = dict(query, limit=7)
                    if cursor:
                        body["cursor"] = cursor
                    page = self.s.ok("complaints", "complaint.list", body)
                    self.assertLessEqual(len(page["cases"]), 7)
                    paged += page["cases"]
                    cursor = page.get("next_cursor")
                    if not cursor:
                        break
                self.assertEqual([c["case_id"] for c in paged], [c["case_id"] for c in whole["cases"]])
        err = self.error({"cursor": "nonsense"}, "complaint.list")
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "cursor"))

    def test_scripts_reload_after_script_flush(self):
        self.s.redis.cli("SCRIPT", "FLUSH")
        self.s.ok("complaints", "complaint.submit", named())
        self.s.ok("complaints", "complaint.get", {"case_id": "TEXTILE-%d-0001" % time.gmtime().tm_year})


class Respondent(unittest.TestCase):
    def test_respondent_checked_against_the_members(self):
        with System(["membership", "complaints"]) as s:
            RESPONDENT["org"] = s.respondent
            company = s.company("Brand", ["textile"])
            union = s.ok("membership", "org.register", {"name": "FNV", "kind": "union", "country": "NL"})["org_id"]
            s.ok("membership", "member.join", {"covenant": "textile", "org_id": union, "role": "supporter"})
            s.ok("complaints", "complaint.submit", named(respondent=company))
            self.assertTrue(s.wait_for(lambda: s.redis.cli("HGET", "imvo:complaints:{textile}:members", union).strip()))
            for respondent in (union, "org-999", company + "x"):
                r = s.call("complaints", "complaint.submit", named(respondent=respondent))
                self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "respondent"), r)
            self.assertIn("not a company", s.call("complaints", "complaint.submit", named(respondent=union))["error"]["message"])
            r = s.call("complaints", "complaint.submit", named(covenant="gold", respondent=company))
            self.assertEqual(r["error"]["field"], "respondent")
            r = s.call("complaints", "complaint.submit", named(covenant="steel", respondent=company))
            self.assertEqual((r["error"]["code"], r["error"]["field"]), ("not_found", "covenant"), r)
            # Membership down: complaints needs no answer from it to take a complaint.
            s.stop("membership")
            s.ok("complaints", "complaint.submit", named(respondent=company))
            # A member that left is refused; a retry of a complaint taken before gets its reply.
            s.start("membership")
            first = s.ok("complaints", "complaint.submit", named(respondent=company), key="before-leaving")
            s.ok("membership", "member.leave", {"covenant": "textile", "org_id": company})
            self.assertTrue(s.wait_for(lambda: s.redis.cli("HEXISTS", "imvo:complaints:{textile}:members",
                                                           company).strip() == "0"))
            r = s.call("complaints", "complaint.submit", named(respondent=company))
            self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "respondent"), r)
            again = s.ok("complaints", "complaint.submit", named(respondent=company), key="before-leaving")
            self.assertEqual(again, first)

    def test_view_is_built_from_membership_when_complaints_starts_first(self):
        s = System(["complaints"])
        try:
            s.redis.start()
            s.start("complaints")
            # Without membership nothing is known yet: unavailable, not a wrong refusal.
            r = s.call("complaints", "complaint.submit", named(respondent="org-1"))
            self.assertEqual((r["error"]["code"], r["error"]["field"]), ("unavailable", "covenant"), r)
            s.start("membership")
            org = s.ok("membership", "org.register", {"name": "Early BV", "kind": "company", "country": "NL"})["org_id"]
            s.ok("membership", "member.join", {"covenant": "gold", "org_id": org, "role": "supporter"})
            case = s.wait_for(lambda: (lambda r: r if r and r["ok"] else None)(
                s.call("complaints", "complaint.submit", named(covenant="gold", respondent=org))), timeout=15)
            self.assertTrue(case and case["ok"], case)
            # The gold view may come from the member.joined event before complaints has read every
            # covenant: until then an unknown covenant is unavailable, after it not_found.
            seen = []

            def steel():
                r = s.call("complaints", "complaint.submit", named(covenant="steel", respondent=org))
                seen.append((r["error"]["code"], r["error"]["field"]))
                return seen[-1] == ("not_found", "covenant")
            self.assertTrue(s.wait_for(steel, timeout=30), seen[-3:])
            self.assertLessEqual(set(seen), {("unavailable", "covenant"), ("not_found", "covenant")}, seen)
        finally:
            s.close()


def client_ports(pid, port):
    """The local ports of process pid's TCP connections to port (ss -tnp)."""
    out = subprocess.run(["ss", "-tnpH", "dst", "127.0.0.1:%d" % port], capture_output=True, text=True).stdout
    return {int(line.split()[3].rsplit(":", 1)[1]) for line in out.splitlines() if "pid=%d," % pid in line}


class Client(unittest.TestCase):
    def test_imvoctl_exit_codes_and_json(self):
        with System(["complaints"]) as s:
            out = s.imvoctl("--json", "complaint", "submit", "--covenant", "textile", "--respondent", s.respondent,
                            "--summary", "Overtime", "--description", "Too many hours", "--anonymous")
            self.assertEqual(out.returncode, 0, out.stderr)
            reply = json.loads(out.stdout)
            self.assertEqual(reply["status"], "received")
            out = s.imvoctl("complaint", "status", reply["receipt"])
            self.assertEqual(out.returncode, 0)
            self.assertIn("status: received", out.stdout)
            out = s.imvoctl("complaint", "get", "TEXTILE-1999-0001")
            self.assertEqual(out.returncode, 2)
            self.assertEqual(out.stderr.count("\n"), 1)
            self.assertIn("not_found", out.stderr)
            out = s.imvoctl("complaint", "submit", "--covenant", "textile")
            self.assertEqual(out.returncode, 1)
            out = s.imvoctl("--timeout", "200", "ping", "scoring")   # not running
            self.assertEqual(out.returncode, 3)
            self.assertIn("no reply", out.stderr)
            self.assertEqual(out.stderr.count("\n"), 1)

    def test_lazy_pirate_retry_is_idempotent(self):
        # The daemon is frozen when the first attempt goes out; the client times out,
        # reconnects and sends again with the same key. Both copies reach the daemon once
        # it thaws: one case.
        with System(["complaints"]) as s:
            pid = s.procs["complaints"].pid
            os.kill(pid, signal.SIGSTOP)
            try:
                proc = subprocess.Popen([imvoctl_path(), "--json", "--timeout", "400", "--key", "lp-1",
                                         "complaint", "submit", "--covenant", "textile", "--respondent",
                                         s.respondent, "--summary", "s", "--description", "d", "--anonymous"],
                                        env=s.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                # Thawed once the first attempt timed out and the second is waiting: imvoctl's
                # connection to the daemon comes from another local port than the first one.
                first = s.wait_for(lambda: client_ports(proc.pid, s.bound("complaints")[0]), interval=0.01)
                self.assertTrue(first, "imvoctl did not connect")
                self.assertTrue(s.wait_for(lambda: client_ports(proc.pid, s.bound("complaints")[0]) - first,
                                           interval=0.01), "imvoctl did not try again")
            finally:
                os.kill(pid, signal.SIGCONT)
            out, err = proc.communicate(timeout=10)
            self.assertEqual(proc.returncode, 0, err)
            case_id = json.loads(out)["case_id"]
            # A late first copy would come right behind the reply: give it that long (a bound
            # for an absence, not a wait for a condition).
            time.sleep(0.3)
            self.assertEqual(s.cases("textile"), [case_id])


if __name__ == "__main__":
    unittest.main()

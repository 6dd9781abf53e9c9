"""The audit trail (issue 19): every change, by person, in each daemon's own streams
(imvo:<daemon>:{<covenant>|audit}:audit), and audit.list, which complaints answers for the
secretariat by reading them all. Real daemons, real Redis, each daemon as its Redis user."""
import json
import subprocess
import unittest
import uuid

from harness import SharedSystem, USER_PASSWORD


def complaint(org, covenant="textile", summary="Unpaid overtime"):
    return {"covenant": covenant, "respondent": org, "summary": summary,
            "description": "Forced overtime without pay.", "complainant": {"anonymous": True}}


class Audit(SharedSystem):
    SERVICES = ["membership", "complaints", "scoring"]

    def audit(self, **body):
        return self.s.ok("complaints", "audit.list", body)["items"]

    def person(self):
        return "p-" + uuid.uuid4().hex[:10]

    def test_a_change_names_the_person_who_made_it(self):
        anna = self.person()
        staff = {"role": "secretariat", "person": anna}
        case = self.s.ok("complaints", "complaint.submit", complaint(self.s.respondent), actor=False)["case_id"]
        self.s.ok("complaints", "complaint.transition", {"case_id": case, "to": "admissibility", "reason": "acknowledged"},
                  actor=staff)
        org = self.s.ok("membership", "org.register", {"name": "Audited BV", "kind": "company", "country": "NL"},
                        actor=staff)["org_id"]
        self.s.ok("membership", "member.join", {"covenant": "gold", "org_id": org, "role": "supporter"}, actor=staff)
        # The worker's entries are written before its reply; nothing to wait for.
        mine = self.audit(person=anna)
        self.assertEqual([(i["action"], i["target"], i["covenant"]) for i in mine],
                         [("member.join", org, "gold"), ("org.register", org, ""),
                          ("complaint.transition", case, "textile")])
        for item in mine:
            self.assertEqual((item["person"], item["role"], item["org"]), (anna, "secretariat", ""))
            self.assertEqual(set(item), {"at", "person", "role", "org", "action", "target", "covenant"})
        self.assertTrue(mine[0]["at"] >= mine[1]["at"] >= mine[2]["at"] > 0)
        # The pipelined submit: no person, the case it filed as its target.
        about = self.s.wait_for(lambda: [i for i in self.audit(case_id=case) if i["action"] == "complaint.submit"])
        self.assertEqual((about[0]["person"], about[0]["role"], about[0]["covenant"]), ("", "", "textile"))
        self.assertEqual([i["action"] for i in self.audit(case_id=case)], ["complaint.transition", "complaint.submit"])

    def test_filters(self):
        bob, eve = self.person(), self.person()
        case = self.s.ok("complaints", "complaint.submit", complaint(self.s.respondent, "metals"), actor=False)["case_id"]
        other = self.s.ok("complaints", "complaint.submit", complaint(self.s.respondent, "metals"), actor=False)["case_id"]
        for who, c in ((bob, case), (eve, other)):
            self.s.ok("complaints", "complaint.transition", {"case_id": c, "to": "admissibility", "reason": "ok"},
                      actor={"role": "secretariat", "person": who})
        self.s.ok("scoring", "framework.put", self.framework("metals"), actor={"role": "secretariat", "person": bob})
        self.assertEqual([(i["action"], i["target"]) for i in self.audit(person=bob)],
                         [("framework.put", "metals"), ("complaint.transition", case)])
        self.assertEqual([i["target"] for i in self.audit(person=eve)], [other])
        # A case's entries only, of any person; the covenant's of every daemon.
        self.assertTrue(all(i["target"] == case for i in self.audit(case_id=case)))
        metals = self.audit(covenant="metals", limit=500)
        self.assertTrue(metals and all(i["covenant"] == "metals" for i in metals))
        self.assertIn("framework.put", [i["action"] for i in metals])
        self.assertEqual(self.audit(covenant="metals", person=bob, case_id=case)[0]["action"], "complaint.transition")
        self.assertEqual(len(self.audit(limit=2)), 2)
        self.assertEqual(self.audit(person="nobody-" + uuid.uuid4().hex[:6]), [])
        # imvoctl audit list, with --case.
        out = self.s.imvoctl("--json", "audit", "list", "--case", case, "--person", bob, check=True).stdout
        self.assertEqual([i["target"] for i in json.loads(out)["items"]], [case])

    def framework(self, covenant):
        return {"covenant": covenant, "version": 1, "due": "12-31", "name": "audited framework",
                "parts": [{"code": "a", "name": "Part A", "weight": 100,
                           "criteria": [{"id": "a1", "text": "a1", "max": 4}]}],
                "bands": [{"code": "low", "min": 0}, {"code": "high", "min": 50}]}

    def test_only_the_secretariat_reads_it_and_bad_input_names_its_field(self):
        for actor in ({"role": "committee"}, {"role": "company", "org": self.s.respondent}, {"role": "service"}, False):
            r = self.s.call("complaints", "audit.list", {}, actor=actor)
            self.assertEqual(r["error"]["code"], "forbidden", actor)
        for body, field in (({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"covenant": "Not A Code"}, "covenant"),
                            ({"case_id": "nonsense"}, "case_id"), ({"person": "has space"}, "person"),
                            ({"covenant": "gold", "case_id": "TEXTILE-2026-0001"}, "case_id")):
            r = self.s.call("complaints", "audit.list", body)
            self.assertEqual((r["error"]["code"], r["error"].get("field")), ("invalid_argument", field), body)

    def test_secrets_never_reach_the_audit(self):
        ann = self.person()
        staff = {"role": "secretariat", "person": ann}
        user = "u" + uuid.uuid4().hex[:10]
        token = self.s.ok("membership", "account.create", {"username": user, "name": "Ann Staff", "email": "a@example.org",
                                                           "role": "committee"}, actor=staff)["enroll_token"]
        reset = self.s.ok("membership", "account.reset", {"username": user, "what": "password"}, actor=staff)["enroll_token"]
        self.assertEqual([(i["action"], i["target"]) for i in self.audit(person=ann)],
                         [("account.reset", user), ("account.create", user)])
        entries = self.s.redis.cli("XRANGE", "imvo:membership:{audit}:audit", "-", "+")
        self.assertIn(user, entries)
        for secret in (token, reset, "Ann Staff", "a@example.org"):
            self.assertNotIn(secret, entries)
        # A complainant who withdraws by receipt: the audit names the case, never the receipt.
        filed = self.s.ok("complaints", "complaint.submit", complaint(self.s.respondent, "gold"), actor=False)
        self.s.ok("complaints", "complaint.transition", {"receipt": filed["receipt"], "to": "withdrawn", "reason": "settled"},
                  actor={"role": "complainant"})
        withdrawn = [i for i in self.audit(case_id=filed["case_id"]) if i["action"] == "complaint.transition"]
        self.assertEqual((withdrawn[0]["role"], withdrawn[0]["target"]), ("complainant", filed["case_id"]))
        self.assertNotIn(filed["receipt"], self.s.redis.cli("XRANGE", "imvo:complaints:{gold}:audit", "-", "+"))

    def test_each_daemon_writes_only_its_own_and_complaints_only_reads(self):
        def as_user(name, *args):
            out = subprocess.run(["redis-cli", "-p", str(self.s.redis.port), "--user", name, "--pass",
                                  USER_PASSWORD % name, "--no-auth-warning"] + list(args), capture_output=True, text=True)
            return out.stdout + out.stderr
        self.assertNotIn("NOPERM", as_user("complaints", "XREVRANGE", "imvo:membership:{audit}:audit", "+", "-", "COUNT", "1"))
        self.assertNotIn("NOPERM", as_user("complaints", "SMEMBERS", "imvo:scoring:{audit}:streams"))
        self.assertIn("NOPERM", as_user("complaints", "XADD", "imvo:membership:{audit}:audit", "*", "action", "forged"))
        self.assertIn("NOPERM", as_user("complaints", "DEL", "imvo:membership:{audit}:audit"))
        self.assertIn("NOPERM", as_user("complaints", "SADD", "imvo:membership:{audit}:streams", "imvo:x"))
        self.assertIn("NOPERM", as_user("membership", "XADD", "imvo:complaints:{audit}:audit", "*", "action", "forged"))
        self.assertIn("NOPERM", as_user("scoring", "XREVRANGE", "imvo:membership:{audit}:audit", "+", "-"))


if __name__ == "__main__":
    unittest.main()

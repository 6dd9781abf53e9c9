"""A gateway speaks for a person (proto/README.md, "Roles"; issue 19's base): with CURVE, a
certificate of role `gateway` (the coming staff console) sends the envelope's actor
{role, org, person} of the person signed in to it, and the case's history and messages name
that person beside the role. No other certificate may: a company that claims a person and the
secretariat's role stays the company, without a person; a service certificate's person is
dropped; a gateway that names no role for the person gets only what anyone gets."""
import unittest

from harness import System


def complaint(respondent):
    return {"covenant": "textile", "respondent": respondent, "summary": "Forced overtime",
            "description": "Twelve-hour shifts, seven days a week.",
            "complainant": {"anonymous": True}}


class Gateway(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = System(["complaints"], curve=True).__enter__()
        s = cls.s
        cls.gateway = s.cert("console", "gateway")
        cls.acme = s.company("Acme BV", ["textile"])
        cls.acme_cert = s.cert("acme", "company", cls.acme)
        cls.service = s.cert("helper", "service")

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def case(self):
        return self.s.ok("complaints", "complaint.submit", complaint(self.acme))["case_id"]

    def test_the_history_names_the_person_the_gateway_speaks_for(self):
        s, case_id = self.s, self.case()
        alice = {"role": "secretariat", "org": "", "person": "alice"}
        moved = s.call("complaints", "complaint.transition", {"case_id": case_id, "to": "admissibility",
                                                              "reason": "acknowledged"}, actor=alice, cert=self.gateway)
        self.assertTrue(moved["ok"], moved)
        bob = {"role": "committee", "org": "", "person": "bob"}
        s.ok("complaints", "complaint.message", {"case_id": case_id, "text": "We are looking into it."}, actor=bob,
             cert=self.gateway)
        got = s.ok("complaints", "complaint.get", {"case_id": case_id})
        last = got["history"][-1]
        self.assertEqual((last["to"], last["by"], last["person"]), ("admissibility", "secretariat", "alice"))
        self.assertNotIn("person", got["history"][0])           # filed with the admin certificate
        msgs = s.redis.cli("LRANGE", "imvo:complaints:{textile}:case:%s:messages" % case_id, "0", "-1")
        self.assertIn("bob", msgs)

    def test_no_other_certificate_may_name_a_person(self):
        s, case_id = self.s, self.case()
        # A company that claims the secretariat's role and a person stays the company.
        r = s.call("complaints", "complaint.transition", {"case_id": case_id, "to": "admissibility",
                                                          "reason": "x"},
                   actor={"role": "secretariat", "person": "mallory"}, cert=self.acme_cert)
        self.assertEqual((r["ok"], r["error"]["code"], r["error"]["field"]), (False, "forbidden", "actor.role"), r)
        # A service certificate's person is dropped: the history says service, and no person.
        r = s.call("complaints", "complaint.update", {"case_id": case_id, "respondent": self.acme},
                   actor={"role": "secretariat", "person": "mallory"}, cert=self.service)
        self.assertEqual(r["error"]["code"], "forbidden", r)
        got = s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertNotIn("mallory", str(got))

    def test_a_gateway_without_a_person_role_gets_what_anyone_gets(self):
        s, case_id = self.s, self.case()
        r = s.call("complaints", "complaint.get", {"case_id": case_id}, actor=False, cert=self.gateway)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("forbidden", "actor.role"), r)
        r = s.call("complaints", "complaint.get", {"case_id": case_id}, actor={"role": "gateway"}, cert=self.gateway)
        self.assertEqual(r["error"]["code"], "forbidden", r)
        # Nor is a person ever a daemon: a gateway that claims service gets no service rights.
        r = s.call("complaints", "complaint.open", {"covenant": "textile", "respondent": self.acme},
                   actor={"role": "service", "person": "x"}, cert=self.gateway)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("forbidden", "actor.role"), r)
        # Anyone may ask for the public decisions, the gateway too.
        self.assertTrue(s.call("complaints", "complaint.decisions", {"covenant": "textile"}, actor=False,
                               cert=self.gateway)["ok"])

    def test_a_person_must_be_a_username(self):
        r = self.s.call("complaints", "complaint.get", {"case_id": "TEXTILE-2026-0001"},
                        actor={"role": "secretariat", "person": "two words"}, cert=self.gateway)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("bad_request", "actor.person"), r)


if __name__ == "__main__":
    unittest.main()

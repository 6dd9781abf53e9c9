"""Read your own writes across daemons (proto/README.md): a client that got `ok` for
member.join from membership may at once file a complaint against that company with complaints,
on the socket and through the intake queue, however far complaints' members view lags behind.

The lag is made certain, not hoped for: the test takes from complaints' Redis user the right to
read membership's events with its consumer group (its selector keeps only XRANGE), so the view
applies nothing until the right comes back. Without read-your-writes every complaint below would
be refused as `invalid_argument`."""
import unittest
import uuid

import msgpack

from harness import SharedSystem

STREAM = "imvo:complaints:intake"
SECRETARIAT = {"role": "secretariat"}


class ReadOwnWrites(SharedSystem):

    SERVICES = ["membership", "complaints"]

    def hold_view(self):
        """complaints' consumer can no longer read membership's events; returns the undo."""
        rules = [line for line in self.s.redis.cli("ACL", "LIST").splitlines() if line.startswith("user complaints ")]
        self.assertEqual(len(rules), 1, "the harness runs complaints as its own Redis user")
        self.s.redis.cli("ACL", "SETUSER", "complaints", "clearselectors",
                         "(+xrange ~imvo:membership:*:events)", "(+smembers %R~imvo:membership:streams)",
                         "(+hget +hmget %R~imvo:membership:*:member:* %R~imvo:membership:*:associated)")
        return lambda: self.s.redis.cli("ACL", "SETUSER", "complaints", "reset", *rules[0].split()[2:])

    def joined_company(self, covenant):
        org = self.s.ok("membership", "org.register", {"name": "Brand %s" % uuid.uuid4().hex[:6], "kind": "company",
                                                       "country": "NL"}, actor=SECRETARIAT)["org_id"]
        self.s.ok("membership", "member.join", {"covenant": covenant, "org_id": org, "role": "supporter"},
                  actor=SECRETARIAT)
        return org

    def complaint(self, covenant, respondent, n=0):
        body = {"covenant": covenant, "summary": "Locked fire exits %d" % n,
                "description": "The fire exits are locked during night shifts.",
                "complainant": {"anonymous": True}}
        if respondent:
            body["respondent"] = respondent
        return body

    def test_a_complaint_right_after_the_join_is_filed_on_the_socket(self):
        undo = self.hold_view()
        try:
            org = self.joined_company("textile")
            self.assertEqual(self.s.redis.cli("HEXISTS", "imvo:complaints:{textile}:members", org).strip(), "0",
                             "the view must lag for this test to mean anything")
            reply = self.s.call("complaints", "complaint.submit", self.complaint("textile", org), key=uuid.uuid4().hex)
            self.assertTrue(reply["ok"], reply)
            self.assertEqual(reply["body"]["status"], "received")
            # The secretariat sets a case's respondent with the same rule.
            other = self.joined_company("textile")
            case = self.s.ok("complaints", "complaint.submit", self.complaint("textile", None),
                             key=uuid.uuid4().hex)
            updated = self.s.call("complaints", "complaint.update", {"case_id": case["case_id"], "respondent": other},
                                  actor=SECRETARIAT)
            self.assertTrue(updated["ok"], updated)
        finally:
            undo()

    def test_a_complaint_right_after_the_join_is_filed_through_the_intake_queue(self):
        undo = self.hold_view()
        try:
            org = self.joined_company("gold")
            key = "form-" + uuid.uuid4().hex
            env = {"v": 1, "id": uuid.uuid4().hex, "type": "complaint.submit", "key": key,
                   "body": self.complaint("gold", org)}
            self.s.redis.pipe([["XADD", STREAM, "*", "msg", msgpack.packb(env)]])
            result = {}

            def done():
                result.update(self.s.ok("complaints", "complaint.intake_result", {"key": key},
                                        actor={"role": "service"}))
                return result["state"] != "pending"
            self.assertTrue(self.s.wait_for(done), result)
            self.assertEqual(result["state"], "done", result)
        finally:
            undo()

    def test_a_company_that_left_a_moment_ago_is_refused(self):
        undo = self.hold_view()
        try:
            org = self.joined_company("metals")
            self.s.ok("membership", "member.leave", {"covenant": "metals", "org_id": org}, actor=SECRETARIAT)
            reply = self.s.call("complaints", "complaint.submit", self.complaint("metals", org), key=uuid.uuid4().hex)
            self.assertFalse(reply["ok"])
            self.assertEqual((reply["error"]["code"], reply["error"]["field"]), ("invalid_argument", "respondent"))
        finally:
            undo()

    def test_a_company_that_never_joined_is_refused_at_once(self):
        org = self.s.ok("membership", "org.register", {"name": "Outsider BV", "kind": "company", "country": "NL"},
                        actor=SECRETARIAT)["org_id"]
        reply = self.s.call("complaints", "complaint.submit", self.complaint("textile", org), key=uuid.uuid4().hex)
        self.assertFalse(reply["ok"])
        self.assertEqual((reply["error"]["code"], reply["error"]["field"]), ("invalid_argument", "respondent"))
        self.assertIn("not a current member", reply["error"]["message"])

    def test_the_view_catches_up_once_it_may_read_again(self):
        undo = self.hold_view()
        try:
            org = self.joined_company("food")
        finally:
            undo()
        self.assertTrue(self.s.wait_for(
            lambda: self.s.redis.cli("HGET", "imvo:complaints:{food}:members", org).strip() == "company"))
        self.assertTrue(self.s.wait_for(
            lambda: self.s.redis.cli("XLEN", "imvo:membership:{food}:events").strip() != "0"
            and self.s.redis.cli("GET", "imvo:complaints:{food}:view_at").strip() != ""))


if __name__ == "__main__":
    unittest.main()

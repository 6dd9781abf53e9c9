"""The case from intake to a published decision (proto/README.md), against a real Redis,
membership and complaints: every allowed and refused move, who may send what, what the
company never sees, deadlines that fall due once (also while the daemon was down, and with two
replicas), messages, decisions, overdue, stats and the identity-read log."""
import os
import subprocess
import unittest

from harness import SharedSystem, System, daemon_path

SEC, COM = {"role": "secretariat"}, {"role": "committee"}
DAY = 86400


def submit(s, n=0, anonymous=False, share=False):
    body = {"covenant": "textile", "respondent": s.respondent, "summary": "Case %d" % n,
            "description": "What happened in case %d." % n, "complainant": {"anonymous": anonymous}}
    if not anonymous:
        body["complainant"].update({"name": "Worker %d" % n, "contact": "w%d@example.org" % n, "share_identity": share})
    return s.ok("complaints", "complaint.submit", body)


def move(s, case_id, to, actor, **extra):
    return s.call("complaints", "complaint.transition", dict({"case_id": case_id, "to": to, "reason": "because"},
                                                             **extra), actor=actor)


def read(path):
    with open(path) as f:
        return f.read()


def events(s, etype, covenant="textile"):
    return s.redis.cli("XRANGE", "imvo:complaints:{%s}:events" % covenant, "-", "+").split("\n").count(etype)


class LifeCycle(SharedSystem):

    SERVICES = ["complaints"]

    def ok(self, r):
        self.assertTrue(r.get("ok"), r)
        return r["body"]

    def code(self, r):
        self.assertFalse(r.get("ok"), r)
        return r["error"]["code"]

    def test_every_allowed_path_to_closed(self):
        s = self.s
        decided = [("admissibility", SEC), ("response", COM), ("ruling", COM),
                   ("decided", COM, {"outcome": "partly_founded", "decision": "The company must pay the wages."}),
                   ("closed", SEC)]
        paths = [decided,
                 [("admissibility", SEC), ("response", COM), ("mediation", COM), ("settled", COM), ("closed", SEC)],
                 [("admissibility", SEC), ("response", COM), ("mediation", COM), ("ruling", COM),
                  ("decided", COM, {"outcome": "unfounded", "decision": "No breach."}), ("closed", SEC)],
                 [("admissibility", SEC), ("inadmissible", COM), ("closed", SEC)],
                 [("admissibility", SEC), ("withdrawn", SEC), ("closed", SEC)]]
        for n, path in enumerate(paths):
            case = submit(s, 100 + n)
            for step in path:
                to, actor = step[0], step[1]
                body = self.ok(move(s, case["case_id"], to, actor, **(step[2] if len(step) > 2 else {})))
                self.assertEqual(body["status"], to)
            got = s.ok("complaints", "complaint.get", {"case_id": case["case_id"]})
            self.assertEqual([(h.get("from"), h["to"]) for h in got["history"]],
                             [(None, "received")] + list(zip(["received"] + [p[0] for p in path[:-1]],
                                                             [p[0] for p in path])))
            self.assertEqual([h["by"] for h in got["history"][1:]], [p[1]["role"] for p in path])
            self.assertEqual(got["deadlines"], [])          # a closed case owes nothing

    def test_every_refused_move_is_conflict_and_changes_nothing(self):
        s = self.s
        allowed = {"received": {"admissibility", "withdrawn"}, "admissibility": {"inadmissible", "response", "withdrawn"},
                   "response": {"mediation", "ruling", "withdrawn"}, "mediation": {"settled", "ruling", "withdrawn"},
                   "ruling": {"decided", "withdrawn"}, "inadmissible": {"closed"}, "decided": {"closed"},
                   "settled": {"closed"}, "withdrawn": {"closed"}, "closed": set()}
        reach = {"received": [], "admissibility": [("admissibility", SEC)],
                 "response": [("admissibility", SEC), ("response", COM)],
                 "mediation": [("admissibility", SEC), ("response", COM), ("mediation", COM)],
                 "ruling": [("admissibility", SEC), ("response", COM), ("ruling", COM)],
                 "inadmissible": [("admissibility", SEC), ("inadmissible", COM)],
                 "withdrawn": [("withdrawn", SEC)],
                 "closed": [("withdrawn", SEC), ("closed", SEC)]}
        statuses = list(allowed)
        for status, path in reach.items():
            case = submit(s, 200 + len(status))["case_id"]
            for to, actor in path:
                self.ok(move(s, case, to, actor))
            before = s.ok("complaints", "complaint.get", {"case_id": case})["history"]
            for to in statuses:
                if to in allowed[status] or to == "decided":
                    continue
                self.assertEqual(self.code(move(s, case, to, COM)), "conflict", (status, to))
            self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": case})["history"], before)

    def test_who_may_move_and_send_what(self):
        s = self.s
        case = submit(s, 300)["case_id"]
        company = {"role": "company", "org": s.respondent}
        self.assertEqual(self.code(move(s, case, "admissibility", COM)), "forbidden")        # the secretariat's
        self.assertEqual(self.code(move(s, case, "admissibility", company)), "forbidden")    # not a company's
        self.assertEqual(self.code(move(s, case, "admissibility", False)), "forbidden")
        self.ok(move(s, case, "admissibility", SEC))
        self.assertEqual(self.code(move(s, case, "response", SEC)), "forbidden")              # the committee's
        err = move(s, case, "decided", COM)["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "outcome"))
        # The company answers only in response, and only its own cases.
        r = s.call("complaints", "complaint.respond", {"case_id": case, "text": "We will look into it."}, actor=company)
        self.assertEqual(self.code(r), "conflict")
        self.ok(move(s, case, "response", COM))
        other = s.company("Other Brand BV", ["textile"])
        r = s.call("complaints", "complaint.respond", {"case_id": case, "text": "Not us."},
                   actor={"role": "company", "org": other})
        self.assertEqual(self.code(r), "forbidden")
        r = s.call("complaints", "complaint.respond", {"case_id": case, "text": "x"}, actor=SEC)
        self.assertEqual(self.code(r), "forbidden")
        self.ok(s.call("complaints", "complaint.respond", {"case_id": case, "text": "We will pay."}, actor=company))
        self.assertNotIn("response", [d["deadline"] for d in s.ok("complaints", "complaint.get",
                                                                     {"case_id": case})["deadlines"]])
        # A complainant withdraws by receipt, never by case id.
        named = submit(s, 301)
        r = s.call("complaints", "complaint.transition", {"case_id": named["case_id"], "to": "withdrawn",
                                                          "reason": "x"}, actor={"role": "complainant"})
        self.assertEqual(self.code(r), "forbidden")
        self.ok(s.call("complaints", "complaint.transition", {"receipt": named["receipt"], "to": "withdrawn",
                                                              "reason": "settled privately"},
                       actor={"role": "complainant"}))

    def test_the_company_never_sees_the_complainant(self):
        s = self.s
        company = {"role": "company", "org": s.respondent}
        hidden, shared = submit(s, 400), submit(s, 401, share=True)
        self.assertNotIn("name", s.ok("complaints", "complaint.get", {"case_id": hidden["case_id"]},
                                      actor=company)["complainant"])
        self.assertNotIn("contact", s.ok("complaints", "complaint.get", {"case_id": hidden["case_id"]},
                                         actor=company)["complainant"])
        self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": shared["case_id"]},
                              actor=company)["complainant"]["name"], "Worker 401")
        case = hidden["case_id"]
        self.ok(s.call("complaints", "complaint.message", {"receipt": hidden["receipt"], "text": "My name is in danger."},
                       actor={"role": "complainant"}))
        self.ok(s.call("complaints", "complaint.message", {"case_id": case, "text": "We hear you."}, actor=COM))
        self.ok(s.call("complaints", "complaint.message", {"case_id": case, "text": "Please explain.", "to": "company"},
                       actor=SEC))
        mine = s.ok("complaints", "complaint.messages", {"case_id": case}, actor=company)["messages"]
        self.assertEqual([m["text"] for m in mine], ["Please explain."])
        theirs = s.ok("complaints", "complaint.messages", {"receipt": hidden["receipt"]},
                      actor={"role": "complainant"})["messages"]
        self.assertEqual([m["text"] for m in theirs], ["My name is in danger.", "We hear you."])
        self.assertEqual(len(s.ok("complaints", "complaint.messages", {"case_id": case}, actor=SEC)["messages"]), 3)
        # Staff reading a named complainant's identity (they ask for it) leave a trace.
        self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": case}, actor=SEC)["identity_reads"], [])
        got = s.ok("complaints", "complaint.get", {"case_id": case, "identity": True}, actor=SEC)
        self.assertEqual(got["identity_reads"][0]["by"], "secretariat:")

    def test_decisions_are_public_and_name_no_complainant(self):
        s = self.s
        case = submit(s, 500)["case_id"]
        for to, actor in (("admissibility", SEC), ("response", COM), ("ruling", COM)):
            self.ok(move(s, case, to, actor))
        self.ok(move(s, case, "decided", COM, outcome="founded", decision="The wages must be paid within 30 days."))
        # Listed once the committee published its statement, and then only that (test_publication.py).
        decisions = s.ok("complaints", "complaint.decisions", {"covenant": "textile"}, actor=False)["decisions"]
        self.assertNotIn(case, [d["case_id"] for d in decisions])
        s.ok("complaints", "complaint.publish", {"case_id": case, "statement": "The company must pay the wages."},
             actor=COM)
        decisions = s.ok("complaints", "complaint.decisions", {"covenant": "textile"}, actor=False)["decisions"]
        mine = [d for d in decisions if d["case_id"] == case][0]
        self.assertEqual((mine["outcome"], mine["statement"]), ("founded", "The company must pay the wages."))
        self.assertNotIn("Case 500", str(decisions))
        self.assertNotIn("within 30 days", str(decisions))
        self.assertNotIn("Worker 500", str(decisions))
        self.assertNotIn("w500@example.org", str(decisions))
        stats = s.ok("complaints", "complaint.stats", {"covenant": "textile"})
        self.assertGreaterEqual(stats["per_outcome"]["founded"], 1)
        self.assertIsNotNone(stats["days_to_decision_median"])


class Deadlines(unittest.TestCase):

    def test_a_deadline_that_passed_while_complaints_was_down_is_due_once(self):
        with System(["complaints"]) as s:
            case = submit(s, 1)["case_id"]
            got = s.ok("complaints", "complaint.get", {"case_id": case})
            self.assertEqual([d["deadline"] for d in got["deadlines"]], ["acknowledge", "feedback", "decision"])
            self.assertGreater(got["deadlines"][0]["left_s"], 6 * DAY)
            # Eight days later (the clock moved for the test), complaints starts again.
            s.stop("complaints")
            s.extra_env["IMVO_CLOCK_OFFSET_S"] = str(8 * DAY)
            s.start("complaints")
            self.assertTrue(s.wait_for(lambda: events(s, "complaint.deadline_due") == 1))
            overdue = s.ok("complaints", "complaint.overdue", {"covenant": "textile"})["deadlines"]
            self.assertEqual([(d["case_id"], d["deadline"], d["owner"]) for d in overdue],
                             [(case, "acknowledge", "secretariat")])
            # And a second replica, and a restart, emit nothing more.
            env = s.env()
            env["IMVO_CONSUMER_NAME"] = "replica-2"
            with open(os.path.join(s.workdir, "replica.log"), "wb") as log:
                replica = subprocess.Popen([daemon_path("complaints")], env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                s.stop("complaints")
                s.start("complaints")
                self.assertTrue(s.wait_for(lambda: "ready" in read(os.path.join(s.workdir, "replica.log"))))
                # The acknowledgement answers it: it leaves the overdue list.
                move(s, case, "admissibility", SEC)
                self.assertEqual(s.ok("complaints", "complaint.overdue", {"covenant": "textile"})["deadlines"], [])
            finally:
                replica.terminate()
                replica.wait(10)
            self.assertEqual(events(s, "complaint.deadline_due"), 1)

    def test_retention_erases_exactly_the_personal_fields(self):
        with System(["complaints"]) as s:
            kept, gone = submit(s, 1), submit(s, 2)
            for case in (kept, gone):
                s.ok("complaints", "complaint.message", {"receipt": case["receipt"], "text": "Threatened."},
                     actor={"role": "complainant"})
            for to, actor in (("admissibility", SEC), ("inadmissible", COM), ("closed", SEC)):
                move(s, gone["case_id"], to, actor)
            before = s.ok("complaints", "complaint.get", {"case_id": gone["case_id"]})
            # Two years and a day later.
            s.stop("complaints")
            s.extra_env["IMVO_CLOCK_OFFSET_S"] = str(731 * DAY)
            s.start("complaints")
            self.assertTrue(s.wait_for(lambda: "name" not in s.ok("complaints", "complaint.get",
                                                                  {"case_id": gone["case_id"], "identity": True})["complainant"]))
            after = s.ok("complaints", "complaint.get", {"case_id": gone["case_id"], "identity": True})
            self.assertEqual(after["complainant"], {"anonymous": False})
            self.assertEqual(s.ok("complaints", "complaint.messages", {"case_id": gone["case_id"]})["messages"], [])
            for field in ("summary", "description", "status", "history", "respondent"):
                self.assertEqual(after[field], before[field], field)
            # The open case keeps everything.
            still = s.ok("complaints", "complaint.get", {"case_id": kept["case_id"], "identity": True})
            self.assertEqual(still["complainant"]["name"], "Worker 1")
            self.assertEqual(len(s.ok("complaints", "complaint.messages", {"case_id": kept["case_id"]})["messages"]), 1)

    def test_two_replicas_emit_each_due_deadline_once(self):
        with System(["complaints"]) as s:
            cases = [submit(s, n)["case_id"] for n in range(20)]
            s.stop("complaints")
            s.extra_env["IMVO_CLOCK_OFFSET_S"] = str(8 * DAY)
            env = s.env()
            env["IMVO_CONSUMER_NAME"] = "replica-2"
            with open(os.path.join(s.workdir, "replica.log"), "wb") as log:
                replica = subprocess.Popen([daemon_path("complaints")], env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                s.start("complaints")
                self.assertTrue(s.wait_for(lambda: len(s.ok("complaints", "complaint.overdue",
                                                            {"covenant": "textile"})["deadlines"]) == 20))
            finally:
                replica.terminate()
                replica.wait(10)
            self.assertEqual(events(s, "complaint.deadline_due"), len(cases))


if __name__ == "__main__":
    unittest.main()

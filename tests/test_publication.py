"""Publication that protects the complainant (issue 20, 5; PROTOCOL.md third part,
"Publication"), against the real daemons and portal with CURVE: the committee's statement
(complaint.publish) on a decided, settled or inadmissible case is all that complaint.decisions
and the public /decisions/<covenant> page show of it, newest first; never the complainant's
summary, description, name or contact, nor the decision text. Bad input and the wrong role or
status are refused naming the field, with nothing published. The committee publishes and
corrects from the staff console's case page. And, on a system of its own with complaints'
clock moved (IMVO_CLOCK_OFFSET_S), a decided case's follow_up deadline falls due for the
committee, while a case closed before then has none."""
import html
import unittest
import urllib.request
import uuid

import test_console as console
from harness import System

SEC, COM = {"role": "secretariat"}, {"role": "committee"}
DAY = 86400
FOLLOW_UP_DAYS = 182                # complaints_cases.c: 26 weeks after the decision


class Publication(console.ConsoleSystem):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.committee_cert = cls.s.cert("committee-test", "committee")

    def com(self, mtype, body):
        return self.s.call("complaints", mtype, body, actor=False, cert=self.committee_cert)

    def ok(self, r):
        self.assertTrue(r and r.get("ok"), r)
        return r["body"]

    def refused(self, r, code, field):
        self.assertFalse(r.get("ok"), r)
        self.assertEqual((r["error"]["code"], r["error"].get("field")), (code, field), r)

    def case(self, path, marker):
        """A named complaint whose summary, description, name and contact all carry marker,
        taken along path (status, extra fields)."""
        body = {"covenant": "textile", "respondent": self.brand, "summary": "SUMMARY %s locked exits" % marker,
                "description": "DESCRIPTION %s: the doors were locked." % marker,
                "complainant": {"anonymous": False, "name": "NAME %s" % marker, "contact": "%s@example.org" % marker,
                                "kind": "worker"}}
        case_id = self.s.ok("complaints", "complaint.submit", body, actor=False)["case_id"]
        for to, extra in path:
            cert = None if to in ("admissibility", "closed") else self.committee_cert
            self.ok(self.s.call("complaints", "complaint.transition", dict({"case_id": case_id, "to": to,
                                                                            "reason": "REASON %s" % marker}, **extra),
                                actor=False, cert=cert))
        return case_id

    DECIDED = [("admissibility", {}), ("response", {}), ("ruling", {}),
               ("decided", {"outcome": "partly_founded", "decision": "DECISION quoting the worker's words"})]
    SETTLED = [("admissibility", {}), ("response", {}), ("mediation", {}), ("settled", {})]
    INADMISSIBLE = [("admissibility", {}), ("inadmissible", {}), ("closed", {})]

    def decisions(self):
        return self.s.ok("complaints", "complaint.decisions", {"covenant": "textile"}, actor=False)["decisions"]

    def test_statements_only_on_the_public_page_and_in_decisions(self):
        marker = uuid.uuid4().hex[:12]
        decided = self.case(self.DECIDED, marker)
        settled = self.case(self.SETTLED, marker)
        inadmissible = self.case(self.INADMISSIBLE, marker)         # closed since: it may still be published
        open_case = self.case([("admissibility", {})], marker)
        # Decided but not published: not listed at all.
        self.assertNotIn(decided, [d["case_id"] for d in self.decisions()])

        # Refused, each naming its field, nothing published.
        statement = "The committee found that the company must reopen the exits (%s)." % decided
        self.refused(self.com("complaint.publish", {"case_id": open_case, "statement": statement}), "conflict", "case_id")
        self.refused(self.s.call("complaints", "complaint.publish", {"case_id": decided, "statement": statement},
                                 actor=False), "forbidden", "actor.role")
        self.refused(self.com("complaint.publish", {"case_id": decided, "statement": " \n\t "}),
                     "invalid_argument", "statement")
        self.refused(self.com("complaint.publish", {"case_id": decided}), "invalid_argument", "statement")
        self.refused(self.com("complaint.publish", {"case_id": decided, "statement": "x" * 4001}),
                     "invalid_argument", "statement")
        self.refused(self.com("complaint.publish", {"case_id": "TEXTILE-2026-9999", "statement": statement}),
                     "not_found", "case_id")
        self.refused(self.com("complaint.publish", {"case_id": "not a case", "statement": statement}),
                     "invalid_argument", "case_id")
        got = self.s.ok("complaints", "complaint.get", {"case_id": decided})
        self.assertNotIn("statement", got)
        self.assertNotIn(decided, [d["case_id"] for d in self.decisions()])

        # Published: three statements, newest first.
        first = self.ok(self.com("complaint.publish", {"case_id": decided, "statement": statement}))
        self.assertEqual(first["case_id"], decided)
        self.ok(self.com("complaint.publish", {"case_id": settled,
                                               "statement": "The parties agreed on back pay & <training>."}))
        self.ok(self.com("complaint.publish", {"case_id": inadmissible,
                                               "statement": "The complaint was outside the covenant's scope."}))
        mine = [d for d in self.decisions() if d["case_id"] in (decided, settled, inadmissible)]
        self.assertEqual([d["case_id"] for d in mine], [inadmissible, settled, decided])
        by_id = {d["case_id"]: d for d in mine}
        self.assertEqual(set(by_id[decided]), {"case_id", "respondent", "conclusion", "outcome", "decided_on",
                                               "published_at", "statement"})
        self.assertEqual((by_id[decided]["conclusion"], by_id[decided]["outcome"], by_id[decided]["statement"]),
                         ("decided", "partly_founded", statement))
        self.assertEqual(by_id[decided]["published_at"], first["published_at"])
        self.assertEqual((by_id[settled]["conclusion"], by_id[settled]["outcome"]), ("settled", None))
        self.assertEqual(by_id[inadmissible]["conclusion"], "inadmissible")
        self.assertRegex(by_id[inadmissible]["decided_on"], r"^\d{4}-\d{2}-\d{2}$")
        self.assertEqual(by_id[decided]["respondent"], self.brand)
        # Nothing of hers, nor the decision text, anywhere in the reply.
        for text in (marker, "DECISION", "SUMMARY", "DESCRIPTION", "REASON"):
            self.assertNotIn(text, str(self.decisions()))
        # Staff see the statement on the case.
        got = self.s.ok("complaints", "complaint.get", {"case_id": decided})
        self.assertEqual((got["statement"], got["published_at"]), (statement, first["published_at"]))

        # A correction: the statement changes, its date and place in the list stay.
        corrected = statement + " Corrected."
        again = self.ok(self.com("complaint.publish", {"case_id": decided, "statement": corrected}))
        self.assertEqual(again["published_at"], first["published_at"])
        mine = [d for d in self.decisions() if d["case_id"] in (decided, settled, inadmissible)]
        self.assertEqual([d["case_id"] for d in mine], [inadmissible, settled, decided])
        self.assertEqual(mine[-1]["statement"], corrected)

        # The public page: the statements (escaped), the company's name, nothing of hers.
        for lang in ("en", "nl"):
            page = urllib.request.urlopen("http://127.0.0.1:%d/decisions/textile?lang=%s" % (self.port, lang),
                                          timeout=15).read().decode()
            self.assertIn(html.escape(corrected, quote=False), page)
            self.assertIn("back pay &amp; &lt;training&gt;", page)
            self.assertIn("Console Brand BV", page)
            self.assertIn(inadmissible, page)
            for text in (marker, "DECISION", "SUMMARY", "DESCRIPTION", "REASON"):
                self.assertNotIn(text, page)
            self.assertLess(page.index(inadmissible), page.index(settled))
            self.assertLess(page.index(settled), page.index(decided))
            self.assertIn({"en": "Decided: partly founded", "nl": "Uitspraak: deels gegrond"}[lang], page)
        # imvoctl prints the statements (a long one cut short).
        out = self.s.imvoctl("complaint", "decisions", "textile", check=True).stdout
        self.assertIn("The complaint was outside the covenant's scope.", out)
        self.assertNotIn(marker, out)

    def test_the_committee_publishes_from_the_console(self):
        marker = uuid.uuid4().hex[:12]
        case_id = self.case(self.DECIDED, marker)
        path = "/staff/case/%s/publish" % case_id
        # The secretariat sees no form; the committee does.
        sec = self.signed_in("secretariat")
        self.assertNotIn('action="%s"' % path, sec.get("/staff/case/%s" % case_id).page)
        com = self.signed_in("committee")
        page = com.get("/staff/case/%s" % case_id).page
        self.assertIn('action="%s"' % path, page)
        self.assertIn('name="statement"', page)
        # Empty: explained, nothing published.
        r = com.post(path, page, statement="")
        self.assertEqual(r.status, 400, r.page)
        self.assertNotIn("statement", self.s.ok("complaints", "complaint.get", {"case_id": case_id}))
        page = com.get("/staff/case/%s" % case_id).page
        r = com.post(path, page, statement="The company will <b>reopen</b> the exits.")
        self.assertEqual(r.status, 303, r.page)
        got = self.s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertEqual(got["statement"], "The company will <b>reopen</b> the exits.")
        page = com.get("/staff/case/%s" % case_id).page
        self.assertIn('id="statement">The company will &lt;b&gt;reopen&lt;/b&gt; the exits.', page)
        self.assertIn("Correct the statement", page)
        # The audit trail names the person who published.
        items = self.s.ok("complaints", "audit.list", {"case_id": case_id})["items"]
        self.assertTrue(any(i["person"] == com.user and i["action"] == "complaint.publish" for i in items), items)
        # The secretariat reads it, without a form.
        page = sec.get("/staff/case/%s" % case_id).page
        self.assertIn('id="statement">', page)
        self.assertNotIn('action="%s"' % path, page)


class FollowUp(unittest.TestCase):

    def test_a_decided_case_gets_a_follow_up_that_falls_due(self):
        with System(["complaints"]) as s:
            def case(path):
                body = {"covenant": "textile", "respondent": s.respondent, "summary": "Follow-up case",
                        "description": "What happened.", "complainant": {"anonymous": True}}
                cid = s.ok("complaints", "complaint.submit", body, actor=False)["case_id"]
                for to, actor, extra in path:
                    s.ok("complaints", "complaint.transition", dict({"case_id": cid, "to": to, "reason": "because"},
                                                                    **extra), actor=actor)
                return cid
            decided = [("admissibility", SEC, {}), ("response", COM, {}), ("ruling", COM, {}),
                       ("decided", COM, {"outcome": "founded", "decision": "Pay the wages."})]
            followed = case(decided)
            closed = case(decided + [("closed", SEC, {})])
            settled = case([("admissibility", SEC, {}), ("response", COM, {}), ("mediation", COM, {}),
                            ("settled", COM, {})])
            got = s.ok("complaints", "complaint.get", {"case_id": followed})
            self.assertEqual([d["deadline"] for d in got["deadlines"]], ["follow_up"])
            left = got["deadlines"][0]["left_s"]
            self.assertTrue((FOLLOW_UP_DAYS - 1) * DAY < left <= FOLLOW_UP_DAYS * DAY, left)
            self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": closed})["deadlines"], [])
            self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": settled})["deadlines"], [])
            # Half a year and a day later (the clock moved for the test), complaints runs again.
            s.stop("complaints")
            s.extra_env["IMVO_CLOCK_OFFSET_S"] = str((FOLLOW_UP_DAYS + 1) * DAY)
            s.start("complaints")

            def due():
                return [(d["case_id"], d["deadline"], d["owner"])
                        for d in s.ok("complaints", "complaint.overdue", {"covenant": "textile"})["deadlines"]
                        if d["case_id"] in (followed, closed, settled)]
            self.assertTrue(s.wait_for(due), "follow_up did not fall due")
            self.assertEqual(due(), [(followed, "follow_up", "committee")])
            events = s.redis.cli("XRANGE", "imvo:complaints:{textile}:events", "-", "+")
            self.assertIn("follow_up", events)
            got = s.ok("complaints", "complaint.get", {"case_id": followed})
            self.assertLess(got["deadlines"][0]["left_s"], 0)
            late = s.ok("complaints", "complaint.list", {"covenant": "textile", "overdue": True})["cases"]
            self.assertEqual([c["case_id"] for c in late], [followed])
            # Closing the case (after the committee's check) ends it.
            s.ok("complaints", "complaint.transition", {"case_id": followed, "to": "closed", "reason": "checked"},
                 actor=SEC)
            self.assertEqual(due(), [])
            self.assertEqual(s.ok("complaints", "complaint.list", {"covenant": "textile", "overdue": True})["cases"], [])


if __name__ == "__main__":
    unittest.main()

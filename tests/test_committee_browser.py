"""The complaints committee's journey in a real browser (issue 22, 5): Debian's Chromium driven by
playwright-core (tests/portal/committee.mjs) against the real daemons with CURVE. A member of the
committee signs in, opens the covenant's cases by stage, decides the case in ruling (outcome and
decision text) and publishes a statement in the committee's words; the public decisions page
shows it and nothing of the complainant's words, and her status page shows it too. Every kind of
page of the journey (the stages, the covenant choice, a case to decide with both threads, a
published case, the public page, her status page) passes axe-core at phone and desktop size;
the screenshots (phone 390x844, desktop 1280x900) go to <build>/screenshots/committee-*.png."""
import os
import unittest

import test_console_browser
import test_console_committee as committee
import test_portal
from harness import totp
from test_console import PASSWORD
from test_portal import SHOTS


class CommitteeBrowser(committee.CommitteeSystem):

    @classmethod
    def setUpClass(cls):
        cls.script = test_portal.journey("committee.mjs")
        super().setUpClass()

    browser = test_console_browser.ConsoleBrowser.browser     # node SCRIPT STEP BASE SHOTS ARGS...: its JSON

    def test_committee_decides_and_publishes(self):
        case_id, receipt, marker = self.filed()
        self.move(case_id, *self.TO_RULING)
        waiting, _, _ = self.filed()
        self.move(waiting, ("admissibility", {}))
        user, secret = self.account(role="committee", name="Noor Bakker")
        out = self.browser("journey", user, PASSWORD, totp(secret), case_id, receipt)
        self.assertTrue(out["home"].endswith("/staff/?lang=en"), out)
        self.assertEqual(set(out["counts"]), {"admissibility", "response", "mediation", "ruling", "publish"})
        self.assertGreaterEqual(int(out["counts"]["ruling"]), 1)
        self.assertGreaterEqual(int(out["counts"]["admissibility"]), 1)
        self.assertEqual(out["tabs"], ["#stage-admissibility", "#stage-response", "#stage-mediation", "#stage-ruling",
                                       "#stage-publish"])
        self.assertEqual(out["status"], "decided")
        self.assertIn("Ruling → Decided", out["decisions"])
        self.assertIn("Founded", out["decisions"])
        self.assertIn("the fire exits were locked during the night shift", out["decisions"])
        got = self.s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertEqual((got["status"], got["outcome"]), ("decided", "founded"))
        self.assertEqual(got["history"][-1].get("person"), user)
        self.assertTrue(got["statement"].startswith("The committee found that the fire exits"), got)
        self.assertEqual(out["statement"], got["statement"])
        # The public page: the statement, never her words nor the decision's text.
        self.assertIn(got["statement"], out["public"])
        self.assertIn(case_id, out["public"])
        for hers in ("HER SUMMARY %s" % marker, "HER WORDS %s" % marker, "Rahima %s" % marker,
                     "the fire exits were locked during the night shift"):
            self.assertNotIn(hers, out["public"])
        self.assertNotIn(case_id, out["to_publish"])
        # Her status page shows it.
        self.assertIn("The committee's public statement", out["status_page"])
        self.assertIn(got["statement"], out["status_page"])
        for name in ("home", "stages", "case-ruling", "case-published", "public", "stages-nl", "status"):
            for size in ("phone", "desktop"):
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "committee-%s-%s.png" % (name, size))), 5000)

    def test_every_committee_page_passes_axe(self):
        # A case in ruling with a message in each thread (its forms to decide and to write), and
        # one decided and published (its statement and the form to correct it).
        ruling, receipt, _ = self.filed()
        self.move(ruling, *self.TO_RULING)
        for to in ("company", "complainant"):
            self.s.call("complaints", "complaint.message", {"case_id": ruling, "to": to, "text": "A word to the %s." % to},
                        actor=False, cert=self.committee_cert)
        published, receipt, _ = self.filed()
        self.move(published, *self.TO_RULING, ("decided", {"outcome": "unfounded", "decision": "Not founded."}))
        self.s.call("complaints", "complaint.publish", {"case_id": published, "statement": "The committee found no "
                    "breach."}, actor=False, cert=self.committee_cert)
        user, secret = self.account(role="committee")
        out = self.browser("axe", user, PASSWORD, totp(secret), ",".join((ruling, published)), receipt)
        pages = {page: v for page, v in out.items() if page.endswith(("-phone", "-desktop"))}
        self.assertEqual(len(pages), 12, out)
        self.assertEqual({page: v for page, v in pages.items() if v}, {})


if __name__ == "__main__":
    unittest.main()

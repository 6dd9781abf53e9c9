"""The secretariat's journey through collective work and meetings in a real browser: Debian's
Chromium driven by playwright-core (tests/portal/collective.mjs) against the real daemons
(test_collective_console.CollectivePages). It records the working group's choice of two risks
from the ranking, adds a collective project with a participant, and records a general meeting
where the two parties vote and the supporter only attends. Every page passes axe-core at phone
and desktop size; the screenshots go to <build>/screenshots/collective-*.png."""
import json
import os
import unittest

import test_collective_console
import test_portal
from harness import totp
from test_collective import YEAR
from test_console import PASSWORD
from test_portal import SHOTS

PAGES = {"secretariat": ("collective", "collective-chosen", "collective-project", "meetings", "meetings-recorded",
                         "meetings-nl", "collective-nl"),
         "assessor": ("assessor", "assessor-company", "assessor-company-nl"),
         "company": ("review", "review-commented")}


class CollectiveBrowser(test_collective_console.CollectivePages):

    @classmethod
    def setUpClass(cls):
        cls.script = test_portal.journey("collective.mjs")
        super().setUpClass()

    def journey(self, step, role, *args, org=None):
        user, secret = self.account(role, org)
        out = test_portal.node(self.script, step, "http://127.0.0.1:%d" % self.port, SHOTS, user, PASSWORD,
                               totp(secret), str(YEAR), *args, timeout=180)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr + self.log_tail())
        got = json.loads(out.stdout.strip().splitlines()[-1])
        for page in PAGES[step]:
            for size in ("phone", "desktop"):
                self.assertEqual(got["%s-%s" % (page, size)], [], page)
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "collective-%s-%s.png" % (page, size))), 5000)
        return got

    def test_the_committee_verifies_and_the_company_comments(self):
        org = self.orgs["Z"]
        got = self.journey("assessor", "monitoring", org)
        self.assertIn("Adjusted to: 1. The policy shown is a draft.", got["verdict"])
        got = self.journey("company", "company", org=org)
        self.assertEqual(got["verdicts"], 1)
        self.assertIn("The policy was adopted in March.", got["comment"])

    def test_the_secretariat_records_collective_work_and_a_meeting(self):
        a, b = self.parties
        got = self.journey("secretariat", "secretariat", a, b)
        self.assertEqual((got["ranked"], got["chosen"], got["notice"]), (4, 2, "Recorded."))
        r = self.s.ok("scoring", "assessment.get", {"round_id": "gold-%d" % YEAR}, actor={"role": "monitoring"})
        self.assertEqual(sum(k["act_on"] for k in r["collective_risks"]), 2)
        self.assertEqual(got["projects"], 2)
        self.assertEqual(got["chair"], "Maurits Derksen (independent)")
        self.assertEqual(got["meeting"], "Adopt the annual plan: 1 for, 1 against, 0 abstained: not carried")
        meeting = self.s.ok("membership", "meeting.list", {"covenant": "metals"})["meetings"][0]
        self.assertEqual((meeting["votes"][0]["for"], meeting["votes"][0]["against"]), ([a], [b]))
        self.assertIn(self.supporter, meeting["attendees"])


# The console tests of the base class run in test_collective_console; here only the journey.
for name in [n for n in vars(test_collective_console.CollectivePages) if n.startswith("test_")]:
    setattr(CollectiveBrowser, name, None)

if __name__ == "__main__":
    unittest.main()

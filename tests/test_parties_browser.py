"""The secretariat's members page in a real browser: Debian's Chromium driven by
playwright-core (tests/portal/parties.mjs) against the real daemons. The secretariat lists a
trade association's member companies and records a supporter's contribution through the page's
forms, without JavaScript; the page passes axe-core at phone and desktop size in English and
Dutch; the screenshots go to <build>/screenshots/parties-*.png."""
import json
import os
import subprocess

import test_portal
from harness import member, register, totp
from test_console import PASSWORD, PortalSystem
from test_portal import SHOTS


class PartiesBrowser(PortalSystem):
    SERVICES, CURVE = ["membership", "notify"], False      # notify: the home page shows the inboxes (3 s without)

    @classmethod
    def setUpClass(cls):
        cls.script = test_portal.journey("parties.mjs")
        super().setUpClass()

    def org(self, name, kind, role=None):
        return member(self.s, "food", name, role, kind) if role else register(self.s, name, kind)

    def test_journey_association_members_and_a_contribution(self):
        s = self.s
        assoc = self.org("Dutch Food Retail Association", "trade_association", "party")
        company = self.org("Groningen Bakery BV", "company")
        supporter = self.org("Fair Food Foundation", "ngo", "supporter")
        user, secret = self.account()
        run = subprocess.run(["node", self.script, "journey", "http://127.0.0.1:%d" % self.port, SHOTS, user, PASSWORD,
                              totp(secret), "food", assoc, company, supporter], capture_output=True, text=True, timeout=180)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        out = json.loads(run.stdout.strip().splitlines()[-1])
        self.assertEqual(out["saved"], "Saved.")
        self.assertIn("Groningen Bakery BV", out["companies"])
        self.assertIn("Living-wage project in the banana chain", out["contributions"])
        self.assertEqual([c["org_id"] for c in s.ok("membership", "member.associated", {"covenant": "food"})["companies"]],
                         [company])
        got = s.ok("membership", "member.get", {"covenant": "food", "org_id": supporter})["contributions"]
        self.assertEqual([(c["kind"], c["amount_eur"]) for c in got], [("financial", 2500)])
        axe = {k: v for k, v in out.items() if k.startswith("members-")}
        self.assertEqual(len(axe), 4, out)
        self.assertEqual({k: v for k, v in axe.items() if v}, {})
        for name in ("parties-members", "parties-members-nl"):
            for size in ("phone", "desktop"):
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "%s-%s.png" % (name, size))), 5000)


if __name__ == "__main__":
    import unittest
    unittest.main()

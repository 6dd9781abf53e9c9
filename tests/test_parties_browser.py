"""The secretariat's members page in a real browser: Debian's Chromium driven by
playwright-core (tests/portal/parties.mjs) against the real daemons. The secretariat lists a
trade association's member companies and records a supporter's contribution through the page's
forms, without JavaScript; the page passes axe-core at phone and desktop size in English and
Dutch; the screenshots go to <build>/screenshots/parties-*.png."""
import json
import os
import subprocess
import unittest
import uuid

import test_portal
from harness import System, start_portal, totp
from test_console import PASSWORD
from test_portal import SHOTS

SEC = {"role": "secretariat"}


class PartiesBrowser(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.script = os.path.join(os.path.dirname(test_portal.playwright()), "parties.mjs")
        os.makedirs(SHOTS, exist_ok=True)
        cls.s = System(["membership"]).__enter__()
        cls.portal, cls.port = start_portal(cls.s, os.path.join(cls.s.workdir, "portal.log"))

    @classmethod
    def tearDownClass(cls):
        cls.portal.terminate()
        cls.portal.wait(10)
        cls.s.close()

    def org(self, name, kind, role=None):
        s = self.s
        org = s.ok("membership", "org.register", {"name": name, "kind": kind, "country": "NL"}, actor=SEC)["org_id"]
        if role:
            wg = [g["code"] for g in s.ok("membership", "covenant.get", {"code": "food"})["working_groups"]][:1]
            s.ok("membership", "member.join", dict({"covenant": "food", "org_id": org, "role": role},
                                                   **({"working_groups": wg} if role == "party" else {})), actor=SEC)
        return org

    def test_journey_association_members_and_a_contribution(self):
        s = self.s
        assoc = self.org("Dutch Food Retail Association", "trade_association", "party")
        company = self.org("Groningen Bakery BV", "company")
        supporter = self.org("Fair Food Foundation", "ngo", "supporter")
        user = "p.%s" % uuid.uuid4().hex[:10]
        made = s.ok("membership", "account.create", {"username": user, "name": "Sanne Jansen", "email": user + "@example.org",
                                                     "role": "secretariat"})
        secret = s.ok("membership", "account.enroll", {"enroll_token": made["enroll_token"], "password": PASSWORD},
                      actor=False)["totp_secret"]
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
    unittest.main()

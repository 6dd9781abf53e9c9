"""The secretariat's dates in a real browser: Debian's Chromium driven by playwright-core
(tests/portal/terms.mjs) against the real daemons (test_console_terms.TermsSystem).
The secretariat lets an organisation join textile with its real signing date and source, records
gold's extended term on /staff/terms, and reads on /staff/disclosures who disclosed for the 4 July
list and who is overdue. Every page passes axe-core at phone and desktop size; the screenshots go
to <build>/screenshots/terms-*.png."""
import json
import os
import subprocess
import unittest

import test_console_terms
import test_portal
from harness import totp
from test_console import PASSWORD
from test_portal import SHOTS

PAGES = ("home", "members", "terms", "terms-recorded", "terms-nl", "disclosures")


class TermsBrowser(test_console_terms.TermsSystem):

    @classmethod
    def setUpClass(cls):
        cls.script = test_portal.journey("terms.mjs")
        super().setUpClass()

    def test_the_secretariat_records_dates(self):
        user, secret = self.account()
        org = self.org("Browser Signed 2016 BV")
        late = self.org("Browser Overdue BV")
        self.s.ok("membership", "member.join", {"covenant": "textile", "org_id": late, "role": "party",
                                                "since": "2017-01-10", "source": "test"})
        out = subprocess.run(["node", self.script, "http://127.0.0.1:%d" % self.port, SHOTS, user, PASSWORD,
                              totp(secret), org], capture_output=True, text=True, timeout=180)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        got = json.loads(out.stdout.strip().splitlines()[-1])
        for page in PAGES:
            for size in ("phone", "desktop"):
                self.assertEqual(got["%s-%s" % (page, size)], [], page)
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "terms-%s-%s.png" % (page, size))), 5000)
        member = self.s.ok("membership", "member.get", {"covenant": "textile", "org_id": org})
        self.assertEqual((member["since"], member["source"]), ("2016-09-01", "SER signing list 2016"))
        self.assertEqual(got["before"], "run out: record what happened")
        self.assertEqual(got["after"], "extended")
        term = self.s.ok("membership", "covenant.get", {"code": "gold"})["term"]
        self.assertEqual((term["state"], term["runs_out_on"]), ("extended", "2031-06-19"))
        self.assertGreaterEqual(got["companies"], 2)
        self.assertEqual(got["overdue"], got["companies"])          # neither disclosed for this year


if __name__ == "__main__":
    unittest.main()

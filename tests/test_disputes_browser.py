"""Filing a dispute in a real browser: Debian's Chromium driven by playwright-core
(tests/portal/disputes.mjs) against the real daemons with CURVE (test_console_disputes'
system). Seed 001: "Onafhankelijke klachten- en geschillenmechanisme": a party's person files a
dispute against another party by name, is told the missing subject beside its field with what
it typed kept, files it, and opens its case; the secretariat files one for a party. Every page
passes axe-core at phone and desktop size; the screenshots go to <build>/screenshots/disputes-*.png."""
import json
import os
import unittest

import test_console_disputes
import test_portal
from test_console import PASSWORD
from test_portal import SHOTS

PAGES = ("home", "form", "form-error", "filed", "case", "form-nl", "secretariat-form", "secretariat-filed",
         "secretariat-case")


class DisputesBrowser(test_console_disputes.DisputesSystem):

    @classmethod
    def setUpClass(cls):
        cls.script = test_portal.journey("disputes.mjs")
        super().setUpClass()

    def test_a_party_and_the_secretariat_file_disputes(self):
        party, party_secret = self.account("company", self.ngo, name="Eva de Vries")
        sec, sec_secret = self.account(name="Piet Bakker")
        out = test_portal.node(self.script, "http://127.0.0.1:%d" % self.port, SHOTS, PASSWORD, party, party_secret,
                               sec, sec_secret, self.brand, self.union, timeout=240)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr + self.log_tail())
        got = json.loads(out.stdout.strip().splitlines()[-1])
        for page in PAGES:
            for size in ("phone", "desktop"):
                self.assertEqual(got["axe"]["%s-%s" % (page, size)], [], page)
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "disputes-%s-%s.png" % (page, size))), 5000)
        self.assertIn("Dispute Brand BV", got["parties"])
        self.assertNotIn("Schone Kleren Campagne NGO", got["parties"])
        self.assertIn("Fill in the subject.", got["error"])
        self.assertEqual(got["focusTarget"], "#summary")
        self.assertTrue(got["kept"].startswith("The agreed audit reports of 2025"))
        self.assertEqual(got["keptRespondent"], self.brand)
        case = got["filed"]
        self.assertTrue(any(case in line and "against Dispute Brand BV" in line for line in got["listed"]), got["listed"])
        self.assertEqual(got["caseTitle"], "Dispute %s" % case)
        filed = self.s.ok("complaints", "complaint.get", {"case_id": case})
        self.assertEqual((filed["kind"], filed["claimant_org"], filed["respondent"], filed["summary"]),
                         ("dispute", self.ngo, self.brand, "Audit reports not shared"))
        other = self.s.ok("complaints", "complaint.get", {"case_id": got["secFiled"]})
        self.assertEqual((other["claimant_org"], other["respondent"]), (self.union, self.brand))
        self.assertIn("/staff/case/%s" % got["secFiled"], got["secCase"])


if __name__ == "__main__":
    unittest.main()

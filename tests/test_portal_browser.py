"""The portal in a real browser: Debian's Chromium driven by playwright-core (tests/portal/),
against the real daemons with CURVE and the portal filing through the intake queue as the Redis
user intake (test_portal.PortalSystem). A worker files a complaint in Dutch and in English,
keeps the receipt, follows the case as the secretariat moves it with imvoctl, and sends a
message; a double submit files one case; a wrong receipt and a missing field get clear
messages; every page passes axe-core at phone and desktop size. The screenshots (phone and
desktop) go to <build>/screenshots."""
import json
import os
import re
import subprocess
import unittest

import test_portal
from harness import imvoctl_path
from test_portal import SHOTS


class Browser(test_portal.PortalSystem):

    def test_file_follow_and_write_in_both_languages(self):
        s = self.s
        for lang, title in (("nl", "Klacht indienen"), ("en", "File a complaint")):
            with self.subTest(lang=lang):
                before = self.cases()
                filed = self.browser("file", lang, "textile", self.company)
                self.assertTrue(filed["title"].startswith(title), filed)
                if lang == "en":
                    self.assertIn("being registered", filed["registering"])
                self.assertRegex(filed["receipt"], r"^TEXTILE(-[0-9A-Z]{4}){4}$")
                # The double submit showed the same receipt and made one case.
                self.assertEqual(filed["again"], filed["receipt"])
                self.assertEqual(self.cases(), before + 1)
                seen = self.browser("status", lang, filed["receipt"])
                self.assertEqual(seen["status"], "received")
                # The secretariat opens the admissibility check with imvoctl; the page says so.
                case_id = s.ok("complaints", "complaint.status", {"receipt": filed["receipt"]})["case_id"]
                env = dict(s.env(), IMVO_CERT=os.path.join(s.certs, "admin.txt_secret"))
                out = subprocess.run([imvoctl_path(), "complaint", "transition", case_id, "--to", "admissibility",
                                      "--reason", "acknowledged"], env=env, capture_output=True, text=True)
                self.assertEqual(out.returncode, 0, out.stderr)
                message = "Er is nieuw bewijs" if lang == "nl" else "I have new photos"
                seen = self.browser("status", lang, filed["receipt"], message)
                self.assertEqual(seen["status"], "admissibility")
                self.assertIn("commissie" if lang == "nl" else "committee", seen["words"])
                self.assertTrue(seen["sent"])
                self.assertIn(message, seen["messages"])
                # The complaint as the secretariat sees it: the complainant named, the place kept.
                got = s.ok("complaints", "complaint.get", {"case_id": case_id, "identity": True})
                self.assertEqual(got["respondent"], self.org)
                self.assertIn("Rahima Akter", json.dumps(got))
        for name in ("form", "registering", "receipt", "status"):
            for size in ("phone", "desktop"):
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "%s-%s.png" % (name, size))), 10000)

    def test_every_page_passes_axe(self):
        # A case to follow, filed as the form files it (from its own address: the limit is per address).
        cookie, hidden, _ = self.form(source="127.0.0.5")
        r, _ = self.post("/submit", dict(hidden, company=self.company, summary="Axe", description="Axe",
                                         who="anonymous"), cookie, source="127.0.0.5")
        intake = re.search(r"intake=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1)
        got = {}

        def filed():
            got.update(self.s.call("complaints", "complaint.intake_result", {"key": intake},
                                   actor={"role": "secretariat"}).get("body") or {})
            return got.get("state") == "done"

        self.assertTrue(self.s.wait_for(filed, timeout=15, interval=0.1), got)
        out = self.browser("axe", got["receipt"])
        self.assertEqual(len(out), 20, out)
        self.assertEqual({page: v for page, v in out.items() if v}, {})

    def test_wrong_receipt_and_missing_field_are_explained(self):
        out = self.browser("wrong")
        self.assertIn("We do not know this receipt", out["wrong"])
        self.assertIn("Please fill in", out["missing"])
        self.assertIn("What is it about", out["missing"])


if __name__ == "__main__":
    unittest.main()

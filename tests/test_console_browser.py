"""The staff console in a real browser: Debian's Chromium driven by playwright-core
(tests/portal/console.mjs) against the real daemons (test_console.ConsoleSystem). A worker files a
named complaint through the public form; the secretariat enrolls (the test computes the TOTP
codes), is refused with a wrong code, signs in, finds the complaint in the queue, acknowledges,
assigns it to herself, adds an internal note and shows the identity; then audit.list names her.
Every console page passes axe-core at phone and desktop size; the screenshots (phone 390x844 and
desktop 1280x900) go to <build>/screenshots/console-*.png."""
import json
import os
import unittest
import uuid

import test_console
import test_portal
from harness import totp
from test_console import PASSWORD
from test_portal import SHOTS


def console_script():
    return test_portal.journey("console.mjs")


class ConsoleBrowser(test_console.ConsoleSystem):

    @classmethod
    def setUpClass(cls):
        cls.script = console_script()
        super().setUpClass()

    def browser(self, *args):
        out = test_portal.node(self.script, args[0], "http://127.0.0.1:%d" % self.port, SHOTS, *args[1:], timeout=180)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def enroll_token(self):
        """A new account's enrollment token (the secretariat would hand it over)."""
        body = {"username": "p.%s" % uuid.uuid4().hex[:10], "name": "Noor Bakker", "email": "noor@example.org",
                "role": "committee"}
        return self.s.ok("membership", "account.create", body)["enroll_token"]

    def test_journey_from_public_form_to_identity(self):
        user, secret = self.account(name="Sanne Jansen")
        out = self.browser("journey", user, PASSWORD, totp(secret), "Console Brand BV", self.enroll_token())
        self.assertRegex(out["receipt"], r"^TEXTILE(-[0-9A-Z]{4}){4}$")
        self.assertIn("/staff/login", out["login_url"])
        self.assertIn("Signing in failed", out["wrong"])
        self.assertTrue(out["home"].endswith("/staff/?lang=en"), out)
        self.assertTrue(out["hidden"], out)
        self.assertEqual(out["status"], "admissibility")
        case_id = out["case_id"]
        got = self.s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertEqual(got["status"], "admissibility")
        self.assertEqual(got["history"][-1].get("person"), user)
        self.assertTrue(out["assigned"].startswith(user), out["assigned"])
        self.assertIn("two more workers", out["note"])
        self.assertIn("Rahima Akter", out["identity"])
        items = self.s.ok("complaints", "audit.list", {"case_id": case_id})["items"]
        self.assertTrue(any(i["person"] == user and i["action"] == "complaint.identity" for i in items), items)
        self.assertIn(user, out["audit"])
        self.assertEqual(out["focus"], "skip")
        self.assertIn("/staff/login", out["after_logout"])
        self.assertRegex(out["totp_secret"], r"^[A-Z2-7]{32}$")
        for name in ("login", "login-failed", "home", "cases", "case", "identity", "inbox", "members", "locations",
                     "audit", "account", "accounts", "enroll", "enrolled", "home-nl"):
            for size in ("phone", "desktop"):
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "console-%s-%s.png" % (name, size))), 5000)

    def test_every_console_page_passes_axe(self):
        case_id = self.complaint()
        user, secret = self.account()
        out = self.browser("axe", user, PASSWORD, totp(secret), case_id, self.enroll_token())
        pages = {page: v for page, v in out.items() if page.endswith(("-phone", "-desktop"))}
        self.assertEqual(len(pages), 32, out)
        self.assertEqual({page: v for page, v in pages.items() if v}, {})


if __name__ == "__main__":
    unittest.main()

"""A company's console in a real browser: Debian's Chromium driven by playwright-core
(tests/portal/company.mjs) against the real daemons with CURVE. The company's administrator signs
in, submits this year's action plan against the framework with a document (the test starts the monitoring
committee's round once the plan is in), sees its result and appeals it, answers a complaint,
uploads its locations CSV through the preview, subscribes a webhook with a secret, reads its
memberships and makes a colleague's account. Every page passes axe-core at phone and desktop size;
the screenshots (phone 390 wide, desktop 1280) go to <build>/screenshots/company-*.png."""
import json
import os
import subprocess
import unittest

import test_portal
from harness import System, start_portal, totp
from test_console import PASSWORD
from test_console_company import FRAMEWORK, YEAR
from test_portal import SHOTS

PAGES = ("home", "plan", "plan-submitted", "plan-document", "results", "appealed", "case", "case-responded", "locations",
         "locations-preview", "subscriptions", "subscriptions-saved", "memberships", "accounts", "account-made",
         "inbox", "plan-nl", "home-nl")


class CompanyBrowser(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.script = test_portal.journey("company.mjs")
        s = cls.s = System(["complaints", "notify", "scoring"], curve=True).__enter__()
        cls.mon = s.cert("monitoring", "monitoring")
        cls.committee = s.cert("committee", "committee")
        cls.brand = s.company("Journey Brand BV", ["textile"])
        s.ok("membership", "member.join", {"covenant": "gold", "org_id": cls.brand, "role": "party"})
        s.ok("scoring", "framework.put", FRAMEWORK, cert=cls.mon)
        cls.logpath = os.path.join(s.workdir, "portal.log")
        cls.portal, cls.port = start_portal(s, cls.logpath)

    @classmethod
    def tearDownClass(cls):
        cls.portal.terminate()
        cls.portal.wait(10)
        cls.s.close()

    def test_a_company_submits_its_plan_sees_its_result_and_appeals(self):
        s = self.s
        user = "brand.admin"
        made = s.ok("membership", "account.create", {"username": user, "name": "Eva de Vries", "email": "eva@example.org",
                                                     "role": "company", "org": self.brand, "admin": True})
        secret = s.ok("membership", "account.enroll", {"enroll_token": made["enroll_token"], "password": PASSWORD},
                      actor=False)["totp_secret"]
        body = {"covenant": "textile", "respondent": self.brand, "summary": "Unpaid overtime in the cutting hall",
                "description": "Overtime was not paid for three months.", "complainant": {"anonymous": True}}
        case = s.ok("complaints", "complaint.submit", body, actor=False)["case_id"]
        s.ok("complaints", "complaint.transition", {"case_id": case, "to": "admissibility", "reason": "Received"})
        s.ok("complaints", "complaint.transition", {"case_id": case, "to": "response", "reason": "Admissible"},
             cert=self.committee)
        csv = os.path.join(s.workdir, "locations.csv")
        with open(csv, "w") as f:
            f.write("name,address,city,country\nDhaka Knit One,Plot 4 Road 7,Gazipur,Bangladesh\n"
                    "Hanoi Sew,12 Le Loi,Hanoi,VN\n")
        pdf = os.path.join(s.workdir, "Human rights policy 2026.pdf")
        with open(pdf, "wb") as f:
            f.write(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
        node = subprocess.Popen(["node", self.script, "journey", "http://127.0.0.1:%d" % self.port, SHOTS, user, PASSWORD,
                                 totp(secret), case, csv, pdf], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # The monitoring committee starts the round once the plan is in.
        plan = {"covenant": "gold", "org_id": self.brand, "year": YEAR}
        got = s.wait_for(lambda: (s.call("scoring", "submission.get", plan) or {}).get("ok"), timeout=60)
        self.assertTrue(got, node.poll() is not None and node.communicate())
        s.ok("scoring", "assessment.start", {"covenant": "gold", "year": YEAR}, cert=self.mon)
        stdout, stderr = node.communicate(timeout=240)
        self.assertEqual(node.returncode, 0, stdout + stderr)
        out = json.loads(stdout.strip().splitlines()[-1])
        self.assertTrue(out["home"].endswith("/staff/?lang=en"), out)
        self.assertEqual(out["fields"], ["a.a1", "a.a2", "a.b1"])
        self.assertIn("Your action plan was submitted", out["plan"])
        self.assertNotIn("late", out["plan_status"])
        self.assertEqual(s.ok("scoring", "submission.get", plan)["public_report_url"],
                         "https://brand.example.org/due-diligence-2026")
        self.assertEqual(s.ok("scoring", "submission.get", plan)["risks"],
                         [{"theme": "child_labour", "country": "BD", "severity": 3}])
        self.assertIn("Human rights policy 2026.pdf", out["documents"])
        self.assertEqual([d["name"] for d in s.ok("scoring", "submission.get", plan)["documents"]],
                         ["Human rights policy 2026.pdf"])
        self.assertEqual(out["score"], "70")              # 60 x 5/10 + 40 x 5/5
        self.assertIn("Your appeal was received", out["appealed"])
        self.assertIn("with the monitoring committee", out["appeal"])
        appeal = s.redis.cli("HGET", "imvo:scoring:{gold}:appeals", "gold-%d-%s" % (YEAR, self.brand))
        self.assertIn("counted on last year", appeal)
        self.assertIn("Your response was sent", out["responded"])
        msgs = s.ok("complaints", "complaint.messages", {"case_id": case})["messages"]
        self.assertTrue([m for m in msgs if m["from"] == "company" and m.get("person") == user], msgs)
        self.assertIn("2 new", out["preview"])
        self.assertIn("2 locations saved", out["saved"])
        self.assertIn("https://hooks.brand.example.org/imvo", out["subs"])
        self.assertNotIn("a-long-webhook-secret-2026", out["subs"])
        self.assertIn("gold", out["memberships"])
        self.assertRegex(out["token"], r"^[0-9a-f]{64}$")
        accounts = s.ok("membership", "account.list", {"org": self.brand})["accounts"]
        self.assertIn("brand.colleague", [a["username"] for a in accounts])
        self.assertEqual({page: v for page, v in out["axe"].items() if v}, {})
        self.assertEqual(len(out["axe"]), 2 * len(PAGES))
        for name in PAGES:
            for size in ("phone", "desktop"):
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "company-%s-%s.png" % (name, size))), 5000)


if __name__ == "__main__":
    unittest.main()

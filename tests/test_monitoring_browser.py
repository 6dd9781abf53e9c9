"""The monitoring committee's journey in a real browser: Debian's Chromium driven by
playwright-core (tests/portal/monitoring.mjs, one run) against the real daemons
(test_console_monitoring.MonitoringSystem). The committee signs in, reads the covenant's
framework, starts the round from its page and watches it until it is completed, finds a
company, rejects an appeal waiting in another covenant's round, and reads the sector report of
its round (its chart inline as SVG with the figures as a table, the collective risks, the whole
report as a download). The steering group reads its overview. Every page passes axe-core at
phone and desktop size; the screenshots go to <build>/screenshots/monitoring-*.png."""
import json
import os
import subprocess
import unittest

import test_console_monitoring
import test_portal
from test_console import PASSWORD
from test_console_monitoring import MON, YEAR
from test_portal import SHOTS

PAGES = ("home", "frameworks", "round-before", "round", "round-search", "round-nl", "appeals", "appeals-decided",
         "report", "bad-year", "steering-home", "steering", "steering-one-nl")


class MonitoringBrowser(test_console_monitoring.MonitoringSystem):

    @classmethod
    def setUpClass(cls):
        cls.script = test_portal.journey("monitoring.mjs")
        super().setUpClass()

    def test_committee_starts_a_round_and_reads_the_report(self):
        s = self.s
        # An appeal waits in food's round (completed before): the committee decides it.
        s.ok("scoring", "assessment.start", {"covenant": "food", "year": YEAR}, actor=MON)
        self.completed("food")
        appeal = s.ok("scoring", "assessment.appeal", {"round_id": "food-%d" % YEAR, "org_id": self.food[0],
                                                       "reason": "Our plan was sent on time by post."},
                      actor={"role": "company", "org": self.food[0]})
        (user, secret), (steering, steering_secret) = self.account("monitoring"), self.account("steering")
        run = subprocess.run(["node", self.script, "http://127.0.0.1:%d" % self.port, SHOTS, user, PASSWORD,
                              secret, steering, steering_secret, "gold", str(YEAR), "food"],
                             capture_output=True, text=True, timeout=240)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr + self.log_tail())
        out = json.loads(run.stdout.strip().splitlines()[-1])
        for page in PAGES:
            for size in ("phone", "desktop"):
                self.assertEqual(out["%s-%s" % (page, size)], [], page)
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "monitoring-%s-%s.png" % (page, size))), 5000)
        # The round started from its page, watched until completed, a company found.
        self.assertTrue(out["home"].endswith("/staff/?lang=en"), out)
        self.assertEqual(out["version"], "1 (the latest)")
        self.assertEqual(out["before"], "Not started")
        self.assertEqual((out["status"], out["scored"]), ("Completed", "4"))
        self.assertEqual(out["found"], "Companies 1–1 of 1")
        got = s.ok("scoring", "assessment.round", {"covenant": "gold", "year": YEAR, "limit": 0}, actor=MON)
        self.assertEqual((got["status"], got["counts"]["missing"]), ("completed", 1))
        # The appeal decided.
        self.assertEqual(out["appeal"], "Rejected")
        decided = s.ok("scoring", "assessment.round", {"covenant": "food", "year": YEAR, "limit": 0},
                       actor=MON)["appeals"]
        self.assertEqual([(a["appeal_id"], a["status"]) for a in decided], [(appeal["appeal_id"], "rejected")])
        # The report read: its chart (with the figures as a table), the risks, the whole report.
        self.assertEqual(out["report"], "Sector report gold %d" % YEAR)
        self.assertEqual(out["chart"], "Companies per band")
        self.assertEqual((out["risks"], out["table"]), (2, 3))
        self.assertEqual(out["download"], "report-gold-%d.html" % YEAR)
        self.assertIn("year: a year from 2000 to 2100", out["bad"])
        # The steering group's overview.
        self.assertTrue(out["steering_home"].endswith("/staff/?lang=en"), out)
        self.assertEqual(out["parties"], "4")
        self.assertEqual(out["round"], "completed")
        self.assertGreaterEqual(out["charts"], 3)


if __name__ == "__main__":
    unittest.main()

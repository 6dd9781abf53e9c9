"""The 4 July list (issue 23, item 3), on membership's settable clock (IMVO_CLOCK_OFFSET_S).
Seed 001 (textile): "Productielocaties van bij het convenant aangesloten bedrijven staan
online. Jaarlijks wordt op 4 juli een nieuwe lijst gepubliceerd." Textile's disclosure deadline
is 1 June (the project's choice, marked so in deploy/covenants.json); its companies that have
not disclosed hear reminders four weeks, a week and a day before it through notify, are flagged
for the secretariat once it has passed, and the list is published on 4 July by a timer, once,
also when the daemon was down that day."""
import datetime
import unittest

from harness import System

SEED_4_JULY = "Jaarlijks wordt op 4 juli een nieuwe lijst gepubliceerd."
YEAR = datetime.datetime.now(datetime.timezone.utc).year + 1


def offset_to(month, day):
    """IMVO_CLOCK_OFFSET_S that puts membership's clock at noon (UTC) on month-day of YEAR."""
    now = datetime.datetime.now(datetime.timezone.utc)
    at = datetime.datetime(YEAR, month, day, 12, tzinfo=datetime.timezone.utc)
    return str(int((at - now).total_seconds()))


class Deadline(unittest.TestCase):

    def setUp(self):
        self.s = System(["membership", "notify"], env={"IMVO_CLOCK_OFFSET_S": offset_to(4, 1)}).__enter__()
        self.addCleanup(self.s.close)
        self.quiet = self.join("Disclosed Early BV")       # discloses before any reminder
        self.late = self.join("Never Disclosed BV")
        self.disclose(self.quiet)

    def join(self, name):
        o = self.s.ok("membership", "org.register", {"name": name, "kind": "company", "country": "NL"})["org_id"]
        self.s.ok("membership", "member.join", {"covenant": "textile", "org_id": o, "role": "party",
                                                "since": "2020-03-01", "source": "test"})
        return o

    def disclose(self, org):
        self.s.ok("membership", "location.add", {"covenant": "textile", "org_id": org, "year": YEAR,
                                                 "name": "Garment Factory %s" % org, "address": "Road 1",
                                                 "city": "Dhaka", "country": "BD"})

    def restart_on(self, month, day):
        self.s.stop("membership")
        self.s.extra_env["IMVO_CLOCK_OFFSET_S"] = offset_to(month, day)
        self.s.start("membership")

    def items(self, recipient, kind):
        r = self.s.ok("notify", "inbox.list", {"recipient": recipient, "limit": 1000})
        return [i for i in r["items"] if i["type"] == kind]

    def settled(self):
        return self.s.wait_for(lambda: self.s.drained("notify", "membership"))

    def status(self):
        got = self.s.ok("membership", "location.disclosures", {"covenant": "textile", "year": YEAR})
        return got, {c["org_id"]: c for c in got["companies"]}

    def test_reminders_reach_only_companies_that_have_not_disclosed(self):
        """Seed 001: "Jaarlijks wordt op 4 juli een nieuwe lijst gepubliceerd." So that the list
        can be complete on that day, the companies that have not disclosed hear reminders
        through notify before the deadline (the project's choice, deploy/covenants.json), the
        nearest one once: four weeks before the deadline, then a week before; a restart on the
        same day sends nothing again."""
        self.restart_on(5, 5)                               # 27 days before 1 June
        self.assertTrue(self.s.wait_for(lambda: len(self.items("org:" + self.late, "location.disclosure_reminder")) == 1))
        first = self.items("org:" + self.late, "location.disclosure_reminder")[0]
        self.assertIn("%d-06-01" % YEAR, first["text"])
        self.restart_on(5, 26)                              # 6 days before
        self.assertTrue(self.s.wait_for(lambda: len(self.items("org:" + self.late, "location.disclosure_reminder")) == 2))
        self.restart_on(5, 26)
        self.assertTrue(self.settled())
        self.assertEqual(len(self.items("org:" + self.late, "location.disclosure_reminder")), 2)
        self.assertEqual(self.items("org:" + self.quiet, "location.disclosure_reminder"), [])
        got, by_org = self.status()
        self.assertEqual((got["deadline"], got["publish_on"]), ("%d-06-01" % YEAR, "%d-07-04" % YEAR))
        self.assertEqual(by_org[self.late]["reminded"], [7, 28])
        self.assertEqual((by_org[self.quiet]["disclosed"], by_org[self.quiet]["reminded"]), (True, []))

    def test_after_the_deadline_the_company_is_flagged_for_the_secretariat(self):
        """Seed 001: "Jaarlijks wordt op 4 juli een nieuwe lijst gepubliceerd." A company
        without a disclosure on 2 June (the deadline, 1 June, is the project's choice) is
        overdue: the secretariat sees it in location.disclosures and hears it, once; a company
        that disclosed is not."""
        self.restart_on(6, 2)
        self.assertTrue(self.s.wait_for(lambda: self.items("secretariat:textile", "location.disclosure_overdue")))
        got, by_org = self.status()
        self.assertEqual((by_org[self.late]["overdue"], by_org[self.late]["flagged"], by_org[self.late]["disclosed"]),
                         (True, True, False))
        self.assertEqual((by_org[self.quiet]["overdue"], by_org[self.quiet]["flagged"]), (False, False))
        self.assertEqual(len(self.items("org:" + self.late, "location.disclosure_overdue")), 1)
        self.restart_on(6, 3)
        self.assertTrue(self.settled())
        self.assertEqual(len(self.items("secretariat:textile", "location.disclosure_overdue")), 1)
        out = self.s.imvoctl("location", "disclosures", "textile", "--year", YEAR)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(self.late, out.stdout)
        # Only staff may look.
        e = self.s.call("membership", "location.disclosures", {"covenant": "textile"},
                        actor={"role": "company", "org": self.late})["error"]
        self.assertEqual(e["code"], "forbidden")
        e = self.s.call("membership", "location.disclosures", {"covenant": "gold"})["error"]
        self.assertEqual((e["code"], e["field"]), ("conflict", "covenant"))

    def test_the_list_is_published_on_4_july_once_also_after_downtime(self):
        """Seed 001: "Jaarlijks wordt op 4 juli een nieuwe lijst gepubliceerd." Membership was
        down on 4 July: started on 6 July it publishes the list once; started again, it does
        not publish it a second time."""
        import glob
        import os
        for path in glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                                           "seeds", "001_*")):
            with open(path, encoding="utf-8") as f:
                self.assertIn(SEED_4_JULY, f.read())
        e = self.s.call("membership", "location.list", {"covenant": "textile", "year": YEAR}, actor=False)["error"]
        self.assertEqual((e["code"], e["field"]), ("not_found", "year"))
        self.restart_on(7, 3)
        self.assertTrue(self.settled())
        self.assertEqual(self.items("secretariat:textile", "location.list_published"), [])
        self.restart_on(7, 6)
        self.assertTrue(self.s.wait_for(lambda: self.items("secretariat:textile", "location.list_published")))
        public = self.s.ok("membership", "location.list", {"covenant": "textile", "year": YEAR}, actor=False)
        self.assertEqual((public["count"], public["published_on"]), (1, "%d-07-06" % YEAR))
        self.assertEqual(self.status()[0]["auto_published"], "%d-07-06" % YEAR)
        self.restart_on(7, 7)
        self.assertTrue(self.settled())
        self.assertEqual(len(self.items("secretariat:textile", "location.list_published")), 1)
        self.assertEqual(self.s.ok("membership", "location.list", {"covenant": "textile", "year": YEAR},
                                   actor=False)["published_on"], "%d-07-06" % YEAR)


if __name__ == "__main__":
    unittest.main()

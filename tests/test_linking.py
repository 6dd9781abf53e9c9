"""Reports about a place (issue 10): a complaint that names a production location reaches every
company that disclosed it, in any covenant and year, without the complainant's identity; a
complaint without a respondent (a mail, a report about a place) waits in received until the
secretariat sets one with complaint.update."""
import json
import os
import subprocess
import unittest

from harness import SharedSystem, imvoctl_path

PLACE = {"name": "Rahman Knit Composite", "address": "Plot 12, Tejgaon Industrial Area", "city": "Dhaka",
         "country": "BD"}


def linked_items(s, org):
    items = s.ok("notify", "inbox.list", {"recipient": "org:" + org}, actor={"role": "company", "org": org})["items"]
    return [i for i in items if i["type"] == "complaint.linked"]


class Linking(SharedSystem):
    """One system for both: the mail goes to another covenant than the place's complaint."""

    SERVICES = ["complaints", "notify"]

    def test_a_complaint_about_a_place_informs_exactly_its_companies(self):
        s = self.s
        a = s.company("Alpha Fashion BV", ["textile"])
        b = s.company("Beta Wear BV", ["textile"])
        c = s.company("Gamma Gold BV", ["gold"])
        d = s.company("Delta Denim BV", ["textile"])
        ids = {s.ok("membership", "location.add", dict(PLACE, covenant=cov, org_id=org, year=year))["location_id"]
               for org, cov, year in ((a, "textile", 2025), (b, "textile", 2026), (c, "gold", 2025))}
        self.assertEqual(len(ids), 1, ids)          # one place, in two covenants
        place = ids.pop()
        s.ok("membership", "location.add", {"covenant": "textile", "org_id": d, "year": 2025, "name": "Other Mill",
                                            "address": "Road 4", "city": "Gazipur", "country": "BD"})
        sourcing = s.ok("membership", "location.sourcing", {"location_id": place})["companies"]
        self.assertEqual(sorted((x["org_id"], x["covenant"], x["years"][0]) for x in sourcing),
                         sorted([(a, "textile", 2025), (b, "textile", 2026), (c, "gold", 2025)]))
        r = s.call("membership", "location.sourcing", {"location_id": place}, actor={"role": "company", "org": a})
        self.assertEqual(r["error"]["code"], "forbidden")

        filed = s.ok("complaints", "complaint.submit", {
            "covenant": "textile", "location_id": place, "summary": "Fire exits locked",
            "description": "Night shift doors locked.",
            "complainant": {"anonymous": False, "name": "Worker Secret", "contact": "w@example.org"}})
        case_id = filed["case_id"]
        # Exactly the three that disclosed it hear of it, without who complained.
        for org in (a, b, c):
            with self.subTest(org=org):
                got = s.wait_for(lambda: linked_items(s, org))
                self.assertEqual([i["case_id"] for i in got], [case_id])
                self.assertNotIn("Worker Secret", json.dumps(got))
        self.assertTrue(s.wait_for(lambda: s.drained("notify")))
        self.assertEqual(linked_items(s, d), [])
        case = s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertEqual(sorted((x["org_id"], x["covenant"]) for x in case["linked"]),
                         sorted([(a, "textile"), (b, "textile"), (c, "gold")]))
        self.assertEqual(case["respondent"], "")
        # No respondent yet: it waits in received until the secretariat sets one.
        r = s.call("complaints", "complaint.transition", {"case_id": case_id, "to": "admissibility", "reason": "x"})
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("conflict", "respondent"), r)
        r = s.call("complaints", "complaint.update", {"case_id": case_id, "respondent": c})     # gold, not textile
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "respondent"), r)
        r = s.call("complaints", "complaint.update", {"case_id": case_id, "respondent": a},
                   actor={"role": "company", "org": a})
        self.assertEqual(r["error"]["code"], "forbidden")
        out = s.imvoctl("--json", "complaint", "update", case_id, "--respondent", a)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["respondent"], a)
        s.ok("complaints", "complaint.transition", {"case_id": case_id, "to": "admissibility", "reason": "ok"})
        r = s.call("complaints", "complaint.update", {"case_id": case_id, "respondent": b})
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("conflict", "case_id"), r)
        # One view of a company across covenants: its memberships and open cases, for staff.
        s.ok("membership", "member.join", {"covenant": "gold", "org_id": a, "role": "supporter"})
        view = s.ok("membership", "org.get", {"org_id": a})
        self.assertEqual(sorted(m["covenant"] for m in view["memberships"]), ["gold", "textile"])
        self.assertEqual([x["case_id"] for x in view["open_cases"]["textile"]], [case_id])
        self.assertNotIn("gold", view["open_cases"])
        # The company itself sees the same (the console's home page); another company does not.
        own = s.ok("membership", "org.get", {"org_id": a}, actor={"role": "company", "org": a})
        self.assertEqual([x["case_id"] for x in own["open_cases"]["textile"]], [case_id])
        other = s.ok("membership", "org.get", {"org_id": a}, actor={"role": "company", "org": b})
        self.assertNotIn("open_cases", other)
        self.assertNotIn("memberships", other)

    def test_a_mail_without_respondent_becomes_a_case_in_received(self):
        s = self.s
        mail = os.path.join(s.workdir, "m.eml")
        with open(mail, "w") as f:
            f.write("From: Worker <w@example.org>\nTo: klachten@example.org\nSubject: Unpaid overtime\n"
                    "Message-ID: <no-respondent-1@example.org>\nContent-Type: text/plain; charset=utf-8\n\n"
                    "We were not paid for the overtime in March.\n")
        out = subprocess.run([imvoctl_path(), "--json", "complaint", "from-mail", "--covenant", "food", mail],
                             env=s.env(), capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        case_id = json.loads(out.stdout)["case_id"]
        case = s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertEqual((case["status"], case["respondent"], case["summary"]), ("received", "", "Unpaid overtime"))


if __name__ == "__main__":
    unittest.main()

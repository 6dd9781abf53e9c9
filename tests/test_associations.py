"""Trade associations that sign for their members (issue 23, 2), against a real Redis and the
real daemons: an association lists its member companies (member.associates), the rounds of
food and insurance assess what those members must do (map their risks), and a member company
is reachable for complaints through its association, which is linked to the case and hears of
it. Each rule quotes the seed sentence it enforces."""
import unittest

from harness import SharedSystem, member, register

SEC, MON = {"role": "secretariat"}, {"role": "monitoring"}
YEAR = 2026
# One part, one criterion (test_scoring's way of making scores easy to compute by hand).
FRAMEWORK = {"version": 1, "due": "12-31", "name": "association test framework",
             "parts": [{"code": "a", "name": "Part A", "weight": 100, "criteria": [{"id": "a1", "text": "a1", "max": 10}]}],
             "bands": [{"code": "low", "min": 0}, {"code": "high", "min": 50}]}
RISKS = [{"theme": "living_wage", "country": "CI", "severity": 3}]


org = register


def association(s, covenant, name, groups=None):
    """A trade association that joined covenant as a party (in groups, or its first working group)."""
    return member(s, covenant, name, kind="trade_association", groups=groups)


class Associations(SharedSystem):

    SERVICES = ["membership", "complaints", "scoring", "notify"]

    def lists(self, covenant, assoc, companies, actor=SEC):
        return self.s.call("membership", "member.associates", {"covenant": covenant, "org_id": assoc, "companies": companies},
                           actor=actor)

    def test_an_association_lists_its_member_companies(self):
        """Seed 001 (food): "3 brancheorganisaties hebben in juni 2018 getekend namens al hun
        leden": the association that signed lists the members it signed for."""
        s = self.s
        a = association(s, "food", "Food Association A")
        c1, c2, c3 = org(s, "Bakery One BV"), org(s, "Dairy Two BV"), org(s, "Sauce Three BV")
        r = self.lists("food", a, [c1, c2])
        self.assertTrue(r["ok"], r)
        self.assertEqual(sorted(r["body"]["added"]), sorted([c1, c2]))
        got = s.ok("membership", "member.get", {"covenant": "food", "org_id": a})
        self.assertEqual(sorted(c["org_id"] for c in got["companies"]), sorted([c1, c2]))
        self.assertEqual(s.ok("membership", "member.get", {"covenant": "food", "org_id": a})["kind"], "trade_association")
        # The whole list again replaces it: c2 out, c3 in.
        r = self.lists("food", a, [c1, c3])["body"]
        self.assertEqual((r["added"], r["removed"]), ([c3], [c2]))
        listed = s.ok("membership", "member.associated", {"covenant": "food", "association": a})["companies"]
        self.assertEqual({c["org_id"]: c["association"] for c in listed}, {c1: a, c3: a})
        self.assertEqual({c["name"] for c in listed}, {"Bakery One BV", "Sauce Three BV"})
        # The association itself (role company, its own org) may keep its list; another may not.
        self.assertTrue(self.lists("food", a, [c1, c3], actor={"role": "company", "org": a})["ok"])
        r = self.lists("food", a, [c1], actor={"role": "company", "org": c1})
        self.assertEqual(r["error"]["code"], "forbidden", r)

    def test_only_a_trade_association_that_is_a_party_lists_companies(self):
        """Seed 002 (food): "De brancheorganisaties moeten ervoor zorgen dat al hun leden
        risico's in kaart brengen en aanpakken": a brancheorganisatie, no other party."""
        s = self.s
        company = org(s, "Not An Association BV")
        s.ok("membership", "member.join", {"covenant": "food", "org_id": company, "role": "supporter"}, actor=SEC)
        r = self.lists("food", company, [org(s, "Member X BV")])
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("conflict", "org_id"), r)
        a = association(s, "food", "Food Association B")
        ngo = org(s, "An NGO", "ngo")
        r = self.lists("food", a, [org(s, "Fine BV"), ngo])
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "companies.1"), r)
        r = self.lists("food", a, ["org-999999"])
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("not_found", "companies.0"), r)
        c = org(s, "Twice BV")
        r = self.lists("food", a, [c, c])
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "companies.1"), r)
        # One association of a covenant at a time speaks for a company.
        self.assertTrue(self.lists("food", a, [c])["ok"])
        other = association(s, "food", "Food Association C")
        r = self.lists("food", other, [c])
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("conflict", "companies.0"), r)

    def test_the_food_and_insurance_rounds_assess_the_members_on_mapping_their_risks(self):
        """Seed 002 (food): "De brancheorganisaties moeten ervoor zorgen dat al hun leden
        risico's in kaart brengen en aanpakken." Seed 001 (insurance): "2 brancheorganisaties
        hebben in juli 2018 getekend namens al hun leden": each round includes those members,
        with the requirement map_risks; a plan without risks is found wanting."""
        s = self.s
        for covenant in ("food", "insurance"):
            with self.subTest(covenant=covenant):
                s.ok("scoring", "framework.put", dict(FRAMEWORK, covenant=covenant), actor=MON)
                a = association(s, covenant, "Round Association %s" % covenant)
                mapped, unmapped, silent = (org(s, "%s %s NV" % (covenant, k)) for k in ("Mapped", "Unmapped", "Silent"))
                s.ok("membership", "member.associates", {"covenant": covenant, "org_id": a,
                                                         "companies": [mapped, unmapped, silent]}, actor=SEC)
                for c, risks in ((mapped, RISKS), (unmapped, [])):
                    s.ok("scoring", "submission.put", {"covenant": covenant, "org_id": c, "year": YEAR,
                                                       "answers": {"a1": 6}, "risks": risks},
                         actor={"role": "company", "org": c})
                s.ok("scoring", "assessment.start", {"covenant": covenant, "year": YEAR}, actor=MON)
                rid = "%s-%d" % (covenant, YEAR)
                self.assertTrue(s.wait_for(lambda: s.ok("scoring", "assessment.get", {"round_id": rid}, actor=MON)["status"]
                                           == "completed", timeout=20), s.log("scoring"))
                results = {r["org_id"]: r for r in s.ok("scoring", "assessment.get", {"round_id": rid}, actor=MON)["results"]}
                for c in (mapped, unmapped, silent):
                    self.assertEqual((results[c]["association"], results[c]["requirement"]), (a, "map_risks"))
                self.assertNotIn("risks_not_mapped", results[mapped]["findings"])
                self.assertEqual(results[mapped]["score"], 60)
                self.assertIn("risks_not_mapped", results[unmapped]["findings"])
                self.assertIn("risks_not_mapped", results[silent]["findings"])
                self.assertIn("missing", results[silent]["findings"])
                # The association itself is a party, not a company: not assessed.
                self.assertNotIn(a, results)

    def test_a_member_company_is_reachable_for_complaints_through_its_association(self):
        """Seed 001 (food): "3 brancheorganisaties hebben in juni 2018 getekend namens al hun
        leden": a complaint against such a member is admissible, the association is linked to
        the case and hears of it with the company."""
        s = self.s
        a = association(s, "food", "Food Association D")
        member, outsider = org(s, "Cocoa Member BV"), org(s, "Cocoa Outsider BV")
        body = {"covenant": "food", "summary": "Child labour on a cocoa farm", "description": "Children harvest.",
                "complainant": {"anonymous": True}}
        r = s.call("complaints", "complaint.submit", dict(body, respondent=member), actor=False)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "respondent"), r)
        s.ok("membership", "member.associates", {"covenant": "food", "org_id": a, "companies": [member]}, actor=SEC)
        # At once (read your own writes): no wait for complaints to hear of it.
        case = s.ok("complaints", "complaint.submit", dict(body, respondent=member), actor=False)["case_id"]
        got = s.ok("complaints", "complaint.get", {"case_id": case})
        self.assertEqual((got["respondent"], got["association"]), (member, a))
        r = s.call("complaints", "complaint.submit", dict(body, respondent=outsider), actor=False)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "respondent"), r)
        # The association sees the case as the company does, and hears when the company does.
        self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": case}, actor={"role": "company", "org": a})["case_id"],
                         case)
        s.ok("complaints", "complaint.transition", {"case_id": case, "to": "admissibility", "reason": "acknowledged"})

        def heard(recipient):
            return [i for i in s.ok("notify", "inbox.list", {"recipient": recipient}, actor=SEC)["items"]
                    if i["type"] == "complaint.status_changed"]
        self.assertTrue(s.wait_for(lambda: heard("org:%s" % a)), "the association did not hear of the case")
        # (notify writes each recipient's inbox in a step of its own: the company's may come a
        # moment after the association's; a plain assertion failed once on the one-node cluster.)
        self.assertTrue(s.wait_for(lambda: heard("org:%s" % member)), "the company did not hear of the case")
        # An association that leaves no longer speaks for its members.
        s.ok("membership", "member.leave", {"covenant": "food", "org_id": a}, actor=SEC)
        r = s.call("complaints", "complaint.submit", dict(body, respondent=member), actor=False)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "respondent"), r)

    def test_texts_name_a_listed_company_not_its_id(self):
        """A company an association lists never joins, so notify never heard its name from
        member.joined; the list's member.listed event tells it, and the inbox items about a case
        against the company name it as they name a member ("<name> (<id>)")."""
        s = self.s
        a = association(s, "food", "Food Association N")
        company = org(s, "Named Cocoa Member BV")
        s.ok("membership", "member.associates", {"covenant": "food", "org_id": a, "companies": [company]}, actor=SEC)
        self.assertTrue(s.wait_for(lambda: s.drained("notify", "membership")))
        body = {"covenant": "food", "respondent": company, "summary": "Forced overtime at a cocoa mill",
                "description": "Sixteen-hour days.", "complainant": {"anonymous": True}}
        case = s.ok("complaints", "complaint.submit", body, actor=False)["case_id"]

        def texts(recipient):
            return [i["text"] for i in s.ok("notify", "inbox.list", {"recipient": recipient}, actor=SEC)["items"]
                    if i.get("case_id") == case and i["type"] == "complaint.received"]
        for recipient in ("committee:food", "secretariat:food"):
            got = s.wait_for(lambda: texts(recipient))
            self.assertTrue(got, "%s did not hear of the complaint" % recipient)
            self.assertIn("Named Cocoa Member BV (%s)" % company, got[0])

    def test_imvoctl_lists_and_reads_an_associations_companies(self):
        """imvoctl covers member.associates and member.associated."""
        s = self.s
        a = association(s, "insurance", "Insurers Association CLI")
        c = org(s, "Insurer CLI NV")
        out = s.imvoctl("member", "associates", "--covenant", "insurance", "--org-id", a, "--companies", c)
        self.assertEqual(out.returncode, 0, out.stderr)
        out = s.imvoctl("member", "associated", "insurance")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(c, out.stdout)
        self.assertIn("Insurer CLI NV", out.stdout)


if __name__ == "__main__":
    unittest.main()

"""The secretariat's console pages for collective work and meetings (issue 23, items 6 and 9):
/staff/collective (the working group's two collective risks chosen from the round's ranking,
collective projects and their participants) and /staff/meetings (the steering group, general
meetings with attendance and the parties' votes), over HTTP against the real daemons: who may
see them, forms that change once, and a supporter's vote refused with the daemon's words."""
import unittest

from harness import System, member, start_portal
from test_collective import YEAR, gold_round
from test_console import ConsoleSystem


class CollectivePages(ConsoleSystem):

    @classmethod
    def setUpClass(cls):
        cls.s = System(["membership", "complaints", "notify", "scoring"]).__enter__()
        cls.orgs, cls.round = gold_round(cls.s)
        s = cls.s
        cls.parties = []
        for name in ("Metal A BV", "Metal B BV"):
            org = s.ok("membership", "org.register", {"name": name, "kind": "company", "country": "NL"})["org_id"]
            s.ok("membership", "member.join", {"covenant": "metals", "org_id": org, "role": "party",
                                               "working_groups": ["collective-action"]})
            cls.parties.append(org)
        cls.supporter = s.ok("membership", "org.register", {"name": "Tin Association", "kind": "other",
                                                           "country": "BE"})["org_id"]
        s.ok("membership", "member.join", {"covenant": "metals", "org_id": cls.supporter, "role": "supporter"})
        cls.logpath = s.workdir + "/portal.log"
        cls.portal, cls.port = start_portal(s, cls.logpath)

    def test_only_the_secretariat_sees_the_pages(self):
        sec = self.signed_in("secretariat")
        for page in ("/staff/collective?covenant=gold&year=%d" % YEAR, "/staff/meetings?covenant=metals"):
            self.assertEqual(sec.get(page).status, 200, page + self.log_tail())
        home = sec.get("/staff/").page
        self.assertIn('href="/staff/collective?lang=en&amp;covenant=gold"', home)
        self.assertIn('href="/staff/meetings?lang=en&amp;covenant=metals"', home)
        for role, org in (("monitoring", None), ("steering", None), ("company", self.orgs["X"])):
            b = self.signed_in(role, org)
            self.assertEqual(b.get("/staff/collective?covenant=gold").status, 403, role)
            self.assertEqual(b.get("/staff/meetings?covenant=metals").status, 403, role)
        self.assertEqual(sec.get("/staff/collective?covenant=Gold!").status, 400)

    def test_the_working_groups_choice_from_the_ranking(self):
        """004: "De werkgroep kiest hieruit twee collectieve risico's waarop gezamenlijk actie wordt
        ondernomen." The page lists the ranking; its form records the two chosen."""
        sec = self.signed_in("secretariat")
        page = sec.get("/staff/collective?covenant=gold&year=%d" % YEAR).page
        self.assertIn('id="ranking"', page)
        self.assertIn('<option value="forced_labour|CN"', page)
        fields = {"covenant": "gold", "year": str(YEAR), "risk_1": "mercury|PE", "risk_2": "forced_labour|CN",
                  "working_group": "collective-action", "note": "minutes"}
        key = sec.form_key(page, "/staff/collective/choose")
        for _ in range(2):              # the same form twice (a double-click): one change
            r = sec.post("/staff/collective/choose", page, idem=key, **fields)
            self.assertEqual(r.status, 303, r.page[-800:] + self.log_tail())
        got = self.s.ok("scoring", "assessment.get", {"round_id": "gold-%d" % YEAR}, actor={"role": "monitoring"})
        self.assertEqual(sorted((k["theme"], k["country"]) for k in got["collective_risks"] if k["act_on"]),
                         [("forced_labour", "CN"), ("mercury", "PE")])
        r = sec.post("/staff/collective/choose", page, **dict(fields, risk_2="mercury|PE"))
        self.assertEqual(r.status, 400)
        self.assertIn("two different risks", r.page)

    def test_a_project_and_its_participants_from_the_page(self):
        """001: "Er lopen drie collectieve projecten waarin bedrijven en partijen met elkaar samenwerken.\""""
        sec = self.signed_in("secretariat")
        page = sec.get("/staff/collective?covenant=metals").page
        self.assertIn("Collective projects", page)
        a, b = self.parties
        r = sec.post("/staff/collective/project", page, covenant="metals", code="cobalt-drc", name="Cobalt in the DRC",
                     from_year="2020", source="minutes", **{"p." + a: "1"})
        self.assertEqual(r.status, 303, r.page[-800:] + self.log_tail())
        got = self.s.ok("scoring", "project.list", {"covenant": "metals"}, actor=False)["projects"]
        self.assertEqual([(p["code"], p["participants"], p["from_year"]) for p in got], [("cobalt-drc", [a], 2020)])
        page = sec.get("/staff/collective?covenant=metals").page
        self.assertIn("Cobalt in the DRC", page)
        self.assertIn('<span title="%s">Metal A BV</span>' % a, page)        # a participant by its name
        self.assertRegex(page, r'name="p\.%s" value="1" checked' % a)

    def test_a_general_meeting_and_the_steering_group_from_the_page(self):
        """004: "Als steunbetuiger heeft u geen stem in de besluitvorming." and "De voorzitter is een
        onafhankelijk persoon.\""""
        sec = self.signed_in("secretariat")
        page = sec.get("/staff/meetings?covenant=metals").page
        self.assertIn("Maurits Derksen", page)          # the seeded chair
        a, b = self.parties
        self.assertIn('name="v.%s"' % a, page)
        self.assertNotIn('name="v.%s"' % self.supporter, page)      # a supporter gets no vote buttons
        att = {"a." + a: "1", "a." + b: "1", "a." + self.supporter: "1"}
        r = sec.post("/staff/meetings/record", page, covenant="metals", date="2021-03-04", motion="annual plan",
                     **dict(att, **{"v." + a: "for", "v." + b: "against"}))
        self.assertEqual(r.status, 303, r.page[-800:] + self.log_tail())
        got = self.s.ok("membership", "meeting.list", {"covenant": "metals"})["meetings"][0]
        self.assertEqual((got["date"], sorted(got["attendees"]), got["votes"][0]["for"], got["votes"][0]["against"]),
                         ("2021-03-04", sorted([a, b, self.supporter]), [a], [b]))
        page = sec.get("/staff/meetings?covenant=metals").page
        self.assertIn("annual plan", page)
        self.assertIn('<span title="%s">Metal B BV</span>' % b, page)        # who attended, by name
        # A vote sent for the supporter all the same: refused, with the daemon's words.
        page = sec.get("/staff/meetings?covenant=metals").page
        r = sec.post("/staff/meetings/record", page, covenant="metals", date="2021-03-05", motion="m",
                     **dict(att, **{"v." + self.supporter: "for"}))
        self.assertEqual(r.status, 400)
        self.assertIn("only parties vote", r.page)
        r = sec.post("/staff/meetings/steering", page, covenant="metals", chair="Maurits Derksen",
                     chair_independent="1", source="minutes", **{"r." + a: "Anna de Vries"})
        self.assertEqual(r.status, 303, r.page[-800:] + self.log_tail())
        got = self.s.ok("membership", "steering.get", {"covenant": "metals"}, actor=False)
        self.assertEqual(got["members"], [{"name": "Anna de Vries", "org_id": a}])
        page = sec.get("/staff/meetings?covenant=metals").page
        r = sec.post("/staff/meetings/steering", page, covenant="metals", chair="X", source="minutes")
        self.assertEqual(r.status, 400)

    def test_a_covenant_of_many_parties_keeps_every_field(self):
        """A form of many fields (the steering group's: a representative a party) is read whole:
        the portal read a form's first 24 fields only, so with 22 parties a representative and the
        source were dropped without a word and the group was stored without them."""
        parties = [member(self.s, "floriculture", "Flower %02d BV" % i) for i in range(22)]
        sec = self.signed_in()
        self.assertTrue(self.s.wait_for(
            lambda: parties[-1] in sec.get("/staff/meetings?covenant=floriculture").page))
        page = sec.get("/staff/meetings?covenant=floriculture").page
        # As a browser sends it: the form's fields in their order, the hidden ones first.
        fields = {"csrf": sec.csrf(page), "lang": "en", "covenant": "floriculture", "chair": "Maurits Derksen",
                  "chair_independent": "1"}
        fields.update({"r." + org: "Rep of " + org for org in parties})
        fields["source"] = "minutes 2026"
        r = sec.request("POST", "/staff/meetings/steering", fields)
        self.assertEqual(r.status, 303, r.page[-800:])
        got = self.s.ok("membership", "steering.get", {"covenant": "floriculture"}, actor=False)
        self.assertEqual(sorted(m["org_id"] for m in got["members"]), sorted(parties))
        self.assertEqual(got.get("source"), "minutes 2026")

    def test_the_committee_verifies_and_the_company_comments_from_the_pages(self):
        """001: "De jaarlijkse plannen van aanpak van bedrijven hierover, worden beoordeeld volgens
        een vast Beoordelingskader." The committee's verdict per criterion, the company's two
        weeks to comment, and no publication before they have passed."""
        mon = self.signed_in("monitoring")
        rid, org = "gold-%d" % YEAR, self.orgs["Y"]
        page = mon.get("/staff/assessor?covenant=gold&year=%d" % YEAR).page
        self.assertIn("org=%s" % org, page)
        self.assertIn('href="/staff/assessor?lang=en&amp;covenant=gold"', mon.get("/staff/").page)
        page = mon.get("/staff/assessor?covenant=gold&year=%d&org=%s" % (YEAR, org)).page
        self.assertIn("The company's answer: 4 / 4", page)
        r = mon.post("/staff/assessor/verify", page, covenant="gold", year=str(YEAR), org_id=org, criterion="a1",
                     verdict="adjusted", score="2", comment="Only a draft policy was shown.")
        self.assertEqual(r.status, 303, r.page[-800:] + self.log_tail())
        got = self.s.ok("scoring", "assessment.get", {"round_id": rid}, actor={"role": "monitoring"})
        self.assertEqual(next(x for x in got["results"] if x["org_id"] == org)["score"], 30)   # 50 x 6/10
        page = mon.get("/staff/assessor?covenant=gold&year=%d&org=%s" % (YEAR, org)).page
        self.assertIn("Adjusted to: 2", page)
        r = mon.post("/staff/assessor/publish", page, covenant="gold", year=str(YEAR))
        self.assertEqual(r.status, 409)
        self.assertIn("two weeks", r.page)
        company = self.signed_in("company", org)
        self.assertIn('href="/staff/review?lang=en"', company.get("/staff/").page)
        page = company.get("/staff/review?covenant=gold&year=%d" % YEAR).page
        self.assertIn("Only a draft policy was shown.", page)
        r = company.post("/staff/review/comment", page, covenant="gold", year=str(YEAR), criterion="a1",
                         comment="The policy was adopted in March; minutes attached to our plan.")
        self.assertEqual(r.status, 303, r.page[-800:] + self.log_tail())
        review = self.s.ok("scoring", "assessment.review", {"round_id": rid, "org_id": org}, actor={"role": "monitoring"})
        self.assertEqual([(c["criterion"], c["org_id"]) for c in review["comments"]], [("a1", org)])
        self.assertIn("adopted in March", mon.get("/staff/assessor?covenant=gold&year=%d&org=%s" % (YEAR, org)).page)
        self.assertEqual(company.get("/staff/assessor?covenant=gold").status, 403)
        self.assertEqual(mon.get("/staff/review?covenant=gold").status, 403)


if __name__ == "__main__":
    unittest.main()

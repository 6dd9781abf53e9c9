"""Collective work and the assessor's step (issue 23, items 6 and 7), against a real Redis,
membership and scoring: the working group's choice of two collective risks from the round's
ranking, collective projects with their seeds and participants, the year-3 rule reading a
project's participants, the committee's verdict per criterion, the company's two-week comment
window (the settable clock) and the published results with the companies' due-diligence
reports. Each rule's test quotes the seed sentence it enforces."""
import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import SharedSystem, System                                  # noqa: E402
from test_scoring import FRAMEWORK, company, wait_completed               # noqa: E402

MON = {"role": "monitoring"}
YEAR = 2026
# Four ranked risks: child labour in CD (3 companies, 12), mercury in PE (3, 6), forced labour
# in CN (2, 6) and land rights in GH (1, 1).
RISKS = {"X": [("child_labour", "CD", 4), ("mercury", "PE", 2), ("forced_labour", "CN", 3)],
         "Y": [("child_labour", "CD", 4), ("mercury", "PE", 2), ("forced_labour", "CN", 3)],
         "Z": [("child_labour", "CD", 4), ("mercury", "PE", 2), ("land_rights", "GH", 1)]}
ANSWERS = {"X": {"a1": 2, "a2": 3, "b1": 5, "c1": 5}, "Y": {"a1": 4, "a2": 4, "b1": 0, "c1": 0},
           "Z": {"a1": 0, "a2": 0, "b1": 1, "c1": 0}}


def gold_round(s, year=YEAR, urls=None):
    """A completed gold round of three companies: their org ids and the round."""
    s.ok("scoring", "framework.put", FRAMEWORK, actor=MON)
    orgs = {k: company(s, "Gold %s %d BV" % (k, year)) for k in "XYZ"}
    for k, org in orgs.items():
        plan = {"covenant": "gold", "org_id": org, "year": year, "answers": ANSWERS[k],
                "risks": [{"theme": t, "country": c, "severity": v} for t, c, v in RISKS[k]]}
        if urls and k in urls:
            plan["public_report_url"] = urls[k]
        s.ok("scoring", "submission.put", plan, actor={"role": "company", "org": org})
    rid = s.ok("scoring", "assessment.start", {"covenant": "gold", "year": year}, actor=MON)["round_id"]
    return orgs, wait_completed(s, rid)


class Collective(SharedSystem):
    SERVICES = ["membership", "scoring"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.orgs, cls.round = gold_round(cls.s)
        cls.rid = "gold-%d" % YEAR

    def test_the_ranking_marks_no_risk_until_the_working_group_chooses(self):
        """004: "De werkgroep kiest hieruit twee collectieve risico's waarop gezamenlijk actie
        wordt ondernomen." The software ranks; it does not choose."""
        ranking = [(r["theme"], r["country"], r["companies"]) for r in self.round["collective_risks"]]
        self.assertEqual(ranking[:2], [("child_labour", "CD", 3), ("mercury", "PE", 3)])
        self.assertFalse(any(r["act_on"] for r in self.round["collective_risks"]))

    def test_the_working_group_chooses_two_risks_and_the_report_shows_them(self):
        """004: "De werkgroep kiest hieruit twee collectieve risico's waarop gezamenlijk actie
        wordt ondernomen." Its choice, not the ranking's top two, is what the report marks."""
        s = self.s
        risks = [{"theme": "forced_labour", "country": "CN"}, {"theme": "land_rights", "country": "GH"}]
        got = s.ok("scoring", "collective.choose", {"round_id": self.rid, "risks": risks,
                                                    "working_group": "collective-action", "note": "minutes 3 March"})
        self.assertEqual((got["round_id"], got["risks"], got["working_group"]), (self.rid, risks, "collective-action"))
        r = s.ok("scoring", "assessment.get", {"round_id": self.rid}, actor=MON)
        chosen = sorted((x["theme"], x["country"]) for x in r["collective_risks"] if x["act_on"])
        self.assertEqual(chosen, [("forced_labour", "CN"), ("land_rights", "GH")])
        report = s.ok("scoring", "assessment.report", {"round_id": self.rid}, actor=False)["report"]
        self.assertIn("| forced_labour | CN | 2 | 6 | yes |", report)
        self.assertIn("| child_labour | CD | 3 | 12 |  |", report)
        self.assertIn("The working group chose the two risks", report)

    def test_a_choice_outside_the_ranking_or_of_one_risk_is_refused(self):
        """004: the working group chooses "hieruit" (from the report's ranking), and "twee"."""
        s = self.s
        err = s.call("scoring", "collective.choose", {"round_id": self.rid, "risks": [
            {"theme": "child_labour", "country": "CD"}, {"theme": "mercury", "country": "BR"}]})["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "risks.1"))
        err = s.call("scoring", "collective.choose", {"round_id": self.rid, "risks": [
            {"theme": "child_labour", "country": "CD"}]})["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "risks"))
        err = s.call("scoring", "collective.choose", {"round_id": self.rid, "risks": [
            {"theme": "child_labour", "country": "CD"}, {"theme": "child_labour", "country": "CD"}]})["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "risks.1"))
        err = s.call("scoring", "collective.choose", {"round_id": "gold-2001", "risks": [
            {"theme": "a", "country": "CD"}, {"theme": "b", "country": "CD"}]})["error"]
        self.assertEqual((err["code"], err["field"]), ("not_found", "round_id"))
        err = s.call("scoring", "collective.choose", {"round_id": self.rid, "risks": [
            {"theme": "a", "country": "CD"}, {"theme": "b", "country": "CD"}]},
            actor={"role": "company", "org": self.orgs["X"]})["error"]
        self.assertEqual(err["code"], "forbidden")

    def test_the_seeded_projects_with_their_sources(self):
        """001: "De drie projecten zijn: leefbaar loon, kinderarbeid en gedwongen arbeid in India en
        Bangladesh en textielververijen in China." and "Een project ter bestrijding van
        kinderarbeid [...] in kleinschalige goudmijnen in Oeganda"."""
        textile = {p["code"]: p for p in self.s.ok("scoring", "project.list", {"covenant": "textile"},
                                                   actor=False)["projects"]}
        self.assertEqual(sorted(textile), ["child-forced-labour-india-bangladesh", "dye-houses-china", "living-wage"])
        self.assertEqual(textile["living-wage"]["mandatory_from_company_year"], 3)
        for p in textile.values():
            self.assertTrue(p["source"].startswith("001_efafd7b1e78fecd8.txt: "), p)
        gold = self.s.ok("scoring", "project.list", {"covenant": "gold"}, actor=False)["projects"]
        self.assertEqual([p["code"] for p in gold], ["uganda-child-labour"])
        self.assertIn("Oeganda", gold[0]["source"])

    def test_a_project_with_participants_and_years(self):
        s = self.s
        body = {"covenant": "metals", "code": "scrap-chain", "name": "Scrap chain", "from_year": 2018,
                "to_year": 2022, "participants": [self.orgs["X"], self.orgs["Y"]], "source": "minutes"}
        got = s.ok("scoring", "project.put", body)
        self.assertEqual((got["participants"], got["from_year"], got["to_year"]), (body["participants"], 2018, 2022))
        listed = s.ok("scoring", "project.list", {"covenant": "metals"}, actor=False)["projects"]
        self.assertEqual([(p["code"], p["participants"]) for p in listed], [("scrap-chain", body["participants"])])
        err = s.call("scoring", "project.put", dict(body, from_year=2023))["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "to_year"))
        err = s.call("scoring", "project.put", body, actor={"role": "company", "org": self.orgs["X"]})["error"]
        self.assertEqual(err["code"], "forbidden")


class YearThree(unittest.TestCase):

    def test_the_living_wage_rule_reads_the_projects_participants(self):
        """001: "Het project leefbaar loon is verplicht voor alle deelnemende bedrijven vanaf jaar 3
        na ondertekening." Taking part is the project's list, not a code in the plan."""
        with System(["membership", "scoring"], env={"IMVO_CLOCK_OFFSET_S": str(-4 * 365 * 86400)}) as s:
            inside = company(s, "Inside Textile BV", covenant="textile")
            claims = company(s, "Claims Textile BV", covenant="textile")
            for name in ("membership", "scoring"):
                s.stop(name)
            del s.extra_env["IMVO_CLOCK_OFFSET_S"]
            for name in ("membership", "scoring"):
                s.start(name)
            s.ok("scoring", "project.put", {"covenant": "textile", "code": "living-wage", "name": "Living wage",
                                            "participants": [inside], "mandatory_from_company_year": 3})
            fw = s.ok("scoring", "framework.get", {"covenant": "textile"})
            full = {c["id"]: c["max"] for p in fw["parts"] for c in p["criteria"]}
            year = datetime.datetime.now(datetime.timezone.utc).year - 1
            for org in (inside, claims):
                s.ok("scoring", "submission.put", {"covenant": "textile", "org_id": org, "year": year, "answers": full,
                                                   "public_report_url": "https://example.org/dd",
                                                   "projects": ["living_wage", "living-wage"]})
            r = wait_completed(s, s.ok("scoring", "assessment.start", {"covenant": "textile", "year": year},
                                       actor=MON)["round_id"])
            res = {x["org_id"]: x for x in r["results"]}
            self.assertGreaterEqual(res[claims]["company_year"], 3)
            self.assertIn("not_in_living_wage_project", res[claims]["findings"])
            self.assertNotIn("not_in_living_wage_project", res[inside]["findings"])


class Assessor(SharedSystem):
    SERVICES = ["membership", "scoring", "notify"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.orgs, cls.round = gold_round(cls.s)
        cls.rid = "gold-%d" % YEAR

    def result(self, org):
        r = self.s.ok("scoring", "assessment.get", {"round_id": self.rid}, actor=MON)
        return next(x for x in r["results"] if x["org_id"] == org)

    def test_the_committee_adjusts_a_criterion_and_the_company_is_rescored(self):
        """001: "De jaarlijkse plannen van aanpak van bedrijven hierover, worden beoordeeld volgens
        een vast Beoordelingskader." The committee scores, not only the company's own answers."""
        s, org = self.s, self.orgs["X"]
        self.assertEqual(self.result(org)["score"], 70)
        # X said b1 = 5 of 5; the committee finds 0: 70 - 40 = 30.
        got = s.ok("scoring", "assessment.verify", {"round_id": self.rid, "org_id": org, "criterion": "b1",
                                                    "verdict": "adjusted", "score": 0,
                                                    "comment": "no evidence of the grievance procedure"}, actor=MON)
        self.assertEqual((got["score_before"], got["score_after"], got["answer"]), (70, 30, 5))
        self.assertEqual(self.result(org)["score"], 30)
        # The company hears of it through notify, with the end of its window.
        heard = s.wait_for(lambda: [i for i in s.ok("notify", "inbox.list", {"recipient": "org:" + org})["items"]
                                    if i["type"] == "assessment.verified"])
        self.assertTrue(heard, s.log("notify")[-2000:])
        item = [i for i in s.ok("notify", "inbox.list", {"recipient": "org:" + org})["items"]
                if i["type"] == "assessment.verified"][0]
        self.assertIn("uw score is nu 30", item["text"])             # a Dutch organisation reads Dutch
        s.ok("scoring", "assessment.verify", {"round_id": self.rid, "org_id": org, "criterion": "a1",
                                              "verdict": "verified", "comment": "policy seen"}, actor=MON)
        review = s.ok("scoring", "assessment.review", {"round_id": self.rid, "org_id": org},
                      actor={"role": "company", "org": org})
        verdicts = {v["criterion"]: (v["verdict"], v["score"], v["comment"]) for v in review["verifications"]}
        self.assertEqual(verdicts, {"b1": ("adjusted", 0, "no evidence of the grievance procedure"),
                                    "a1": ("verified", None, "policy seen")})
        err = s.call("scoring", "assessment.review", {"round_id": self.rid, "org_id": org},
                     actor={"role": "company", "org": self.orgs["Y"]})["error"]
        self.assertEqual(err["code"], "forbidden")

    def test_a_verdict_names_its_field_when_wrong(self):
        s, org = self.s, self.orgs["Y"]
        base = {"round_id": self.rid, "org_id": org, "criterion": "b1", "verdict": "adjusted", "comment": "c"}
        cases = [(dict(base, criterion="zz", score=1), "criterion"), (dict(base, score=6), "score"), (base, "score"),
                 (dict(base, verdict="verified", score=1), "score"), (dict(base, verdict="maybe"), "verdict")]
        for body, field in cases:
            err = s.call("scoring", "assessment.verify", body, actor=MON)["error"]
            self.assertEqual((err["code"], err["field"]), ("invalid_argument", field), body)
        err = s.call("scoring", "assessment.verify", dict(base, score=1), actor={"role": "secretariat"})["error"]
        self.assertEqual(err["code"], "forbidden")

    def test_the_company_comments_within_the_window_and_the_results_wait(self):
        """The company has two weeks to comment before the results are published (issue 23, 7)."""
        s, org = self.s, self.orgs["Z"]
        got = s.ok("scoring", "assessment.comment", {"round_id": self.rid, "org_id": org, "criterion": "b1",
                                                     "comment": "our audit report shows more"},
                   actor={"role": "company", "org": org})
        self.assertEqual(got["window_ends_at"] - self.round["completed_at"], 14 * 86400 * 1000)
        err = s.call("scoring", "assessment.comment", {"round_id": self.rid, "org_id": org, "comment": "x"},
                     actor={"role": "company", "org": self.orgs["X"]})["error"]
        self.assertEqual(err["code"], "forbidden")
        heard = s.wait_for(lambda: [i for i in s.ok("notify", "inbox.list", {"recipient": "monitoring:gold"})["items"]
                                    if i["type"] == "assessment.commented"])
        self.assertTrue(heard, s.log("notify")[-2000:])
        err = s.call("scoring", "assessment.publish", {"round_id": self.rid}, actor=MON)["error"]
        self.assertEqual((err["code"], err["field"]), ("conflict", "round_id"))
        err = s.call("scoring", "assessment.results", {"round_id": self.rid}, actor=False)["error"]
        self.assertEqual((err["code"], err["field"]), ("not_found", "round_id"))


class Publication(unittest.TestCase):

    def test_after_two_weeks_the_results_are_published_with_the_reports(self):
        """001: "Tot nu toe hebben 5 van de aangesloten bedrijven in het tweede jaar een due
        diligence rapportage gepubliceerd": the published results link each company's report."""
        with System(["membership", "scoring"]) as s:
            urls = {"X": "https://x.example/dd-2026.pdf", "Z": "https://z.example/dd"}
            orgs, _ = gold_round(s, urls=urls)
            rid = "gold-%d" % YEAR
            s.stop("scoring")
            s.extra_env["IMVO_CLOCK_OFFSET_S"] = str(15 * 86400)
            s.start("scoring")
            err = s.call("scoring", "assessment.comment", {"round_id": rid, "org_id": orgs["X"], "comment": "late"},
                         actor={"role": "company", "org": orgs["X"]})["error"]
            self.assertEqual((err["code"], err["field"]), ("conflict", "round_id"))
            first = s.ok("scoring", "assessment.publish", {"round_id": rid}, actor=MON)
            again = s.ok("scoring", "assessment.publish", {"round_id": rid}, actor=MON)
            self.assertEqual((first["published"], again["published"]), (True, False))
            self.assertEqual(first["published_at"], again["published_at"])
            pub = s.ok("scoring", "assessment.results", {"round_id": rid}, actor=False)
            # X (70) and Y (40) are on track and named; Z (8) is not named, but its report is linked.
            self.assertEqual(sorted((r["org_id"], r["score"]) for r in pub["results"]),
                             sorted([(orgs["X"], 70), (orgs["Y"], 40)]))
            self.assertEqual(pub["not_named"], 1)
            self.assertEqual(sorted((r["org_id"], r["report_url"]) for r in pub["reports"]),
                             sorted([(orgs["X"], urls["X"]), (orgs["Z"], urls["Z"])]))
            x = next(r for r in pub["results"] if r["org_id"] == orgs["X"])
            self.assertEqual(x["report_url"], urls["X"])
            err = s.call("scoring", "assessment.verify", {"round_id": rid, "org_id": orgs["X"], "criterion": "b1",
                                                          "verdict": "verified", "comment": "c"}, actor=MON)["error"]
            self.assertEqual((err["code"], err["field"]), ("conflict", "round_id"))
            out = s.imvoctl("assessment", "results", rid)
            self.assertIn(urls["X"], out.stdout, out.stderr)


if __name__ == "__main__":
    unittest.main()

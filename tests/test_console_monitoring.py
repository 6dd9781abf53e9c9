"""The monitoring committee's and the steering group's console pages (/staff/monitoring/...,
/staff/steering) over HTTP against the real daemons (membership, complaints, scoring, notify):
who may see them and who is refused; the framework's next version drafted from the page (once,
however often the form is sent; bad lines explained and nothing changed); a round started from
its page and watched (submitted, late, missing), its results with findings a page of 100 at a
time with a search by company; an appeal decided; the sector report with its chart and the
collective risks; the steering group's counts and charts; and assessment.round, the read
behind them. The browser journey is tests/test_monitoring_browser.py."""
import copy
import re
import unittest

from harness import System, start_portal
from round_seed import pipeline, seed
from test_console import Browser, ConsoleSystem
from test_scoring import FRAMEWORK

MON = {"role": "monitoring"}
YEAR = 2026


def framework(covenant, due="12-31"):
    return dict(copy.deepcopy(FRAMEWORK), covenant=covenant, due=due)


class MonitoringSystem(ConsoleSystem):
    """Gold: four companies (three plans on time), framework due 31 December; natural-stone:
    105 companies for the pages; food: a framework due 1 January, so that a plan is late."""

    @classmethod
    def setUpClass(cls):
        cls.s = System(["membership", "complaints", "notify", "scoring"]).__enter__()
        s = cls.s
        for covenant, due in (("gold", "12-31"), ("natural-stone", "12-31"), ("food", "01-01"), ("metals", "12-31")):
            s.ok("scoring", "framework.put", framework(covenant, due), actor=MON)
        fw = framework("gold")
        cls.gold = seed(s, "gold", 4, YEAR, fw, with_plan=lambda i: i != 3, prefix="Gold")
        cls.stone = seed(s, "natural-stone", 105, YEAR, fw, prefix="Stone")
        cls.food = seed(s, "food", 2, YEAR, fw, with_plan=lambda i: i == 0, prefix="Food")
        cls.logpath = s.workdir + "/portal.log"
        cls.portal, cls.port = start_portal(s, cls.logpath)

    def completed(self, covenant):
        done = self.s.wait_for(lambda: self.s.ok("scoring", "assessment.round", {"covenant": covenant, "year": YEAR,
                                                                                  "limit": 0}, actor=MON)["status"]
                               == "completed", timeout=20)
        self.assertTrue(done, self.s.log("scoring")[-2000:])


class MonitoringPages(MonitoringSystem):

    def test_roles_allowed_and_refused(self):
        pages = ["/staff/monitoring/frameworks?covenant=gold", "/staff/monitoring/round?covenant=gold",
                 "/staff/monitoring/appeals?covenant=gold", "/staff/monitoring/report?covenant=gold"]
        mon = self.signed_in("monitoring")
        for page in pages:
            self.assertEqual(mon.get(page).status, 200, page + self.log_tail())
        self.assertEqual(mon.get("/staff/steering").status, 403)
        home = mon.get("/staff/").page
        self.assertIn('href="/staff/monitoring/round?lang=en&amp;covenant=gold"', home)
        for role, org in (("secretariat", None), ("committee", None), ("steering", None), ("company", self.gold[0])):
            b = self.signed_in(role, org)
            for page in pages:
                r = b.get(page)
                self.assertEqual(r.status, 403, (role, page))
                self.assertIn("monitoring committee", r.page)
        steering = self.signed_in("steering")
        self.assertEqual(steering.get("/staff/steering").status, 200, self.log_tail())
        self.assertIn('href="/staff/steering?lang=en"', steering.get("/staff/").page)
        company = self.signed_in("company", self.gold[0])
        self.assertEqual(company.get("/staff/steering").status, 403)
        # The read behind the pages: a company may not send it; the steering group gets no company.
        err = self.s.call("scoring", "assessment.round", {"covenant": "gold", "year": YEAR},
                          actor={"role": "company", "org": self.gold[0]})["error"]
        self.assertEqual(err["code"], "forbidden")
        got = self.s.ok("scoring", "assessment.round", {"covenant": "gold", "year": YEAR}, actor={"role": "steering"})
        self.assertEqual((got["companies"], got["appeals"], got["counts"]["companies"]), ([], [], 4))

    def test_framework_draft_changes_once(self):
        mon = self.signed_in("monitoring")
        page = mon.get("/staff/monitoring/frameworks?covenant=metals").page
        before = self.s.ok("scoring", "framework.get", {"covenant": "metals"})["version"]
        self.assertIn("Draft of version %d" % (before + 1), page)
        criteria = re.search(r'<textarea id="criteria"[^>]*>(.*?)</textarea>', page, re.S).group(1)
        self.assertIn("a | a1 | 4 | a1", criteria)
        edited = criteria.replace("a | a1 | 4 | a1", "a | a1 | 5 | Policy adopted by the board")
        fields = dict(covenant="metals", version=str(before + 1), name="Metals framework", due="11-30",
                      parts="a | 40 | Part A\nb | 50 | Part B\nc | 10 | Part C", criteria=edited,
                      bands="low | 0\nmid | 40\nhigh | 70")
        key = mon.form_key(page, "/staff/monitoring/frameworks/draft")
        for _ in range(2):                                  # a double click: the same form twice
            r = mon.post("/staff/monitoring/frameworks/draft", page, idem=key, **fields)
            self.assertEqual(r.status, 303, r.page[-800:])
        got = self.s.ok("scoring", "framework.get", {"covenant": "metals"})
        self.assertEqual((got["version"], got["due"], got["name"]), (before + 1, "11-30", "Metals framework"))
        self.assertEqual([p["weight"] for p in got["parts"]], [40, 50, 10])
        self.assertEqual(got["parts"][0]["criteria"][0], {"id": "a1", "text": "Policy adopted by the board", "max": 5})
        shown = mon.get(r.getheader("Location")).page
        self.assertIn("Policy adopted by the board", shown)
        self.assertIn("Draft of version %d" % (before + 2), shown)

    def test_framework_bad_input_explained_and_nothing_changed(self):
        mon = self.signed_in("monitoring")
        page = mon.get("/staff/monitoring/frameworks?covenant=metals").page
        before = self.s.ok("scoring", "framework.get", {"covenant": "metals"})
        base = dict(covenant="metals", version="999", due="12-31", parts="a | 50 | A\nb | 50 | B",
                    criteria="a | a1 | 4 | one\nb | b1 | 5 | two", bands="low | 0")
        for change, words, status in (({"criteria": "a | a1 | 4 | one\nb | b1 | many | two"}, "Criteria, line 2", 400),
                                      ({"criteria": "a | a1 | 4 | one\nz | z1 | 1 | none"}, "Criteria, line 2", 400),
                                      ({"parts": "a | 50 | A\nb | 40 | B"}, "weights add up to 90", 400),
                                      ({"bands": "low | 10"}, "one band must start at min 0", 400),
                                      ({"due": "31-12"}, "due", 400)):
            r = mon.post("/staff/monitoring/frameworks/draft", page, **dict(base, **change))
            self.assertEqual(r.status, status, (change, r.page[-600:]))
            self.assertIn(words, r.page)
            self.assertIn("Nothing was changed.", r.page)
        self.assertEqual(self.s.ok("scoring", "framework.get", {"covenant": "metals"}), before)
        self.assertEqual(mon.get("/staff/monitoring/frameworks?covenant=metals&version=abc").status, 400)
        self.assertEqual(mon.get("/staff/monitoring/round?covenant=gold&year=1999").status, 400)
        self.assertEqual(mon.get("/staff/monitoring/round?covenant=Not%20a%20code").status, 400)

    def test_round_started_watched_and_paged(self):
        mon = self.signed_in("monitoring")
        page = mon.get("/staff/monitoring/round?covenant=natural-stone&year=%d" % YEAR).page
        self.assertIn("Not started", page)
        self.assertIn('<svg xmlns="http://www.w3.org/2000/svg" role="img"', page)
        self.assertRegex(page, r'<th scope="row">Missing</th><td class="num">11</td>')
        self.assertIn("Companies 1–100 of 105", page)
        key = mon.form_key(page, "/staff/monitoring/round/start")
        for _ in range(2):
            r = mon.post("/staff/monitoring/round/start", page, idem=key, covenant="natural-stone", year=str(YEAR))
            self.assertEqual(r.status, 303, r.page[-600:])
        self.completed("natural-stone")
        events = self.s.redis.cli("XRANGE", "imvo:scoring:{natural-stone}:events", "-", "+").split("\n")
        self.assertEqual(events.count("assessment.started"), 1)
        page = mon.get("/staff/monitoring/round?covenant=natural-stone&year=%d" % YEAR).page
        self.assertIn('id="round-status">Completed', page)
        self.assertEqual(page.count('<tr><th scope="row" data-label="Company">'), 100)
        self.assertIn("no plan", page)                      # a finding of a missing plan
        self.assertIn('rel="next"', page)
        rest = mon.get("/staff/monitoring/round?covenant=natural-stone&year=%d&offset=100" % YEAR).page
        self.assertIn("Companies 101–105 of 105", rest)
        self.assertIn('rel="prev"', rest)
        found = mon.get("/staff/monitoring/round?covenant=natural-stone&year=%d&q=stone+00042" % YEAR).page
        self.assertIn("Companies 1–1 of 1", found)
        self.assertIn("Stone 00042 BV", found)
        missing = mon.get("/staff/monitoring/round?covenant=natural-stone&year=%d&status=missing" % YEAR).page
        self.assertIn("of 11</p>", missing)
        self.assertNotIn("Submitted on time</td>", missing)

    def test_late_plans_counted_before_the_round(self):
        got = self.s.ok("scoring", "assessment.round", {"covenant": "food", "year": YEAR}, actor=MON)
        self.assertEqual(got["status"], "not_started")
        self.assertEqual(got["counts"], {"companies": 2, "submitted": 0, "late": 1, "missing": 1, "scored": 0})
        self.assertEqual(sorted(c["status"] for c in got["companies"]), ["late", "missing"])
        err = self.s.call("scoring", "assessment.round", {"covenant": "food", "year": YEAR, "status": "lost"},
                          actor=MON)["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "status"))
        mon = self.signed_in("monitoring", lang="nl")
        page = mon.get("/staff/monitoring/round?covenant=food&year=%d&status=late" % YEAR).page
        self.assertIn("Te laat ingediend", page)
        self.assertIn("Food 00000 BV", page)

    def test_the_appeals_page_asks_scoring_once_for_every_appeal(self):
        # Each appeal shows its company's name and score in the round: asked once for the page
        # (assessment.round's appealed filter), not once an appeal.
        s = self.s
        s.ok("scoring", "framework.put", framework("floriculture"), actor=MON)
        orgs = seed(s, "floriculture", 5, YEAR, framework("floriculture"), with_plan=lambda i: i != 4, prefix="Forest")
        s.ok("scoring", "assessment.start", {"covenant": "floriculture", "year": YEAR}, actor=MON)
        self.completed("floriculture")
        appealing = orgs[1:]
        for org in appealing:
            s.ok("scoring", "assessment.appeal", {"round_id": "floriculture-%d" % YEAR, "org_id": org,
                                                  "reason": "Appeal of %s." % org}, actor={"role": "company", "org": org})
        got = s.ok("scoring", "assessment.round", {"covenant": "floriculture", "year": YEAR, "appealed": True}, actor=MON)
        self.assertEqual(sorted(c["org_id"] for c in got["companies"]), sorted(appealing))
        self.assertEqual(got["total"], 4)
        # (the fifth has no plan: its result has no score, shown as –)
        scores = {c["org_id"]: c["result"].get("score") for c in got["companies"]}
        mon = self.signed_in("monitoring")

        def asked():
            return s.ok("scoring", "stats", {})["types"].get("assessment.round", 0)
        before = asked()
        page = mon.get("/staff/monitoring/appeals?covenant=floriculture&year=%d" % YEAR).page
        self.assertEqual(asked() - before, 1)
        sections = re.findall(r'<section class="card appeal".*?</section>', page, re.S)
        self.assertEqual(len(sections), 4, page[-2000:])
        for i, org in enumerate(appealing):
            section = [x for x in sections if "Appeal of %s." % org in x]
            self.assertEqual(len(section), 1, org)
            self.assertIn("Forest %05d BV" % (i + 1), section[0])
            score = scores[org]
            shown = "–" if score is None else ("%.0f" if score == int(score) else "%.1f") % score
            self.assertIn("<dt>Score in the round</dt><dd>%s</dd>" % shown, section[0])
        self.assertNotIn("Forest 00000 BV", page)

    def test_appeal_decided_once_and_report_read(self):
        s = self.s
        s.ok("scoring", "assessment.start", {"covenant": "gold", "year": YEAR}, actor=MON)
        self.completed("gold")
        appeal = s.ok("scoring", "assessment.appeal", {"round_id": "gold-%d" % YEAR, "org_id": self.gold[1],
                                                       "reason": "Our policy was adopted in March."},
                      actor={"role": "company", "org": self.gold[1]})
        mon = self.signed_in("monitoring")
        page = mon.get("/staff/monitoring/appeals?covenant=gold&year=%d" % YEAR).page
        self.assertIn("Our policy was adopted in March.", page)
        target = "/staff/monitoring/appeals/decide"
        fields = dict(appeal_id=appeal["appeal_id"], covenant="gold", year=str(YEAR))
        for extra, words in (({}, "decision: choose accept or reject"),
                             ({"decision": "accept", "answers": "a1 = lots"}, "answers, line 1"),
                             ({"decision": "accept"}, "accepting takes the corrected answers")):
            r = mon.post(target, page, **dict(fields, **extra))
            self.assertEqual(r.status, 400, r.page[-500:])
            self.assertIn(words, r.page)
        self.assertEqual(s.ok("scoring", "assessment.round", {"covenant": "gold", "year": YEAR, "limit": 0},
                              actor=MON)["appeals"][0]["status"], "open")
        key = mon.form_key(page, target)
        for _ in range(2):
            r = mon.post(target, page, idem=key, decision="accept", answers="a1 = 4\na2 = 6", reason="Shown in the minutes.",
                         **fields)
            self.assertEqual(r.status, 303, r.page[-500:])
        decided = s.ok("scoring", "assessment.round", {"covenant": "gold", "year": YEAR, "limit": 0}, actor=MON)["appeals"]
        self.assertEqual((len(decided), decided[0]["status"], decided[0]["decision_reason"]),
                         (1, "accepted", "Shown in the minutes."))
        self.assertIn("Shown in the minutes.", mon.get("/staff/monitoring/appeals?covenant=gold&year=%d" % YEAR).page)
        # The report: the summary, the bands drawn (with the figures as a table) and the risks.
        report = mon.get("/staff/monitoring/report?covenant=gold&year=%d" % YEAR).page
        self.assertRegex(report, r'<svg [^>]*role="img" aria-labelledby="chart-[0-9a-f]+"[^>]*><title id="chart-[0-9a-f]+">'
                                 r'Companies per band</title>')
        self.assertIn('<th scope="row">high</th>', report)
        self.assertIn(">living wage<", report)
        self.assertRegex(report, r"<dt>Companies</dt><dd>4</dd>")
        r = mon.get("/staff/monitoring/report/download?covenant=gold&year=%d&format=html" % YEAR)
        self.assertEqual(r.status, 200)
        self.assertIn("attachment", r.getheader("Content-Disposition"))
        self.assertIn("Gold 00000 BV", r.page)
        self.assertEqual(mon.get("/staff/monitoring/report/download?covenant=gold&format=pdf").status, 400)
        pending = mon.get("/staff/monitoring/report?covenant=gold&year=2031").page
        self.assertIn("The report follows when the round is completed.", pending)

    def test_steering_overview_counts_and_charts(self):
        case = pipeline(self.s, "complaints", [("complaint.submit", {"covenant": "gold", "respondent": self.gold[0],
                                                                     "summary": "Mercury in the river",
                                                                     "description": "The mine's water goes into the river.",
                                                                     "complainant": {"anonymous": True}})])[0]
        self.assertTrue(case.get("ok"), case)
        steering = self.signed_in("steering")
        page = steering.get("/staff/steering?covenant=gold&year=%d" % YEAR).page
        self.assertIn('id="parties-gold">4<', page)
        self.assertTrue(self.s.wait_for(lambda: int(re.search(r'id="cases-gold">(\d+)<', steering.get(
            "/staff/steering?covenant=gold").page).group(1)) >= 1))
        self.assertIn('id="overdue-gold"', page)
        self.assertIn("gold: cases per status", steering.get("/staff/steering?covenant=gold").page)
        self.assertIn("gold: action plans %d" % YEAR, page)
        whole = steering.get("/staff/steering?year=%d" % YEAR).page
        self.assertIn("<title id=\"chart-", whole)
        self.assertIn("Cases per covenant", whole)
        self.assertEqual(whole.count('<section class="card" aria-labelledby="st-'), 8)   # the active covenants
        self.assertEqual(steering.get("/staff/steering?year=20x6").status, 400)
        self.assertNotIn("<form method=\"post\"", whole.split("</header>", 1)[1])       # read only


if __name__ == "__main__":
    unittest.main()

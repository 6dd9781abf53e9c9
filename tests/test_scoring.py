"""Scoring: the monitoring committee's round against a real Redis, membership and scoring.
Hand-computed scores, bands and thresholds; missing and late plans; the idempotent start; a
round resumed after a runner died half-way; appeals below and above 2 points; who may do what;
the report rendered in headless Chromium."""
import datetime
import os
import shutil
import subprocess
import tempfile
import unittest

import msgpack

from harness import System

MON = {"role": "monitoring"}
YEAR = 2026
# Parts A (50 %), B (40 %), C (10 %); bands low 0, mid 40, high 70; due on 31 December.
FRAMEWORK = {"covenant": "gold", "version": 1, "due": "12-31", "name": "test framework",
             "parts": [{"code": "a", "name": "Part A", "weight": 50,
                        "criteria": [{"id": "a1", "text": "a1", "max": 4}, {"id": "a2", "text": "a2", "max": 6}]},
                       {"code": "b", "name": "Part B", "weight": 40, "criteria": [{"id": "b1", "text": "b1", "max": 5}]},
                       {"code": "c", "name": "Part C", "weight": 10, "criteria": [{"id": "c1", "text": "c1", "max": 10}]}],
             "bands": [{"code": "low", "min": 0}, {"code": "mid", "min": 40}, {"code": "high", "min": 70}]}
# By hand: X = 50 x 5/10 + 40 x 5/5 + 10 x 5/10 = 25 + 40 + 5 = 70 (high, at its edge);
# Y = 50 x 8/10 = 40 (mid, at its edge); Z = 40 x 1/5 = 8 (low, below the first year's 20).
ANSWERS = {"X": {"a1": 2, "a2": 3, "b1": 5, "c1": 5}, "Y": {"a1": 4, "a2": 4, "b1": 0, "c1": 0},
           "Z": {"a1": 0, "a2": 0, "b1": 1, "c1": 0}}


def company(s, name, covenant="gold", role="party", kind="company"):
    org = s.ok("membership", "org.register", {"name": name, "kind": kind, "country": "NL"})["org_id"]
    s.ok("membership", "member.join", {"covenant": covenant, "org_id": org, "role": role})
    return org


def wait_completed(s, round_id):
    done = s.wait_for(lambda: s.ok("scoring", "assessment.get", {"round_id": round_id}, actor=MON)["status"]
                      == "completed", timeout=20)
    assert done, s.log("scoring")
    return s.ok("scoring", "assessment.get", {"round_id": round_id}, actor=MON)


def events(s, covenant, etype):
    out = s.redis.cli("XRANGE", "imvo:scoring:{%s}:events" % covenant, "-", "+")
    return out.split("\n").count(etype)


class GoldRound(unittest.TestCase):
    """One round over four companies of the gold covenant, shared by the tests of this class."""

    @classmethod
    def setUpClass(cls):
        cls.s = System(["membership", "scoring"]).__enter__()
        s = cls.s
        s.ok("scoring", "framework.put", FRAMEWORK, actor=MON)
        cls.orgs = {k: company(s, "Gold %s BV" % k) for k in ("X", "Y", "Z", "W")}
        cls.ngo = company(s, "Gold NGO", kind="ngo")                  # a party, not a company
        cls.supporter = company(s, "Gold Supporter BV", role="supporter")
        for k, answers in ANSWERS.items():
            org = cls.orgs[k]
            s.ok("scoring", "submission.put", {"covenant": "gold", "org_id": org, "year": YEAR, "answers": answers,
                                               "risks": [{"theme": "child_labour", "country": "CD", "severity": 4},
                                                         {"theme": "mercury", "country": "PE", "severity": 2}]},
                 actor={"role": "company", "org": org})
        first = s.ok("scoring", "assessment.start", {"covenant": "gold", "year": YEAR}, actor=MON)
        again = s.ok("scoring", "assessment.start", {"covenant": "gold", "year": YEAR}, actor=MON)
        cls.starts = (first, again)
        cls.round = wait_completed(s, "gold-%d" % YEAR)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def result(self, key, round_=None):
        org = self.orgs[key]
        return next(r for r in (round_ or self.round)["results"] if r["org_id"] == org)

    def test_scores_bands_and_thresholds_by_hand(self):
        x, y, z, w = (self.result(k) for k in "XYZW")
        self.assertEqual((x["score"], x["band"], x["track"], x["status"]), (70, "high", "on_track", "scored"))
        self.assertEqual(x["parts"], {"a": 50, "b": 100, "c": 50})
        self.assertEqual((y["score"], y["band"], y["track"]), (40, "mid", "on_track"))
        self.assertEqual((z["score"], z["band"], z["track"], z["threshold"]), (8, "low", "improvement", 20))
        self.assertEqual(z["findings"], ["below_threshold"])
        self.assertTrue(z["recommendations"][0])
        self.assertEqual((w["status"], w["score"], w["band"], w["findings"]), ("missing", None, None, ["missing"]))
        # Company parties only: the NGO party and the supporting company are not assessed.
        self.assertEqual(sorted(r["org_id"] for r in self.round["results"]), sorted(self.orgs.values()))

    def test_summary_and_collective_risks(self):
        summary = self.round["summary"]
        self.assertEqual({k: summary[k] for k in ("companies", "scored", "missing", "late", "on_track")},
                         {"companies": 4, "scored": 3, "missing": 1, "late": 0, "on_track": 2})
        self.assertEqual((summary["share_on_track"], summary["mean"], summary["median"]), (50, 39.3, 40))
        self.assertEqual(summary["bands"], {"low": 1, "mid": 1, "high": 1})
        risks = self.round["collective_risks"]
        self.assertEqual([(r["theme"], r["country"], r["companies"], r["weight"], r["act_on"]) for r in risks],
                         [("child_labour", "CD", 3, 12, False), ("mercury", "PE", 3, 6, False)])
        # act_on waits for the working group's choice (collective.choose, tests/test_collective.py).

    def test_start_is_idempotent_and_events_are_emitted_once(self):
        first, again = self.starts
        self.assertEqual((first["round_id"], again["round_id"]), ("gold-%d" % YEAR, "gold-%d" % YEAR))
        self.assertEqual((first["started"], again["started"]), (True, False))
        self.assertEqual(events(self.s, "gold", "assessment.started"), 1)
        self.assertEqual(events(self.s, "gold", "assessment.scored"), 4)
        self.assertEqual(events(self.s, "gold", "assessment.completed"), 1)
        # The framework the round used is frozen; a new version is not.
        err = self.s.call("scoring", "framework.put", FRAMEWORK, actor=MON)["error"]
        self.assertEqual((err["code"], err["field"]), ("conflict", "version"))
        self.s.ok("scoring", "framework.put", dict(FRAMEWORK, version=2), actor=MON)
        # A completed round's plans are closed.
        err = self.s.call("scoring", "submission.put", {"covenant": "gold", "org_id": self.orgs["W"], "year": YEAR,
                                                        "answers": {"a1": 1}}, actor={"role": "secretariat"})["error"]
        self.assertEqual((err["code"], err["field"]), ("conflict", "year"))

    def test_roles(self):
        s, x = self.s, self.orgs["X"]
        as_x = {"role": "company", "org": x}
        for actor in (as_x, {"role": "secretariat"}, None):
            r = s.call("scoring", "assessment.start", {"covenant": "gold", "year": 2030}, actor=actor or False)
            self.assertEqual(r["error"]["code"], "forbidden", actor)
        mine = s.ok("scoring", "assessment.get", {"round_id": "gold-%d" % YEAR}, actor=as_x)
        self.assertEqual([r["org_id"] for r in mine["results"]], [x])
        err = s.call("scoring", "submission.put", {"covenant": "gold", "org_id": self.orgs["Y"], "year": 2030,
                                                   "answers": {"a1": 1}}, actor=as_x)["error"]
        self.assertEqual(err["code"], "forbidden")
        s.ok("scoring", "submission.put", {"covenant": "gold", "org_id": self.orgs["Y"], "year": 2030,
                                           "answers": {"a1": 1}}, actor={"role": "secretariat"})

    def test_validation_names_the_criterion(self):
        org = self.orgs["W"]
        for answers, field in (({"zz": 1}, "answers.zz"), ({"a1": 5}, "answers.a1"), ({"a1": -1}, "answers.a1"),
                               ({"a1": "x"}, "answers.a1")):
            err = self.s.call("scoring", "submission.put", {"covenant": "gold", "org_id": org, "year": 2031,
                                                            "answers": answers}, actor={"role": "secretariat"})["error"]
            self.assertEqual((err["code"], err["field"]), ("invalid_argument", field), answers)
        bad = dict(FRAMEWORK, version=9, parts=[dict(FRAMEWORK["parts"][0], weight=70)] + FRAMEWORK["parts"][1:])
        err = self.s.call("scoring", "framework.put", bad, actor=MON)["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "parts"))

    def test_report_public_and_committee_rendered_in_chromium(self):
        s, rid = self.s, "gold-%d" % YEAR
        public = s.ok("scoring", "assessment.report", {"round_id": rid, "format": "html"}, actor=False)["report"]
        committee = s.ok("scoring", "assessment.report", {"round_id": rid, "format": "html"}, actor=MON)["report"]
        self.assertIn("Gold X BV", public)
        self.assertNotIn("Gold Z BV", public)           # below its threshold: not named in public
        self.assertIn("Gold Z BV", committee)
        md = s.ok("scoring", "assessment.report", {"round_id": rid}, actor=MON)["report"]
        self.assertIn("| child_labour | CD | 3 | 12 |  |", md)       # ranked; the working group chooses
        chromium = shutil.which("chromium")
        self.assertTrue(chromium, "chromium is needed to render the report (apt-get install chromium)")
        with tempfile.TemporaryDirectory() as d:
            page = os.path.join(d, "report.html")
            with open(page, "w") as f:
                f.write(public)
            out = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + d,
                                  "--dump-dom", "file://" + page], capture_output=True, text=True, timeout=60)
            dom = out.stdout
        # The browser built the chart: an <svg> with one bar per band.
        self.assertIn("<svg", dom, out.stderr[-2000:])
        self.assertEqual(dom.count('class="bar"'), 3)
        self.assertIn("Companies per band", dom)


class Appeals(unittest.TestCase):

    def test_appeals_below_and_above_two_points_and_the_window(self):
        with System(["membership", "scoring"]) as s:
            s.ok("scoring", "framework.put", FRAMEWORK, actor=MON)
            orgs = {k: company(s, "Appeal %s BV" % k) for k in "XYZ"}
            for k, answers in ANSWERS.items():
                s.ok("scoring", "submission.put", {"covenant": "gold", "org_id": orgs[k], "year": YEAR,
                                                   "answers": answers}, actor={"role": "secretariat"})
            s.ok("scoring", "assessment.start", {"covenant": "gold", "year": YEAR}, actor=MON)
            wait_completed(s, "gold-%d" % YEAR)
            rid = "gold-%d" % YEAR

            def appeal(k):
                return s.ok("scoring", "assessment.appeal", {"round_id": rid, "org_id": orgs[k], "reason": "c1 missed"},
                            actor={"role": "company", "org": orgs[k]})["appeal_id"]

            # X: c1 5 -> 6 adds 1 point (71): recorded, not published.
            small = s.ok("scoring", "assessment.appeal_decide", {"appeal_id": appeal("X"), "accept": True,
                                                                  "answers": {"c1": 6}}, actor=MON)
            self.assertEqual((small["old_score"], small["new_score"], small["published"]), (70, 71, False))
            # Y: b1 0 -> 1 adds 8 points (48): published, the result and the summary follow.
            big = s.ok("scoring", "assessment.appeal_decide", {"appeal_id": appeal("Y"), "accept": True,
                                                                "answers": {"b1": 1}}, actor=MON)
            self.assertEqual((big["old_score"], big["new_score"], big["published"]), (40, 48, True))
            r = s.ok("scoring", "assessment.get", {"round_id": rid}, actor=MON)
            scores = {x["org_id"]: x["score"] for x in r["results"]}
            self.assertEqual((scores[orgs["X"]], scores[orgs["Y"]]), (70, 48))
            self.assertEqual(r["summary"]["mean"], 42)                     # (70 + 48 + 8) / 3
            self.assertEqual(events(s, "gold", "assessment.corrected"), 1)
            # Decided once; appealed once.
            err = s.call("scoring", "assessment.appeal_decide", {"appeal_id": "%s-%s" % (rid, orgs["Y"]),
                                                                 "accept": False}, actor=MON)["error"]
            self.assertEqual(err["code"], "conflict")
            err = s.call("scoring", "assessment.appeal", {"round_id": rid, "org_id": orgs["Y"], "reason": "again"},
                         actor={"role": "company", "org": orgs["Y"]})["error"]
            self.assertEqual(err["code"], "conflict")
            # Four weeks and a day later the window has closed (the clock moved for the test).
            s.stop("scoring")
            s.extra_env["IMVO_CLOCK_OFFSET_S"] = str(29 * 86400)
            s.start("scoring")
            err = s.call("scoring", "assessment.appeal", {"round_id": rid, "org_id": orgs["Z"], "reason": "late"},
                         actor={"role": "company", "org": orgs["Z"]})["error"]
            self.assertEqual((err["code"], err["field"]), ("conflict", "round_id"))
            self.assertIn("window", err["message"])


class Years(unittest.TestCase):

    def test_late_plans_and_the_third_year_findings(self):
        # Companies that joined four calendar years ago (membership's clock moved back for the
        # joins): last year's round is their third year after signing (tests/test_dates.py).
        with System(["membership", "scoring"], env={"IMVO_CLOCK_OFFSET_S": str(-4 * 365 * 86400)}) as s:
            old = company(s, "Old Textile BV", covenant="textile")
            good = company(s, "Good Textile BV", covenant="textile")
            for name in ("membership", "scoring"):
                s.stop(name)
            del s.extra_env["IMVO_CLOCK_OFFSET_S"]
            for name in ("membership", "scoring"):
                s.start(name)
            fw = s.ok("scoring", "framework.get", {"covenant": "textile"})
            self.assertIn("Beoordelingskader", fw["sources"]["assessed_yearly"])
            full = {c["id"]: c["max"] for p in fw["parts"] for c in p["criteria"]}
            # Textile plans are due on 30 June: a plan for last year sent now is late.
            year = datetime.datetime.now(datetime.timezone.utc).year - 1
            s.ok("scoring", "submission.put", {"covenant": "textile", "org_id": old, "year": year, "answers": full},
                 actor={"role": "secretariat"})
            s.ok("scoring", "submission.put", {"covenant": "textile", "org_id": good, "year": year, "answers": full,
                                               "public_report_url": "https://example.org/dd",
                                               "projects": ["living_wage"]}, actor={"role": "secretariat"})
            # The living-wage rule reads the project's participants (project.put), not the plan.
            s.ok("scoring", "project.put", {"covenant": "textile", "code": "living-wage", "name": "Living wage",
                                            "participants": [good], "mandatory_from_company_year": 3})
            r = wait_completed(s, s.ok("scoring", "assessment.start", {"covenant": "textile", "year": year},
                                       actor=MON)["round_id"])
            res = {x["org_id"]: x for x in r["results"]}
            self.assertGreaterEqual(res[old]["company_year"], 3)
            self.assertEqual(res[old]["threshold"], 60)
            self.assertEqual(res[old]["findings"], ["late", "no_public_communication", "not_in_living_wage_project"])
            self.assertEqual(res[good]["findings"], ["late"])
            self.assertEqual((res[good]["status"], res[good]["score"], res[good]["band"]), ("late", 100, "mature"))


class Resume(unittest.TestCase):

    def test_a_round_resumed_after_a_runner_died_half_way_scores_no_one_twice(self):
        with System(["membership", "scoring"]) as s:
            s.ok("scoring", "framework.put", FRAMEWORK, actor=MON)
            orgs = [company(s, "Resume %d BV" % i) for i in range(6)]
            for org in orgs:
                s.ok("scoring", "submission.put", {"covenant": "gold", "org_id": org, "year": YEAR,
                                                   "answers": ANSWERS["X"]}, actor={"role": "secretariat"})
            # Another runner holds the round (a replica, or one that then dies): this one waits.
            lease = "imvo:scoring:{gold}:round:%d:lease" % YEAR
            s.redis.cli("SET", lease, "the-other-runner", "PX", "60000")
            s.ok("scoring", "assessment.start", {"covenant": "gold", "year": YEAR}, actor=MON)
            # It wrote two results before it died, as round_commit does.
            results = "imvo:scoring:{gold}:round:%d:results" % YEAR
            before = {"org_id": "", "status": "scored", "score": 55, "band": "mid", "on_track": True}
            s.redis.pipe(["HSETNX", results, org, msgpack.packb(dict(before, org_id=org))] for org in orgs[:2])
            self.assertEqual(s.ok("scoring", "assessment.get", {"round_id": "gold-%d" % YEAR}, actor=MON)["status"],
                             "running")
            s.redis.cli("DEL", lease)                                       # its lease runs out
            r = wait_completed(s, "gold-%d" % YEAR)
            self.assertEqual(len(r["results"]), 6, r)
            # The two it wrote stay as they were; the others were scored once each.
            scores = {x["org_id"]: x["score"] for x in r["results"]}
            self.assertEqual([scores[o] for o in orgs], [55, 55, 70, 70, 70, 70])
            self.assertEqual(events(s, "gold", "assessment.scored"), 4)


if __name__ == "__main__":
    unittest.main()

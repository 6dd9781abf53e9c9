"""Dates that really happened (issue 23, item 1): member.join's real signing date with its
source, the year rule counted as seed 001 counts it (signed in 2016, public in 2019), and the
covenants' terms with the secretariat's deadline to record an extension or the end (the timer
on membership's settable clock, IMVO_CLOCK_OFFSET_S)."""
import datetime
import unittest

from harness import SharedSystem, System

MON = {"role": "monitoring"}
TODAY = datetime.datetime.now(datetime.timezone.utc).date()
# Seed 001, textile: the sentence the year rule enforces.
SEED_YEAR_3 = ("Van bedrijven die zich aansluiten bij het convenant, wordt uiterlijk in het derde jaar "
               "verwacht dat zij publiek communiceren over hun due diligence. Dit betekent dat in 2019 "
               "bedrijven die het convenant in 2016 hebben getekend, in lijn met de ‘criteria voor "
               "communicatie door bedrijven’ publiek zijn gaan communiceren.")


def seed_text(name):
    import glob
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    for path in glob.glob(os.path.join(here, "..", "..", "shared", "seeds", name + "*")):
        with open(path, encoding="utf-8") as f:
            return f.read()
    return None


class Joins(SharedSystem):
    """member.join takes the real signing date (since) and where it is written (source)."""
    SERVICES = ["membership"]

    def org(self, name):
        return self.s.ok("membership", "org.register", {"name": name, "kind": "company", "country": "NL"})["org_id"]

    def err(self, body, actor=None):
        r = self.s.call("membership", "member.join", body, actor=actor)
        self.assertFalse(r["ok"], r)
        return r["error"]

    def test_a_past_signing_date_is_stored_and_returned(self):
        o = self.org("Signed In 2016 BV")
        m = self.s.ok("membership", "member.join", {"covenant": "textile", "org_id": o, "role": "party",
                                                    "since": "2016-07-04", "source": "signing list, SER 2016"})
        self.assertEqual((m["membership"]["since"], m["membership"]["source"]), ("2016-07-04", "signing list, SER 2016"))
        got = self.s.ok("membership", "member.get", {"covenant": "textile", "org_id": o})
        self.assertEqual((got["since"], got["source"]), ("2016-07-04", "signing list, SER 2016"))
        self.assertEqual(got["history"][-1]["since"], "2016-07-04")
        listed = {x["org_id"]: x for x in self.s.ok("membership", "member.list", {"covenant": "textile"})["members"]}
        self.assertEqual(listed[o]["since"], "2016-07-04")

    def test_without_since_the_date_is_today(self):
        o = self.org("Joins Today BV")
        m = self.s.ok("membership", "member.join", {"covenant": "textile", "org_id": o, "role": "supporter"})
        self.assertEqual(m["membership"]["since"], TODAY.isoformat())

    def test_a_future_date_is_refused_naming_since(self):
        o = self.org("Future BV")
        tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
        e = self.err({"covenant": "textile", "org_id": o, "role": "supporter", "since": tomorrow, "source": "x"})
        self.assertEqual((e["code"], e["field"]), ("invalid_argument", "since"))
        self.assertIn("future", e["message"])

    def test_a_bad_date_is_refused_naming_since(self):
        o = self.org("Bad Date BV")
        for bad in ("2016-7-4", "04-07-2016", "2016-02-30", "yesterday"):
            e = self.err({"covenant": "textile", "org_id": o, "role": "supporter", "since": bad, "source": "x"})
            self.assertEqual((e["code"], e["field"]), ("invalid_argument", "since"), bad)

    def test_a_past_date_needs_its_source(self):
        o = self.org("No Source BV")
        e = self.err({"covenant": "textile", "org_id": o, "role": "supporter", "since": "2017-01-01"})
        self.assertEqual((e["code"], e["field"]), ("invalid_argument", "source"))

    def test_a_company_cannot_backdate_itself(self):
        o = self.org("Backdating BV")
        e = self.err({"covenant": "textile", "org_id": o, "role": "supporter", "since": "2017-01-01", "source": "us"},
                     actor={"role": "company", "org": o})
        self.assertEqual((e["code"], e["field"]), ("forbidden", "since"))

    def test_no_member_signed_before_the_covenant(self):
        """Seed 000: "Op 19 juni 2017 ondertekenden producenten van elektronica en sieraden,
        recyclers, maatschappelijke organisaties en de overheid hiervoor het Convenant
        Verantwoord Goud." """
        o = self.org("Too Early Gold BV")
        e = self.err({"covenant": "gold", "org_id": o, "role": "supporter", "since": "2017-06-18", "source": "x"})
        self.assertEqual((e["code"], e["field"]), ("invalid_argument", "since"))
        m = self.s.ok("membership", "member.join", {"covenant": "gold", "org_id": o, "role": "supporter",
                                                    "since": "2017-06-19", "source": "seed 000"})
        self.assertEqual(m["membership"]["since"], "2017-06-19")

    def test_imvoctl_joins_with_since_and_source(self):
        o = self.org("Imvoctl Signed BV")
        out = self.s.imvoctl("member", "join", "--covenant", "textile", "--org-id", o, "--role", "supporter",
                             "--since", "2018-03-01", "--source", "annual report 2018")
        self.assertEqual(out.returncode, 0, out.stderr)
        got = self.s.ok("membership", "member.get", {"covenant": "textile", "org_id": o})
        self.assertEqual((got["since"], got["source"]), ("2018-03-01", "annual report 2018"))
        bad = self.s.imvoctl("member", "join", "--covenant", "textile", "--org-id", self.org("Imvoctl Future BV"),
                             "--role", "supporter", "--since", "2999-01-01", "--source", "x")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("since", bad.stdout + bad.stderr)


class Demo(unittest.TestCase):

    def test_the_demo_signatories_signed_on_19_june_2017(self):
        """Seed 000: "Op 19 juni 2017 ondertekenden producenten van elektronica en sieraden,
        recyclers, maatschappelijke organisaties en de overheid hiervoor het Convenant
        Verantwoord Goud." imvoctl demo joins them on that day, citing it."""
        with System(["membership", "scoring"]) as s:
            out = s.imvoctl("demo")
            self.assertEqual(out.returncode, 0, out.stderr)
            members = s.ok("membership", "member.list", {"covenant": "gold"})["members"]
            self.assertEqual(len(members), 18)
            self.assertEqual({m["since"] for m in members}, {"2017-06-19"})
            got = s.ok("membership", "member.get", {"covenant": "gold", "org_id": members[0]["org_id"]})
            self.assertIn("Op 19 juni 2017 ondertekenden", got["source"])


class YearRule(unittest.TestCase):

    def test_signed_in_2016_communicates_publicly_in_2019(self):
        """Seed 001 (textile): "Van bedrijven die zich aansluiten bij het convenant, wordt
        uiterlijk in het derde jaar verwacht dat zij publiek communiceren over hun due
        diligence. Dit betekent dat in 2019 bedrijven die het convenant in 2016 hebben
        getekend, in lijn met de ‘criteria voor communicatie door bedrijven’ publiek zijn gaan
        communiceren." So the 2018 round does not yet ask it of a 2016 signatory, the 2019
        round does; a 2017 signatory is asked in 2020."""
        seed = seed_text("001_")
        if seed is not None:
            self.assertIn(SEED_YEAR_3, seed)
        with System(["membership", "scoring"]) as s:
            def join(name, since):
                o = s.ok("membership", "org.register", {"name": name, "kind": "company", "country": "NL"})["org_id"]
                s.ok("membership", "member.join", {"covenant": "textile", "org_id": o, "role": "party",
                                                   "since": since, "source": "seed 001"})
                return o
            early, later = join("Signed 2016 BV", "2016-09-01"), join("Signed 2017 BV", "2017-02-01")
            fw = s.ok("scoring", "framework.get", {"covenant": "textile"})
            full = {c["id"]: c["max"] for p in fw["parts"] for c in p["criteria"]}
            results = {}
            for year in (2018, 2019):
                for o in (early, later):
                    s.ok("scoring", "submission.put", {"covenant": "textile", "org_id": o, "year": year,
                                                       "answers": full, "projects": ["living_wage"]})
                rid = s.ok("scoring", "assessment.start", {"covenant": "textile", "year": year}, actor=MON)["round_id"]
                self.assertTrue(s.wait_for(lambda: s.ok("scoring", "assessment.get", {"round_id": rid},
                                                        actor=MON)["status"] == "completed", timeout=20))
                got = s.ok("scoring", "assessment.get", {"round_id": rid}, actor=MON)["results"]
                results[year] = {r["org_id"]: r for r in got}
            self.assertEqual(results[2018][early]["company_year"], 2)
            self.assertNotIn("no_public_communication", results[2018][early]["findings"])
            self.assertEqual(results[2019][early]["company_year"], 3)
            self.assertIn("no_public_communication", results[2019][early]["findings"])
            self.assertEqual(results[2019][early]["threshold"], 60)
            self.assertEqual(results[2019][later]["company_year"], 2)
            self.assertNotIn("no_public_communication", results[2019][later]["findings"])


# Seed 000 (gold) and seed 004 (metals): the terms the sources give.
SEED_GOLD_TERM = "convenant heeft een looptijd van 5 jaar"
SEED_METALS_TERM = "5 jaar (2019-2024) in totaal 50 ondertekenaars voor het convenant te hebben."


def inbox(s, recipient, kind):
    r = s.ok("notify", "inbox.list", {"recipient": recipient, "limit": 1000})
    return [i for i in r["items"] if i["type"] == kind]


def offset_to(day):
    """IMVO_CLOCK_OFFSET_S that puts the daemon's clock at noon (UTC) on day."""
    now = datetime.datetime.now(datetime.timezone.utc)
    at = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.timezone.utc)
    return str(int((at - now).total_seconds()))


class Terms(SharedSystem):
    """Covenants carry their term as the sources give it; when it has run out the secretariat
    records an extension or the end: nothing ends on its own."""
    SERVICES = ["membership", "notify"]

    def record(self, body, actor=None):
        return self.s.call("membership", "covenant.term_record", body, actor=actor)

    def test_covenant_get_returns_the_term_with_its_sources(self):
        """Seed 000: "Op 19 juni 2017 ondertekenden [...] het Convenant Verantwoord Goud" and
        "Het convenant heeft een looptijd van 5 jaar"; seed 004 (metals): "5 jaar (2019-2024)
        in totaal 50 ondertekenaars voor het convenant te hebben." Where the seeds give no
        start (textile) there is no term."""
        gold = self.s.ok("membership", "covenant.get", {"code": "gold"})
        self.assertEqual((gold["term"]["starts_on"], gold["term"]["years"]), ("2017-06-19", 5))
        self.assertIn("looptijd van 5 jaar", gold["sources"]["term.years"])
        self.assertIn("19 juni 2017", gold["sources"]["term.starts_on"])
        metals = self.s.ok("membership", "covenant.get", {"code": "metals"})
        self.assertEqual((metals["term"]["starts_on"], metals["term"]["years"]), ("2019-05-23", 5))
        self.assertIn("2019-2024", metals["sources"]["term.years"])
        self.assertNotIn("term", self.s.ok("membership", "covenant.get", {"code": "textile"}))
        for name, text in (("000_", SEED_GOLD_TERM), ("004_", SEED_METALS_TERM)):
            seed = seed_text(name)
            if seed is not None:
                self.assertIn(text, seed)

    def test_a_run_out_term_is_due_and_the_secretariat_hears_it(self):
        """Seed 000: "Op 19 juni 2017 ondertekenden [...] het Convenant Verantwoord Goud" and
        "Het convenant heeft een looptijd van 5 jaar": on the daemon's clock (2026) that has run
        out, so the secretariat has a covenant.term_due in its inbox, and the covenant is still
        active: nothing ends on its own (issue 23: "the secretariat gets a deadline to record
        either an extension or the end")."""
        self.assertTrue(self.s.wait_for(lambda: inbox(self.s, "secretariat:gold", "covenant.term_due")))
        item = inbox(self.s, "secretariat:gold", "covenant.term_due")[0]
        self.assertIn("2022-06-19", item["text"])
        self.assertEqual(self.s.ok("membership", "covenant.get", {"code": "gold"})["status"], "active")
        # A covenant without a term has no deadline.
        self.assertEqual(inbox(self.s, "secretariat:textile", "covenant.term_due"), [])

    def test_an_extension_is_recorded_with_its_source(self):
        body = {"covenant": "gold", "decision": "extended", "until": "2030-06-19",
                "source": "steering group minutes, 2022-05-10"}
        r = self.s.ok("membership", "covenant.term_record", body, key="gold-ext-1")
        self.assertEqual((r["decision"], r["until"], r["status"]), ("extended", "2030-06-19", "active"))
        term = self.s.ok("membership", "covenant.get", {"code": "gold"})["term"]
        self.assertEqual((term["state"], term["runs_out_on"], term["extended_until"]), ("extended", "2030-06-19", "2030-06-19"))
        self.assertEqual(term["decision"]["source"], "steering group minutes, 2022-05-10")
        self.assertTrue(self.s.wait_for(lambda: inbox(self.s, "secretariat:gold", "covenant.term_recorded")))

    def test_an_end_is_recorded_and_the_covenant_then_takes_no_members(self):
        r = self.s.ok("membership", "covenant.term_record", {"covenant": "metals", "decision": "ended",
                                                             "source": "SER letter of 23 May 2024"})
        self.assertEqual((r["status"], r["until"]), ("ended", "2024-05-23"))
        got = self.s.ok("membership", "covenant.get", {"code": "metals"})
        self.assertEqual((got["status"], got["ends_on"], got["term"]["state"]), ("ended", "2024-05-23", "ended"))
        o = self.s.ok("membership", "org.register", {"name": "Late Metals BV", "kind": "company", "country": "NL"})["org_id"]
        e = self.s.call("membership", "member.join", {"covenant": "metals", "org_id": o, "role": "supporter"})["error"]
        self.assertEqual((e["code"], e["field"]), ("conflict", "covenant"))

    def test_term_record_refusals_name_the_field(self):
        cases = [({"covenant": "gold", "decision": "extended", "source": "x"}, None, ("invalid_argument", "until")),
                 ({"covenant": "gold", "decision": "extended", "until": "2020-01-01", "source": "x"}, None,
                  ("invalid_argument", "until")),
                 ({"covenant": "gold", "decision": "ended", "until": "2999-01-01", "source": "x"}, None,
                  ("invalid_argument", "until")),
                 ({"covenant": "gold", "decision": "paused", "source": "x"}, None, ("invalid_argument", "decision")),
                 ({"covenant": "gold", "decision": "ended"}, None, ("invalid_argument", "source")),
                 ({"covenant": "textile", "decision": "ended", "source": "x"}, None, ("conflict", "covenant")),
                 ({"covenant": "nope", "decision": "ended", "source": "x"}, None, ("not_found", "covenant")),
                 ({"covenant": "gold", "decision": "ended", "source": "x"}, {"role": "company", "org": "org-1"},
                  ("forbidden", "actor.role"))]
        for body, actor, want in cases:
            r = self.record(body, actor=actor)
            self.assertFalse(r["ok"], body)
            self.assertEqual((r["error"]["code"], r["error"]["field"]), want, body)

    def test_imvoctl_records_a_term(self):
        out = self.s.imvoctl("covenant", "term", "floriculture", "--decision", "ended", "--source", "x")
        self.assertEqual(out.returncode, 2)
        self.assertIn("covenant", out.stdout + out.stderr)
        out = self.s.imvoctl("covenant", "show", "gold")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("starts_on", out.stdout)


class TermTimer(unittest.TestCase):

    def test_term_due_once_then_again_after_the_extension_runs_out(self):
        """Raised once per run-out date, also across restarts; an extension's end is a new one."""
        with System(["membership", "notify"]) as s:
            def due():
                return [i for i in inbox(s, "secretariat:gold", "covenant.term_due")]
            self.assertTrue(s.wait_for(lambda: len(due()) == 1))
            s.stop("membership")
            s.start("membership")
            s.ok("membership", "covenant.term_record", {"covenant": "gold", "decision": "extended",
                                                        "until": "2027-06-19", "source": "minutes"})
            self.assertTrue(s.wait_for(lambda: s.drained("notify", "membership")))
            self.assertEqual(len(due()), 1)
            s.stop("membership")
            s.extra_env["IMVO_CLOCK_OFFSET_S"] = offset_to(datetime.date(2027, 6, 20))
            s.start("membership")
            self.assertTrue(s.wait_for(lambda: len(due()) == 2))
            self.assertIn("2027-06-19", due()[0]["text"] + due()[1]["text"])
            term = s.ok("membership", "covenant.get", {"code": "gold"})["term"]
            self.assertEqual((term["state"], term["runs_out_on"]), ("due", "2027-06-19"))
            self.assertEqual(s.ok("membership", "covenant.get", {"code": "gold"})["status"], "active")


if __name__ == "__main__":
    unittest.main()

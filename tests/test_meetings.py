"""The SRA sectors, floriculture's themes, general meetings and the steering group (issue 23,
items 8 and 9), against a real Redis and membership. Each rule's test quotes the seed
sentence it enforces; the data cite their sources as deploy/covenants.json does."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import SharedSystem                                            # noqa: E402

SEEDS = ("000_b06e3cb1c08ca68d.txt", "001_efafd7b1e78fecd8.txt", "002_2857d9519af6304b.txt",
         "003_fd3b86bd4b6cd388.txt", "004_31f1f365db175f2f.txt")


def seed_text(name):
    for d in (os.environ.get("IMVO_SEEDS_DIR", ""), os.path.join(os.path.dirname(__file__), "..", "..", "shared",
                                                                  "seeds")):
        path = os.path.join(d, name)
        if d and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                return " ".join(f.read().replace("’", "'").split())
    return None


class Sectors(SharedSystem):
    SERVICES = ["membership"]

    def test_the_twelve_named_sectors_and_the_count_of_thirteen(self):
        """003: "Er zijn dertien sectoren met verhoogde risico's geïdentificeerd. Dit zijn de bouw,
        chemie, detailhandel, energie, financiële sector, groothandel, hout en papier, land- en
        tuinbouw, metaal en elektronica, olie en gas, textiel & kleding en voedingsmiddelen.\""""
        got = self.s.ok("membership", "sector.list", {}, actor=False)
        self.assertEqual(got["count_stated"], 13)
        self.assertEqual([x["name_nl"] for x in got["sectors"]],
                         ["bouw", "chemie", "detailhandel", "energie", "financiële sector", "groothandel",
                          "hout en papier", "land- en tuinbouw", "metaal en elektronica", "olie en gas",
                          "textiel & kleding", "voedingsmiddelen"])
        self.assertIn("dertien sectoren", got["sources"]["count_stated"])

    def test_which_sectors_have_a_covenant_or_were_in_dialogue(self):
        """001: "Een aantal IMVO-convenanten is al ondertekend, andere sectoren zijn nog in gesprek
        over een convenant." and "Voor een aantal andere sectoren is de dialoog gaande, zoals in
        de land- en tuinbouwsector en duurzame energiesector.\""""
        s = self.s
        sectors = {x["code"]: x for x in s.ok("membership", "sector.list", {}, actor=False)["sectors"]}
        self.assertEqual(sectors["energy"]["status"], "dialogue")
        self.assertTrue(sectors["agriculture-horticulture"]["dialogue"])
        self.assertEqual(sectors["agriculture-horticulture"]["covenants"], ["floriculture"])
        self.assertEqual(sorted(sectors["financial"]["covenants"]), ["banking", "insurance", "pensions"])
        self.assertEqual({x["status"] for x in sectors.values() if not x["covenants"]}, {"none", "dialogue"})
        # Every covenant named is one membership holds.
        codes = {c["code"] for c in s.ok("membership", "covenant.list", {}, actor=False)["covenants"]}
        for x in sectors.values():
            self.assertLessEqual(set(x["covenants"]), codes, x)

    def test_the_sources_quote_the_seeds(self):
        sources = self.s.ok("membership", "sector.list", {}, actor=False)["sources"]
        for key, quote in sources.items():
            name, _, sentence = quote.partition(": ")
            self.assertIn(name, SEEDS, key)
            text = seed_text(name)
            if text is None:
                self.skipTest("the seeds are not beside the repository (IMVO_SEEDS_DIR)")
            first = sentence.split(" (")[0].split(" ...")[0].split("; ")[0].rstrip(".")
            # Compared without spaces and hyphens: the seeds break words at line ends ("groot- handel").
            squash = lambda t: t.replace(" ", "").replace("-", "")                  # noqa: E731
            self.assertIn(squash(first), squash(text), key)

    def test_floricultures_themes(self):
        """002: "Deze aanpak richt zich onder andere op de thema's leefbaar loon en de gevolgen voor
        gewasbeschermingsmiddelen.\""""
        c = self.s.ok("membership", "covenant.get", {"code": "floriculture"}, actor=False)
        self.assertEqual([t["code"] for t in c["themes"]], ["living_wage", "crop_protection_effects"])
        self.assertIn("gewasbeschermingsmiddelen", c["sources"]["themes"])


class Meetings(SharedSystem):
    SERVICES = ["membership"]

    def member(self, name, role, covenant="metals", kind="company"):
        org = self.s.ok("membership", "org.register", {"name": name, "kind": kind, "country": "NL"})["org_id"]
        body = {"covenant": covenant, "org_id": org, "role": role}
        if role == "party" and covenant == "metals":
            body["working_groups"] = ["collective-action"]
        self.s.ok("membership", "member.join", body)
        return org

    def test_attendance_and_the_parties_votes(self):
        """004: a party "woont de algemene vergaderingen van het convenant bij"."""
        s = self.s
        a, b = self.member("Vote A BV", "party"), self.member("Vote B BV", "party")
        got = s.ok("membership", "meeting.record", {
            "covenant": "metals", "date": "2020-11-05", "attendees": [a, b], "source": "minutes GM 2020",
            "votes": [{"motion": "adopt the annual plan", "for": [a, b]},
                      {"motion": "raise the fee", "for": [a], "against": [b], "abstain": []}]})
        self.assertEqual(got["meeting_id"], "metals-2020-11-05")
        self.assertEqual([(r["for"], r["against"], r["carried"]) for r in got["results"]], [(2, 0, True), (1, 1, False)])
        s.ok("membership", "meeting.record", {"covenant": "metals", "date": "2021-06-01", "attendees": [a]})
        listed = s.ok("membership", "meeting.list", {"covenant": "metals"})["meetings"]
        self.assertEqual([m["date"] for m in listed][:2], ["2021-06-01", "2020-11-05"])

    def test_a_supporters_vote_is_refused_naming_the_field(self):
        """004: "Als steunbetuiger heeft u geen stem in de besluitvorming.\""""
        s = self.s
        party, supporter = self.member("Party C BV", "party"), self.member("Zinc Assoc", "supporter", kind="other")
        err = s.call("membership", "meeting.record", {
            "covenant": "metals", "date": "2020-12-01", "attendees": [party, supporter],
            "votes": [{"motion": "m", "for": [party], "against": [supporter]}]})["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "votes.0.against.0"))
        self.assertIn("supporter", err["message"])

    def test_votes_and_attendees_must_be_members_present_once(self):
        s = self.s
        a = self.member("Party D BV", "party")
        outsider = s.ok("membership", "org.register", {"name": "Outside BV", "kind": "company", "country": "NL"})["org_id"]
        cases = [({"attendees": [outsider]}, "attendees.0"),
                 ({"attendees": [a, a]}, "attendees.1"),
                 ({"attendees": [a], "votes": [{"motion": "m", "for": [a], "against": [a]}]}, "votes.0.against.0"),
                 ({"attendees": [a], "votes": [{"motion": "m", "for": ["x y"]}]}, "votes.0.for"),
                 ({"attendees": [a], "votes": [{"for": [a]}]}, "votes.0"),
                 ({"attendees": [a], "date": "2999-01-01"}, "date")]
        for extra, field in cases:
            body = dict({"covenant": "metals", "date": "2020-01-01"}, **extra)
            err = s.call("membership", "meeting.record", body)["error"]
            self.assertEqual((err["code"], err["field"]), ("invalid_argument", field), extra)
        err = s.call("membership", "meeting.record", {"covenant": "metals", "date": "2020-01-01", "attendees": [a]},
                     actor={"role": "company", "org": a})["error"]
        self.assertEqual(err["code"], "forbidden")


class Steering(SharedSystem):
    SERVICES = ["membership"]

    def test_the_seeded_independent_chair(self):
        """001: "Maurits Derksen is aangesteld als onafhankelijk voorzitter namens de partijen.\""""
        got = self.s.ok("membership", "steering.get", {"covenant": "metals"}, actor=False)
        self.assertEqual((got["chair"], got["chair_independent"], got["members"]), ("Maurits Derksen", True, []))
        self.assertIn("onafhankelijk voorzitter", got["source"])
        textile = self.s.ok("membership", "steering.get", {"covenant": "textile"}, actor=False)
        self.assertEqual((textile["chair"], textile["chair_independent"]), (None, False))

    def test_the_steering_group_represents_parties_under_an_independent_chair(self):
        """004: "Er is een stuurgroep die de uitvoering in goede banen leidt. Deze is samengesteld uit
        vertegenwoordigers van alle deelnemende geledingen. De voorzitter is een onafhankelijk
        persoon.\""""
        s = self.s
        org = s.ok("membership", "org.register", {"name": "Steer BV", "kind": "company", "country": "NL"})["org_id"]
        s.ok("membership", "member.join", {"covenant": "gold", "org_id": org, "role": "party"})
        sup = s.ok("membership", "org.register", {"name": "Steer Sup", "kind": "other", "country": "NL"})["org_id"]
        s.ok("membership", "member.join", {"covenant": "gold", "org_id": sup, "role": "supporter"})
        body = {"covenant": "gold", "chair": "A. Chair", "chair_independent": True,
                "members": [{"name": "B. Rep", "org_id": org}], "source": "minutes"}
        got = s.ok("membership", "steering.put", body)
        self.assertEqual((got["chair"], got["members"]), ("A. Chair", body["members"]))
        self.assertEqual(s.ok("membership", "steering.get", {"covenant": "gold"}, actor=False)["chair"], "A. Chair")
        cases = [(dict(body, chair_independent=False), "chair_independent"),
                 (dict(body, members=[{"name": "C", "org_id": sup}]), "members.0.org_id"),
                 (dict(body, members=[{"name": "A. Chair", "org_id": org}]), "chair"),
                 (dict(body, members=[{"name": "C"}]), "members.0")]
        for b, field in cases:
            err = s.call("membership", "steering.put", b)["error"]
            self.assertEqual((err["code"], err["field"]), ("invalid_argument", field), b)


if __name__ == "__main__":
    unittest.main()

"""Contributions from supporters (issue 23, 5), against a real Redis and membership: financial
(an amount to a named activity) or in kind (a description), recorded by the secretariat
(member.contribute) and listed in member.get. Each rule quotes the seed sentence it enforces."""
import unittest

from harness import SharedSystem, member, register
from test_console import PortalSystem

SEC = {"role": "secretariat"}
# Seed 004 (metals), "Als steunbetuiger".
FINANCIAL = ("U kunt financieel bijdragen aan specifieke activiteiten die in het kader van het convenant worden "
             "georganiseerd.")
IN_KIND = "U kunt ook in natura bijdragen aan collectieve activiteiten."


class Contributions(SharedSystem):

    SERVICES = ["membership"]

    def contribute(self, org, actor=SEC, **body):
        return self.s.call("membership", "member.contribute", dict({"covenant": "metals", "org_id": org, "year": 2026}, **body),
                           actor=actor)

    def test_a_supporter_contributes_money_to_a_named_activity(self):
        """Seed 004: "U kunt financieel bijdragen aan specifieke activiteiten die in het kader
        van het convenant worden georganiseerd": an amount, to an activity it names."""
        s = self.s
        self.assertIn("financieel bijdragen aan specifieke activiteiten", FINANCIAL)
        org = member(s, "metals", "International Tin Association", "supporter", "trade_association")
        r = self.contribute(org, kind="financial", amount_eur=25000, activity="Smelter audit programme")
        self.assertTrue(r["ok"], r)
        got = s.ok("membership", "member.get", {"covenant": "metals", "org_id": org})
        self.assertEqual(len(got["contributions"]), 1)
        c = got["contributions"][0]
        self.assertEqual((c["kind"], c["amount_eur"], c["activity"], c["year"]),
                         ("financial", 25000, "Smelter audit programme", 2026))
        self.assertEqual(c["by"], "secretariat")
        # Money goes to a specific activity, and has an amount.
        r = self.contribute(org, kind="financial", amount_eur=100)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "activity"), r)
        r = self.contribute(org, kind="financial", activity="Workshops")
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "amount_eur"), r)
        r = self.contribute(org, kind="financial", amount_eur=0, activity="Workshops")
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "amount_eur"), r)

    def test_a_supporter_contributes_in_kind_to_collective_activities(self):
        """Seed 004: "U kunt ook in natura bijdragen aan collectieve activiteiten": what is
        given, described, without an amount."""
        s = self.s
        self.assertIn("in natura bijdragen aan collectieve activiteiten", IN_KIND)
        org = member(s, "metals", "International Zinc Association", "supporter", "trade_association")
        r = self.contribute(org, kind="in_kind", description="Two experts for the due-diligence training",
                            activity="Collective training")
        self.assertTrue(r["ok"], r)
        self.contribute(org, kind="financial", amount_eur=5000, activity="Translation of the roadmap")
        got = s.ok("membership", "member.get", {"covenant": "metals", "org_id": org})["contributions"]
        self.assertEqual([c["kind"] for c in got], ["in_kind", "financial"])
        self.assertEqual(got[0]["description"], "Two experts for the due-diligence training")
        self.assertNotIn("amount_eur", got[0])
        r = self.contribute(org, kind="in_kind")
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "description"), r)
        r = self.contribute(org, kind="in_kind", description="Venue", amount_eur=10)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "amount_eur"), r)
        r = self.contribute(org, kind="gift", description="Venue")
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "kind"), r)

    def test_only_supporters_contribute_to_activities(self):
        """Seed 004: the supporter's paragraph ("Als steunbetuiger ... U kunt financieel
        bijdragen aan specifieke activiteiten") is where contributions to activities are; a
        party's is "Ook leveren bedrijven jaarlijks een financiële bijdrage" (member.pay)."""
        s = self.s
        party = member(s, "metals", "Metals Party BV", "party")
        expert = member(s, "metals", "Metals Expert", "expert", "knowledge_institution")
        r = self.contribute(party, kind="financial", amount_eur=100, activity="Workshops")
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("conflict", "org_id"), r)
        self.assertIn("member.pay", r["error"]["message"])
        r = self.contribute(expert, kind="in_kind", description="Advice")
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("conflict", "org_id"), r)
        r = self.contribute("org-999999", kind="in_kind", description="Advice")
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("not_found", "org_id"), r)
        left = member(s, "metals", "Left Supporter BV", "supporter")
        s.ok("membership", "member.leave", {"covenant": "metals", "org_id": left})
        r = self.contribute(left, kind="in_kind", description="Advice")
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("conflict", "org_id"), r)

    def test_the_secretariat_records_contributions(self):
        """The secretariat (SER) keeps the record, as it does of member.pay; once per key."""
        s = self.s
        org = member(s, "metals", "Supporter Records BV", "supporter")
        for actor in ({"role": "company", "org": org}, {"role": "monitoring"}, False):
            r = self.contribute(org, actor=actor, kind="in_kind", description="Advice")
            self.assertEqual(r["error"]["code"], "forbidden", r)
        # The same key and body again: recorded once.
        body = {"covenant": "metals", "org_id": org, "year": 2026, "kind": "in_kind", "description": "A venue"}
        for _ in range(2):
            self.assertTrue(s.call("membership", "member.contribute", body, key="contrib-1", actor=SEC)["ok"])
        self.assertEqual(len(s.ok("membership", "member.get", {"covenant": "metals", "org_id": org})["contributions"]), 1)
        # Every membership lists its contributions (none yet is an empty list).
        other = member(s, "metals", "Supporter None BV", "supporter")
        self.assertEqual(s.ok("membership", "member.get", {"covenant": "metals", "org_id": other})["contributions"], [])

    def test_imvoctl_records_and_shows_a_contribution(self):
        """imvoctl covers member.contribute, and member.get shows it."""
        s = self.s
        org = member(s, "metals", "Supporter CLI BV", "supporter")
        out = s.imvoctl("member", "contribute", "--covenant", "metals", "--org-id", org, "--year", "2026",
                        "--kind", "financial", "--amount-eur", "750", "--activity", "Roadmap printing")
        self.assertEqual(out.returncode, 0, out.stderr)
        out = s.imvoctl("member", "show", "metals", org)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Roadmap printing", out.stdout)



class MembersPage(PortalSystem):
    """The secretariat's members page shows the trade associations' member companies and the
    supporters' contributions, and records both through its forms (CSRF, one idempotency key
    a form), in Dutch and English."""

    SERVICES, CURVE = ["membership"], False

    def browser(self, lang):
        return self.signed_in(lang=lang)

    def test_the_members_page_records_associations_members_and_contributions(self):
        s = self.s
        assoc = member(s, "food", "Page Food Association", kind="trade_association")
        company = register(s, "Page Bakery BV")
        supporter = member(s, "food", "Page Supporter Foundation", "supporter", "ngo")
        b = self.browser("en")
        page = b.get("/staff/members?covenant=food").page
        self.assertIn("Trade associations and their members", page)
        self.assertIn("Page Food Association", page)
        r = b.post("/staff/members/associates", page, covenant="food", org_id=assoc, companies=company + ",\n")
        self.assertEqual(r.status, 303, r.page[-800:])
        self.assertEqual([c["org_id"] for c in s.ok("membership", "member.associated", {"covenant": "food"})["companies"]],
                         [company])
        page = b.get("/staff/members?covenant=food").page
        self.assertIn("Page Bakery BV", page[page.index('id="h-assoc"'):])
        r = b.post("/staff/members/contribute", page, covenant="food", org_id=supporter, year="2026", kind="financial",
                   amount_eur="1200", activity="Banana living-wage project", description="")
        self.assertEqual(r.status, 303, r.page[-800:])
        page = b.get("/staff/members?covenant=food").page        # each form has a key of its own
        r = b.post("/staff/members/contribute", page, covenant="food", org_id=supporter, year="2026", kind="in_kind",
                   amount_eur="", activity="", description="Meeting rooms for the working group")
        self.assertEqual(r.status, 303, r.page[-800:])
        page = b.get("/staff/members?covenant=food").page
        table = page[page.index('id="contributions"'):]
        for text in ("Banana living-wage project", "1200", "Meeting rooms for the working group", "in kind"):
            self.assertIn(text, table)
        # A refusal is explained, and changes nothing: money without its activity.
        page = b.get("/staff/members?covenant=food").page
        r = b.post("/staff/members/contribute", page, covenant="food", org_id=supporter, year="2026", kind="financial",
                   amount_eur="5", activity="", description="")
        self.assertEqual(r.status, 400, r.page[-800:])
        self.assertIn("activity", r.page)
        self.assertEqual(len(s.ok("membership", "member.get", {"covenant": "food", "org_id": supporter})["contributions"]), 2)
        # Dutch.
        page = self.browser("nl").get("/staff/members?covenant=food").page
        for text in ("Brancheorganisaties en hun leden", "Bijdragen van ondersteuners", "in natura"):
            self.assertIn(text, page)


if __name__ == "__main__":
    unittest.main()

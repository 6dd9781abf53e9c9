"""Disputes between two parties (geschillen, issue 23, 4), against a real Redis, membership,
complaints and notify: complaint.submit with kind dispute and claimant_org, by the claimant
party itself; both parties of the covenant, of any kind; the same life cycle as a complaint;
both sides respond (recorded per side), both see the case and the messages to both, and both
hear of every move. Each rule quotes the seed sentence it enforces."""
import unittest

from harness import SharedSystem, member, register
from test_console import PortalSystem

SEC, COM = {"role": "secretariat"}, {"role": "committee"}
# Seed 001 (textile): the mechanism is for complaints and for disputes.
GESCHILLEN = "Onafhankelijke klachten- en geschillenmechanisme ingesteld en procedures gepubliceerd, dit is wereldwijd uniek."


def as_org(org):
    return {"role": "company", "org": org}


class Disputes(SharedSystem):

    SERVICES = ["membership", "complaints", "notify"]

    def dispute(self, claimant, respondent, actor=None, **extra):
        body = dict({"covenant": "textile", "kind": "dispute", "claimant_org": claimant, "respondent": respondent,
                     "summary": "The working group's agreement is not kept",
                     "description": "The party did not deliver the agreed audit reports.",
                     "complainant": {"anonymous": False, "name": "Jan de Vries", "contact": "jan@example.org"}}, **extra)
        return self.s.call("complaints", "complaint.submit", body, actor=actor if actor is not None else as_org(claimant))

    def move(self, case, to, actor, **extra):
        r = self.s.call("complaints", "complaint.transition", dict({"case_id": case, "to": to, "reason": "next"}, **extra),
                        actor=actor)
        self.assertTrue(r["ok"], r)

    def test_a_party_files_a_dispute_against_another_party(self):
        """Seed 001: "Onafhankelijke klachten- en geschillenmechanisme ingesteld": a dispute
        between two parties, of any kind (here a union against a trade association)."""
        self.assertIn("geschillenmechanisme", GESCHILLEN)
        s = self.s
        union = member(s, "textile", "Textile Union", kind="union")
        association = member(s, "textile", "Textile Trade Association", kind="trade_association")
        r = self.dispute(union, association)
        self.assertTrue(r["ok"], r)
        got = s.ok("complaints", "complaint.get", {"case_id": r["body"]["case_id"]})
        self.assertEqual((got["kind"], got["claimant_org"], got["respondent"], got["status"]),
                         ("dispute", union, association, "received"))
        # The secretariat may file it for the claimant party.
        self.assertTrue(self.dispute(union, association, actor=SEC)["ok"])

    def test_only_parties_are_in_a_dispute(self):
        """Seed 001: "klachten- en geschillenmechanisme": geschillen are between parties, so
        both sides are current parties of the covenant, and they are two."""
        s = self.s
        ngo = member(s, "textile", "Textile NGO", kind="ngo")
        brand = member(s, "textile", "Dispute Brand BV", kind="company")
        supporter = member(s, "textile", "Textile Supporter", "supporter", "ngo")
        for claimant, respondent, field in ((supporter, brand, "claimant_org"), (ngo, supporter, "respondent"),
                                            (ngo, "org-999999", "respondent"), (ngo, ngo, "respondent")):
            r = self.dispute(claimant, respondent)
            self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", field), r)
        # Filed by the claimant itself (its certificate or account) or the secretariat: not by
        # another organisation, nor by someone without a role.
        for actor in (as_org(brand), False, {"role": "committee"}):
            r = self.dispute(ngo, brand, actor=actor)
            self.assertEqual((r["error"]["code"], r["error"]["field"]), ("forbidden", "claimant_org"), r)
        r = self.dispute(ngo, brand, complainant={"anonymous": True})
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "complainant.anonymous"), r)
        r = self.dispute(ngo, brand, kind="complaint")
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "claimant_org"), r)
        body = {"covenant": "textile", "kind": "dispute", "respondent": brand, "summary": "x", "description": "y",
                "complainant": {"anonymous": False, "name": "A", "contact": "a@example.org"}}
        r = s.call("complaints", "complaint.submit", body)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "claimant_org"), r)

    def test_both_sides_respond_and_see_the_case(self):
        """Seed 001: "Onafhankelijke klachten- en geschillenmechanisme ingesteld en procedures
        gepubliceerd": the same procedure as a complaint, in which both parties answer."""
        s = self.s
        ngo = member(s, "textile", "Respond NGO", kind="ngo")
        brand = member(s, "textile", "Respond Brand BV", kind="company")
        other = member(s, "textile", "Bystander Brand BV", kind="company")
        case = self.dispute(ngo, brand)["body"]["case_id"]
        for who in (brand, ngo):
            r = s.call("complaints", "complaint.respond", {"case_id": case, "text": "too early"}, actor=as_org(who))
            self.assertEqual(r["error"]["code"], "conflict", r)
        self.move(case, "admissibility", SEC)
        self.move(case, "response", COM)
        r = s.ok("complaints", "complaint.respond", {"case_id": case, "text": "We delivered the reports."}, actor=as_org(brand))
        self.assertEqual(r["side"], "respondent")
        # The response deadline waits for the other side.
        got = s.ok("complaints", "complaint.get", {"case_id": case})
        self.assertIn("response", [d["deadline"] for d in got["deadlines"]])
        self.assertEqual([x["side"] for x in got["responses"]], ["respondent"])
        r = s.ok("complaints", "complaint.respond", {"case_id": case, "text": "They did not."}, actor=as_org(ngo))
        self.assertEqual(r["side"], "claimant")
        got = s.ok("complaints", "complaint.get", {"case_id": case})
        self.assertNotIn("response", [d["deadline"] for d in got["deadlines"]])
        self.assertEqual([x["side"] for x in got["responses"]], ["claimant", "respondent"])
        r = s.call("complaints", "complaint.respond", {"case_id": case, "text": "Me too"}, actor=as_org(other))
        self.assertEqual(r["error"]["code"], "forbidden", r)
        # Both sides see the case, and each other's answers; a third party sees nothing.
        for who in (ngo, brand):
            self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": case}, actor=as_org(who))["kind"], "dispute")
            texts = [m["text"] for m in s.ok("complaints", "complaint.messages", {"case_id": case}, actor=as_org(who))["messages"]]
            self.assertEqual(texts, ["We delivered the reports.", "They did not."])
        for mtype in ("complaint.get", "complaint.messages"):
            self.assertEqual(s.call("complaints", mtype, {"case_id": case}, actor=as_org(other))["error"]["code"], "forbidden")
        # The same life cycle to its end.
        self.move(case, "mediation", COM)
        self.move(case, "settled", COM)
        self.move(case, "closed", SEC)

    def test_messages_to_both_sides_and_to_each(self):
        """Seed 001: "klachten- en geschillenmechanisme": the committee speaks to both parties
        of a dispute at once, or to one of them."""
        s = self.s
        ngo = member(s, "textile", "Message NGO", kind="ngo")
        brand = member(s, "textile", "Message Brand BV", kind="company")
        case = self.dispute(ngo, brand)["body"]["case_id"]
        for to, text in (("parties", "Hearing on 3 March"), ("company", "To the respondent"), ("complainant", "To the claimant")):
            s.ok("complaints", "complaint.message", {"case_id": case, "text": text, "to": to}, actor=COM)
        # The claimant party's own message is its thread with the committee; a third party writes nothing.
        s.ok("complaints", "complaint.message", {"case_id": case, "text": "Our evidence follows"}, actor=as_org(ngo))
        other = member(s, "textile", "Message Bystander BV", kind="company")
        r = s.call("complaints", "complaint.message", {"case_id": case, "text": "Me too"}, actor=as_org(other))
        self.assertEqual(r["error"]["code"], "forbidden", r)

        def seen(org):
            return [m["text"] for m in s.ok("complaints", "complaint.messages", {"case_id": case}, actor=as_org(org))["messages"]]
        self.assertEqual(seen(brand), ["Hearing on 3 March", "To the respondent"])
        self.assertEqual(seen(ngo), ["Hearing on 3 March", "To the claimant", "Our evidence follows"])
        staff = [m["text"] for m in s.ok("complaints", "complaint.messages", {"case_id": case}, actor=COM)["messages"]]
        self.assertEqual(len(staff), 4)
        # "parties" is for a dispute only.
        complaint = s.ok("complaints", "complaint.submit", {
            "covenant": "textile", "respondent": s.respondent, "summary": "A complaint", "description": "Harm.",
            "complainant": {"anonymous": True}}, actor=False)["case_id"]
        r = s.call("complaints", "complaint.message", {"case_id": complaint, "text": "x", "to": "parties"}, actor=COM)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "to"), r)

    def test_both_parties_hear_of_every_move(self):
        """Seed 001: "klachten- en geschillenmechanisme": both parties follow their dispute."""
        s = self.s
        ngo = member(s, "textile", "Notify NGO", kind="ngo")
        brand = member(s, "textile", "Notify Brand BV", kind="company")
        case = self.dispute(ngo, brand)["body"]["case_id"]
        self.move(case, "admissibility", SEC)

        def heard(org):
            return [i for i in s.ok("notify", "inbox.list", {"recipient": "org:%s" % org}, actor=SEC)["items"]
                    if i["type"] == "complaint.status_changed"]
        self.assertTrue(s.wait_for(lambda: heard(ngo) and heard(brand)), (heard(ngo), heard(brand)))

    def test_imvoctl_files_a_dispute(self):
        """imvoctl covers complaint.submit's kind and claimant_org."""
        s = self.s
        ngo = member(s, "textile", "CLI NGO", kind="ngo")
        brand = member(s, "textile", "CLI Brand BV", kind="company")
        out = s.imvoctl("--json", "complaint", "submit", "--covenant", "textile", "--kind", "dispute", "--claimant-org", ngo,
                        "--respondent", brand, "--summary", "Agreement broken", "--description", "Details.",
                        "--name", "Jan", "--contact", "jan@example.org")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("case_id", out.stdout)



class CasePage(PortalSystem):
    """The secretariat's case page names a dispute's kind and claimant party, and the trade
    association a respondent is reached through, in English and Dutch."""

    SERVICES, CURVE = ["membership", "complaints"], False

    def page(self, path, lang):
        return self.signed_in(lang=lang).get(path).page

    def test_the_case_page_names_the_dispute_and_the_association(self):
        s = self.s
        union = member(s, "textile", "Page Union", kind="union")
        brand = member(s, "textile", "Page Brand BV", kind="company")
        case = s.ok("complaints", "complaint.submit", {
            "covenant": "textile", "kind": "dispute", "claimant_org": union, "respondent": brand, "summary": "Agreement",
            "description": "Not kept.", "complainant": {"anonymous": False, "name": "Jan", "contact": "jan@example.org"}},
            actor=as_org(union))["case_id"]
        page = self.page("/staff/case/%s" % case, "en")
        self.assertIn('<dd id="case-kind">dispute between parties</dd>', page)
        self.assertIn("Page Union", page[page.index('id="claimant-org"'):])
        self.assertIn("geschil tussen partijen", self.page("/staff/case/%s" % case, "nl"))
        assoc = member(s, "food", "Page Association", kind="trade_association")
        company = register(s, "Page Member BV")
        s.ok("membership", "member.associates", {"covenant": "food", "org_id": assoc, "companies": [company]})
        case = s.ok("complaints", "complaint.submit", {
            "covenant": "food", "respondent": company, "summary": "Harm", "description": "Harm.",
            "complainant": {"anonymous": True}}, actor=False)["case_id"]
        page = self.page("/staff/case/%s" % case, "en")
        self.assertIn("Page Association", page[page.index('id="association"'):])
        self.assertNotIn('id="case-kind"', page)


if __name__ == "__main__":
    unittest.main()

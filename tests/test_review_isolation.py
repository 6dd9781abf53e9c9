"""A second look at what this session added, from an attacker's or a careless caller's side
(review R3): each test names what a caller could do before its fix, against a real Redis and
real daemons."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import SharedSystem, member                                   # noqa: E402
from test_collective import MON, YEAR, gold_round                         # noqa: E402
from test_contributions import SEC                                       # noqa: E402
from test_associations import association, org                           # noqa: E402
from test_scoring import FRAMEWORK, company                               # noqa: E402
import test_console                                                        # noqa: E402
import test_console_company                                                # noqa: E402


class AssessorComments(SharedSystem):
    SERVICES = ["membership", "scoring"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.orgs, cls.round = gold_round(cls.s)
        cls.rid = "gold-%d" % YEAR

    def test_a_company_outside_the_round_cannot_comment_on_it(self):
        """assessment.comment stored a comment on the review of any company that named itself,
        in any covenant's round, and told that round's monitoring committee of it: a textile
        company wrote into gold's review."""
        s = self.s
        outsider = company(s, "Textile Outsider BV", covenant="textile")
        err = s.call("scoring", "assessment.comment", {"round_id": self.rid, "org_id": outsider, "comment": "spam"},
                     actor={"role": "company", "org": outsider})["error"]
        self.assertEqual((err["code"], err["field"]), ("not_found", "org_id"), err)
        self.assertEqual(s.redis.cli("EXISTS", "imvo:scoring:{gold}:round:%d:review:%s" % (YEAR, outsider)).strip(),
                         "0")
        # A company of the round still comments.
        s.ok("scoring", "assessment.comment", {"round_id": self.rid, "org_id": self.orgs["Y"], "comment": "fine"},
             actor={"role": "company", "org": self.orgs["Y"]})

    def test_a_company_cannot_fill_its_review_with_comments(self):
        """assessment.comment kept every comment for ever (4,000 bytes each, no bound): one
        company could grow scoring's Redis without limit during the two weeks. And two comments
        in the same millisecond shared a field, so one was lost though both were answered ok."""
        s, org = self.s, self.orgs["X"]
        actor = {"role": "company", "org": org}
        errors = []
        for i in range(60):
            got = s.call("scoring", "assessment.comment", {"round_id": self.rid, "org_id": org,
                                                           "comment": "comment %d" % i}, actor=actor)
            if "error" in got:
                errors.append(got["error"])
        self.assertTrue(errors, "60 comments were all kept")
        self.assertEqual((errors[0]["code"], errors[0]["field"]), ("too_large", "comment"), errors[0])
        review = s.ok("scoring", "assessment.review", {"round_id": self.rid, "org_id": org}, actor=MON)
        self.assertEqual(len(review["comments"]), 60 - len(errors))


class SupportersMoney(SharedSystem):
    SERVICES = ["membership"]

    def test_another_company_does_not_read_a_supporters_contributions(self):
        """member.get (any role) listed a supporter's contributions, amounts and activities, to
        every company: a competitor read what another organisation gives, while member.unpaid
        keeps even whether a company paid between it and the secretariat."""
        s = self.s
        supporter = member(s, "metals", "Review Tin Supporters", "supporter", "trade_association")
        rival = member(s, "metals", "Review Rival Metals BV", "party")
        s.ok("membership", "member.contribute", {"covenant": "metals", "org_id": supporter, "year": 2026,
                                                 "kind": "financial", "amount_eur": 25000, "activity": "Audits"},
             actor=SEC)
        body = {"covenant": "metals", "org_id": supporter}
        seen = s.ok("membership", "member.get", body, actor={"role": "company", "org": rival})
        self.assertNotIn("contributions", seen)
        self.assertEqual(seen["role"], "supporter")             # the membership itself stays public
        own = s.ok("membership", "member.get", body, actor={"role": "company", "org": supporter})
        self.assertEqual([c["amount_eur"] for c in own["contributions"]], [25000])
        staff = s.ok("membership", "member.get", body, actor=SEC)
        self.assertEqual([c["amount_eur"] for c in staff["contributions"]], [25000])


class AssociationCases(SharedSystem):
    SERVICES = ["membership", "complaints", "notify"]

    def test_the_association_does_not_read_the_identity_shared_with_the_company(self):
        """complaint.get showed the trade association a complainant's name and contact when she
        had let the company (share_identity: "let the company see who complains") see them: the
        association, another organisation, read who complained about one of its members."""
        s = self.s
        a = association(s, "food", "Review Food Association")
        member_co = org(s, "Review Cocoa Member BV")
        s.ok("membership", "member.associates", {"covenant": "food", "org_id": a, "companies": [member_co]}, actor=SEC)
        case = s.ok("complaints", "complaint.submit", {
            "covenant": "food", "respondent": member_co, "summary": "Unpaid overtime", "description": "Weeks unpaid.",
            "complainant": {"anonymous": False, "name": "Rahima", "contact": "rahima@example.org",
                            "share_identity": True}}, actor=False)["case_id"]
        own = s.ok("complaints", "complaint.get", {"case_id": case}, actor={"role": "company", "org": member_co})
        self.assertEqual(own["complainant"].get("name"), "Rahima")
        seen = s.ok("complaints", "complaint.get", {"case_id": case}, actor={"role": "company", "org": a})
        self.assertEqual(seen["case_id"], case)                   # the association still reads the case
        self.assertNotIn("name", seen["complainant"])
        self.assertNotIn("contact", seen["complainant"])
        self.assertNotIn("sealed", seen["complainant"])

    def test_an_association_that_no_longer_lists_the_company_no_longer_reads_its_case(self):
        """A case kept the association a respondent was reached through for good: after the
        association took the company off its list (or left the covenant) it still read the case,
        its company thread, and wrote in it."""
        s = self.s
        a = association(s, "food", "Review Former Association")
        member_co = org(s, "Review Former Member BV")
        s.ok("membership", "member.associates", {"covenant": "food", "org_id": a, "companies": [member_co]}, actor=SEC)
        case = s.ok("complaints", "complaint.submit", {
            "covenant": "food", "respondent": member_co, "summary": "Blocked exits", "description": "Doors locked.",
            "complainant": {"anonymous": True}}, actor=False)["case_id"]
        actor = {"role": "company", "org": a}
        self.assertEqual(s.ok("complaints", "complaint.get", {"case_id": case}, actor=actor)["case_id"], case)
        s.ok("membership", "member.associates", {"covenant": "food", "org_id": a, "companies": []}, actor=SEC)
        for mtype, body in (("complaint.get", {"case_id": case}), ("complaint.messages", {"case_id": case}),
                            ("complaint.message", {"case_id": case, "text": "still here"})):
            err = s.call("complaints", mtype, body, actor=actor)["error"]
            self.assertEqual((err["code"], err["field"]), ("forbidden", "case_id"), (mtype, err))
        # The respondent itself still reads its case, and hears of it; the former association not.
        s.ok("complaints", "complaint.get", {"case_id": case}, actor={"role": "company", "org": member_co})
        s.ok("complaints", "complaint.transition", {"case_id": case, "to": "admissibility", "reason": "acknowledged"})

        def heard(org_id):
            return [i for i in s.ok("notify", "inbox.list", {"recipient": "org:" + org_id}, actor=SEC)["items"]
                    if i["type"] == "complaint.status_changed"]
        self.assertTrue(s.wait_for(lambda: heard(member_co)), s.log("notify")[-2000:])
        self.assertEqual(heard(a), [])


class CompanyThread(SharedSystem):
    SERVICES = ["membership", "complaints"]

    def test_a_company_cannot_bury_the_thread_under_its_own_messages(self):
        """complaint.message, newly open to the respondent company, took any number of its
        messages, and complaint.messages shows a case's first 1000: a company that wrote 1000
        hid every later message, the complainant's and the committee's, from every reader."""
        s = self.s
        co = company(s, "Review Flooding BV", covenant="gold")
        case = s.ok("complaints", "complaint.submit", {
            "covenant": "gold", "respondent": co, "summary": "Mercury", "description": "Mercury in the river.",
            "complainant": {"anonymous": True}}, actor=False)["case_id"]
        actor = {"role": "company", "org": co}
        # Another company's refused attempts do not use up the respondent's messages.
        other = {"role": "company", "org": company(s, "Review Bystander BV", covenant="gold")}
        for _ in range(3):
            err = s.call("complaints", "complaint.message", {"case_id": case, "text": "x"}, actor=other)["error"]
            self.assertEqual(err["code"], "forbidden")
        refused = None
        for i in range(210):
            got = s.call("complaints", "complaint.message", {"case_id": case, "text": "noise %d" % i}, actor=actor)
            if "error" in got:
                refused = (i, got["error"])
                break
        self.assertIsNotNone(refused, "210 company messages were all taken")
        self.assertEqual((refused[0], refused[1]["code"], refused[1]["field"]), (200, "too_large", "text"), refused)
        s.ok("complaints", "complaint.message", {"case_id": case, "text": "the committee asks", "to": "company"},
             actor={"role": "committee"})
        texts = [m["text"] for m in s.ok("complaints", "complaint.messages", {"case_id": case}, actor=actor)["messages"]]
        self.assertEqual((len(texts), texts[-1]), (201, "the committee asks"))


class PlanDocuments(SharedSystem):
    SERVICES = ["membership", "scoring"]

    def test_a_company_cannot_store_documents_without_bound(self):
        """submission.attach kept ten documents of 4 MiB a plan, and a company may put a plan
        for any year from 2000 to 2100: one company could store some 4 GiB in scoring's Redis
        per covenant. Now a company keeps at most 100 documents in a covenant."""
        s = self.s
        s.ok("scoring", "framework.put", FRAMEWORK, actor=MON)
        co = company(s, "Review Hoarding BV")
        actor = {"role": "company", "org": co}
        refused = None
        for n in range(110):
            year = 2030 + n // 10
            if n % 10 == 0:
                s.ok("scoring", "submission.put", {"covenant": "gold", "org_id": co, "year": year, "answers": {"a1": 1}},
                     actor=actor)
            got = s.call("scoring", "submission.attach", {"covenant": "gold", "org_id": co, "year": year,
                                                          "name": "doc%d.txt" % n, "content_type": "text/plain",
                                                          "data": b"a page of the plan\n"}, actor=actor)
            if "error" in got:
                refused = (n, got["error"])
                break
        self.assertIsNotNone(refused, "110 documents were all kept")
        self.assertEqual((refused[0], refused[1]["code"], refused[1]["field"]), (100, "too_large", "data"), refused)


class Inboxes(SharedSystem):
    SERVICES = ["membership", "complaints", "notify"]

    def test_each_role_reads_and_marks_only_its_own_inboxes(self):
        """inbox.list and inbox.mark_read let the monitoring committee (and the complaints
        committee) name any recipient: they read a company's inbox (org:X: its cases, its
        results) and the secretariat's, and marked their items read. The same went for
        subscription.put: a committee could add a webhook to a company's inbox and hear
        everything it hears."""
        s = self.s
        co = company(s, "Review Inbox BV", covenant="gold")
        case = s.ok("complaints", "complaint.submit", {
            "covenant": "gold", "respondent": co, "summary": "Dust", "description": "No masks.",
            "complainant": {"anonymous": True}}, actor=False)["case_id"]
        s.ok("complaints", "complaint.transition", {"case_id": case, "to": "admissibility", "reason": "acknowledged"})
        mine = "org:" + co
        self.assertTrue(s.wait_for(lambda: s.ok("notify", "inbox.list", {"recipient": mine}, actor=SEC)["items"]),
                        s.log("notify")[-2000:])
        first = s.ok("notify", "inbox.list", {"recipient": mine}, actor=SEC)["items"][0]["event_id"]
        committee = {"role": "committee"}
        for actor, recipient in ((MON, mine), (MON, "secretariat:gold"), (MON, "committee:gold"),
                                 (committee, mine), (committee, "secretariat:gold"), (committee, "monitoring:gold")):
            for mtype, body in (("inbox.list", {"recipient": recipient}),
                                ("inbox.mark_read", {"recipient": recipient, "event_ids": [first]}),
                                ("subscription.list", {"recipient": recipient}),
                                ("subscription.put", {"recipient": recipient, "channel": "webhook", "lang": "en",
                                                      "address": "https://attacker.example.org/hook"})):
                err = s.call("notify", mtype, body, actor=actor)["error"]
                self.assertEqual((err["code"], err["field"]), ("forbidden", "recipient"), (actor, mtype, recipient, err))
        self.assertNotIn("https://attacker.example.org/hook", str(s.ok("notify", "subscription.list",
                                                                      {"recipient": mine}, actor=SEC)))
        self.assertEqual(s.ok("notify", "inbox.list", {"recipient": mine}, actor=SEC)["unread"],
                         len(s.ok("notify", "inbox.list", {"recipient": mine}, actor=SEC)["items"]))
        # Each reads its own, as the console asks: <role>:<covenant>, a company org:<its id>;
        # the secretariat every inbox.
        for actor, recipient in ((MON, "monitoring:gold"), (committee, "committee:gold"),
                                 ({"role": "company", "org": co}, mine), (SEC, mine), (SEC, "committee:gold")):
            s.ok("notify", "inbox.list", {"recipient": recipient}, actor=actor)
        s.ok("notify", "inbox.mark_read", {"recipient": "committee:gold", "event_ids": [first]}, actor=committee)
        s.ok("notify", "inbox.mark_read", {"recipient": mine, "event_ids": [first]}, actor={"role": "company", "org": co})


class MeetingVotes(SharedSystem):
    SERVICES = ["membership"]

    def test_only_members_and_staff_read_who_voted_how(self):
        """meeting.list (any role) gave complainants and companies outside the covenant every
        general meeting's attendance and each party's vote. A covenant's general meeting is its
        members' ("Een vertegenwoordiger van uw organisatie woont de algemene vergaderingen van
        het convenant bij", seed 004); what it decided is news for all, not who voted how."""
        s = self.s
        a = member(s, "metals", "Review Voting Party BV", "party")
        b = member(s, "metals", "Review Other Party BV", "party")
        outsider = company(s, "Review Gold Only BV", covenant="gold")
        s.ok("membership", "meeting.record", {"covenant": "metals", "date": "2021-03-04", "attendees": [a, b],
                                              "votes": [{"motion": "Audit budget", "for": [a], "against": [b]}]},
             actor=SEC)
        body = {"covenant": "metals"}
        for actor in ({"role": "complainant"}, {"role": "company", "org": outsider}):
            got = [m for m in s.ok("membership", "meeting.list", body, actor=actor)["meetings"] if m["date"] == "2021-03-04"]
            self.assertEqual(len(got), 1, actor)
            self.assertNotIn("votes", got[0], actor)
            self.assertNotIn("attendees", got[0], actor)
            self.assertNotIn(a, str(got[0]), actor)
            self.assertEqual([(r["motion"], r["for"], r["against"], r["carried"]) for r in got[0]["results"]],
                             [("Audit budget", 1, 1, False)])
        for actor in (SEC, MON, {"role": "company", "org": b}):
            got = [m for m in s.ok("membership", "meeting.list", body, actor=actor)["meetings"] if m["date"] == "2021-03-04"]
            self.assertEqual(got[0]["votes"][0]["for"], [a], actor)
            self.assertEqual(sorted(got[0]["attendees"]), sorted([a, b]), actor)


class PlansOfMembers(SharedSystem):
    SERVICES = ["membership", "scoring"]

    def test_only_the_rounds_companies_put_a_plan(self):
        """submission.put took a plan from any company that named itself, member of the
        covenant or not: a company outside gold (or a supporter of it, or one that left) filed
        gold plans, and assessment.round counted them as submitted. A company joined a moment
        ago puts its plan at once (read your own writes), and so does a company a trade
        association lists."""
        s = self.s
        s.ok("scoring", "framework.put", FRAMEWORK, actor=MON)
        s.ok("scoring", "framework.put", dict(FRAMEWORK, covenant="food"), actor=MON)
        textile = company(s, "Review Textile Only BV", covenant="textile")
        supporter = company(s, "Review Gold Supporter BV", covenant="gold", role="supporter")
        former = company(s, "Review Gold Former BV", covenant="gold")
        s.ok("membership", "member.leave", {"covenant": "gold", "org_id": former})
        year = YEAR

        def plan(covenant, org_id):
            return s.call("scoring", "submission.put", {"covenant": covenant, "org_id": org_id, "year": year,
                                                        "answers": {"a1": 1}}, actor={"role": "company", "org": org_id})
        for org_id in (textile, supporter, former):
            err = plan("gold", org_id)["error"]
            self.assertEqual((err["code"], err["field"]), ("invalid_argument", "org_id"), (org_id, err))
            self.assertEqual(s.redis.cli("HEXISTS", "imvo:scoring:{gold}:sub:%d" % year, org_id).strip(), "0")
        err = s.call("scoring", "submission.put", {"covenant": "gold", "org_id": textile, "year": year,
                                                   "answers": {"a1": 1}}, actor=SEC)["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid_argument", "org_id"), err)
        # Joined a moment ago: the plan goes in at once.
        fresh = s.ok("membership", "org.register", {"name": "Review Fresh Party BV", "kind": "company",
                                                    "country": "NL"})["org_id"]
        s.ok("membership", "member.join", {"covenant": "gold", "org_id": fresh, "role": "party"})
        self.assertIn("at", plan("gold", fresh)["body"])
        # A company a trade association lists is assessed in the association's round.
        a = association(s, "food", "Review Plan Association")
        listed = org(s, "Review Listed Bakery BV")
        s.ok("membership", "member.associates", {"covenant": "food", "org_id": a, "companies": [listed]}, actor=SEC)
        self.assertIn("at", plan("food", listed)["body"])


class LocationPreviews(test_console.PortalSystem):
    SERVICES = ["complaints", "notify"]

    @classmethod
    def populate(cls):
        cls.busy = member(cls.s, "textile", "Review Busy Uploader BV", "supporter")
        cls.quiet = member(cls.s, "textile", "Review Quiet Uploader BV", "supporter")

    def preview(self, b, page, n):
        csv = ("name,address,city,country\nMill %d,Road %d,Gazipur,Bangladesh\n" % (n, n)).encode()
        r = test_console_company.CompanyConsole.upload(self, b, page, csv, covenant="textile", year=str(YEAR))
        self.assertEqual(r.status, 200, r.page[-800:])
        return r.page, re.search(r'name="kept" value="([0-9a-f]{32})"', r.page).group(1)

    def test_one_person_previewing_does_not_push_out_everyone_elses_files(self):
        """The portal keeps 32 CSV files between preview and confirm for the whole process, and a
        new preview took the oldest slot, whoever's: one company that previewed 32 times pushed
        out every other person's waiting file, whose confirm then said the file was no longer
        known. Now a person keeps at most two; a third replaces that person's oldest."""
        quiet = self.signed_in("company", org=self.quiet)
        busy = self.signed_in("company", org=self.busy)
        form = quiet.get("/staff/company/locations?covenant=textile").page
        quiet_page, quiet_token = self.preview(quiet, form, 0)
        form = busy.get("/staff/company/locations?covenant=textile").page
        busy_tokens = [self.preview(busy, form, n) for n in range(1, 34)]
        r = quiet.post("/staff/company/locations/confirm", quiet_page, kept=quiet_token)
        self.assertEqual(r.status, 303, r.page[-800:])
        # The busy person's two newest files are kept, the older ones are not.
        page, token = busy_tokens[0]
        self.assertEqual(busy.post("/staff/company/locations/confirm", page, kept=token).status, 409)
        for page, token in busy_tokens[-2:]:
            self.assertEqual(busy.post("/staff/company/locations/confirm", page, kept=token).status, 303)


if __name__ == "__main__":
    unittest.main()

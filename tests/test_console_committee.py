"""The complaints committee's console (issue 22, 1) over HTTP against the real daemons with CURVE:
/staff/committee?covenant= shows the cases by the committee's four stages with their counts and
the ended cases still without a public statement; a case's page shows the committee's decisions
(outcome and decision text) and the messages as two threads, with the complainant and with the
company; the committee decides and publishes from there, the same form sent twice changes once;
the published statement reaches the public decisions page (never the complainant's words), the
complainant's status page and inbox (complaint.published through notify) and the company's
inbox. Other roles are refused; bad input is explained and changes nothing. The browser journey
is tests/test_committee_browser.py."""
import html
import re
import unittest
import uuid

import test_console as console

COVENANTS = ["textile", "metals", "food"]


class CommitteeSystem(console.ConsoleSystem):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.committee_cert = cls.s.cert("committee-h5", "committee")
        cls.company = cls.s.company("Committee Brand BV", COVENANTS)

    def move(self, case_id, *path):
        """Moves a case along path: (to, extra fields) pairs, as the secretariat or the committee."""
        for to, extra in path:
            cert = None if to in ("admissibility", "withdrawn", "closed") else self.committee_cert
            r = self.s.call("complaints", "complaint.transition",
                            dict({"case_id": case_id, "to": to, "reason": "Reason for %s" % to}, **extra),
                            actor=False, cert=cert)
            self.assertTrue(r and r.get("ok"), r)

    def filed(self, covenant="textile", marker=None):
        """A named complaint whose summary and description carry marker: (case_id, receipt, marker)."""
        marker = marker or uuid.uuid4().hex[:8]
        body = {"covenant": covenant, "respondent": self.company, "summary": "HER SUMMARY %s" % marker,
                "description": "HER WORDS %s: the doors were locked." % marker,
                "complainant": {"anonymous": False, "name": "Rahima %s" % marker, "contact": "r@example.org",
                                "kind": "worker"}}
        got = self.s.ok("complaints", "complaint.submit", body, actor=False)
        return got["case_id"], got["receipt"], marker

    TO_RULING = [("admissibility", {}), ("response", {}), ("ruling", {})]

    def status_page(self, receipt):
        """The complainant's status page for a receipt (the public form, with its CSRF cookie)."""
        b = console.Browser(self.port)
        page = b.get("/status").page
        return b.request("POST", "/status", {"csrf": b.csrf(page), "receipt": receipt, "lang": "en"}).page

    def inbox(self, recipient):
        return self.s.ok("notify", "inbox.list", {"recipient": recipient, "limit": 100})["items"]


class CommitteeConsole(CommitteeSystem):

    def test_stages_with_counts_and_links(self):
        # food is this test's own covenant: two in admissibility, one in response, one in
        # mediation, none in ruling, one decided without a statement.
        cases = [self.filed("food")[0] for _ in range(5)]
        self.move(cases[0], ("admissibility", {}))
        self.move(cases[1], ("admissibility", {}))
        self.move(cases[2], ("admissibility", {}), ("response", {}))
        self.move(cases[3], ("admissibility", {}), ("response", {}), ("mediation", {}))
        self.move(cases[4], *self.TO_RULING, ("decided", {"outcome": "unfounded", "decision": "Not shown."}))
        b = self.signed_in(role="committee")
        home = b.get("/staff/").page
        self.assertIn('href="/staff/committee?lang=en&amp;covenant=food"', home)
        r = b.get("/staff/committee?covenant=food")
        self.assertEqual(r.status, 200, r.page[-800:])
        self.assertIn("<h1>Complaints committee: Food Products Sector Agreement</h1>", r.page)
        counts = dict(re.findall(r'id="count-([a-z]+)">(\d+)<', r.page))
        self.assertEqual(counts, {"admissibility": "2", "response": "1", "mediation": "1", "ruling": "0", "publish": "1"})
        sections = dict(re.findall(r'<section class="card" id="stage-([a-z]+)"(.*?)</section>', r.page, re.S))
        self.assertEqual(set(sections), {"admissibility", "response", "mediation", "ruling", "publish"})
        for case_id in cases[:2]:
            self.assertIn('href="/staff/case/%s?lang=en"' % case_id, sections["admissibility"])
        self.assertIn(cases[2], sections["response"])
        self.assertIn(cases[3], sections["mediation"])
        self.assertIn("No cases at this stage.", sections["ruling"])
        self.assertIn(cases[4], sections["publish"])
        # Once published, the case leaves "To publish".
        com = self.signed_in(role="committee")
        page = com.get("/staff/case/%s" % cases[4]).page
        self.assertEqual(com.post("/staff/case/%s/publish" % cases[4], page, statement="The committee found the "
                                  "complaint unfounded.").status, 303)
        page = b.get("/staff/committee?covenant=food").page
        self.assertNotIn(cases[4], page)
        self.assertIn("Nothing to publish.", page)
        self.assertIn('id="count-publish">0<', page)
        # A covenant without cases: every stage says so.
        r = b.get("/staff/committee?covenant=banking")
        self.assertEqual(r.status, 200, r.page[-400:])
        self.assertEqual(r.page.count("No cases at this stage."), 4)
        # Dutch.
        nl = b.get("/staff/committee?covenant=food&lang=nl").page
        self.assertIn("Ontvankelijkheid", nl)
        self.assertIn("Te publiceren", nl)

    def test_decide_with_outcome_and_text_once(self):
        case_id, _, marker = self.filed()
        self.move(case_id, *self.TO_RULING)
        b = self.signed_in(role="committee", name="Noor Bakker")
        page = b.get("/staff/case/%s" % case_id).page
        self.assertIn('name="outcome"', page)
        self.assertIn('id="decision"', page)
        self.assertIn('<option value="">Choose the outcome</option>', page)      # none chosen beforehand
        # Without an outcome, or without the decision's text: refused, explained, nothing changed.
        r = b.post("/staff/case/%s/transition" % case_id, page, to="decided", reason="Investigated.", outcome="",
                   decision="A text.")
        self.assertEqual(r.status, 400, r.page[-600:])
        self.assertIn("outcome", r.page)
        r = b.post("/staff/case/%s/transition" % case_id, page, to="decided", reason="Investigated.",
                   outcome="founded")
        self.assertEqual(r.status, 400, r.page[-600:])
        self.assertIn("decision", r.page)
        self.assertEqual(self.s.ok("complaints", "complaint.get", {"case_id": case_id})["status"], "ruling")
        # With outcome and text; the same form sent twice decides once.
        fields = dict(to="decided", reason="Investigated on site.", outcome="partly_founded",
                      decision="The company must unlock the fire exits within a week.")
        first = b.post("/staff/case/%s/transition" % case_id, page, **fields)
        self.assertEqual(first.status, 303, first.page[-600:])
        again = b.post("/staff/case/%s/transition" % case_id, page, **fields)
        self.assertEqual(again.status, 303, again.page[-600:])
        got = self.s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertEqual((got["status"], got["outcome"]), ("decided", "partly_founded"))
        self.assertEqual([h["to"] for h in got["history"]].count("decided"), 1)
        page = b.get("/staff/case/%s" % case_id).page
        decisions = re.search(r'<section class="card" aria-labelledby="h-decisions">(.*?)</section>', page, re.S).group(1)
        for text in ("Admissibility → Company response", "Company response → Ruling", "Ruling → Decided",
                     "Partly founded", "The company must unlock the fire exits within a week.", "Investigated on site."):
            self.assertIn(html.escape(text, quote=False), decisions)
        # Decided: the form for the public statement, and no more message forms.
        self.assertIn('action="/staff/case/%s/publish"' % case_id, page)
        self.assertNotIn('action="/staff/case/%s/message"' % case_id, page)

    def test_messages_in_two_threads(self):
        case_id, receipt, _ = self.filed()
        self.move(case_id, ("admissibility", {}), ("response", {}))
        b = self.signed_in(role="committee")
        page = b.get("/staff/case/%s" % case_id).page
        self.assertEqual(b.post("/staff/case/%s/message" % case_id, page, to="company",
                                text="FOR THE COMPANY: please send the inspection report.").status, 303)
        page = b.get("/staff/case/%s" % case_id).page
        # The same form sent twice (a double click) sends one message.
        for _ in range(2):
            self.assertEqual(b.post("/staff/case/%s/message" % case_id, page, to="complainant",
                                    text="FOR HER: we asked the company for a report.").status, 303)
        self.s.ok("complaints", "complaint.message", {"receipt": receipt, "text": "FROM HER: thank you."}, actor=False)
        page = b.get("/staff/case/%s" % case_id).page
        threads = dict(re.findall(r'<section class="card" id="thread-([a-z]+)"(.*?)</section>', page, re.S))
        self.assertIn("FOR THE COMPANY", threads["company"])
        self.assertNotIn("FOR HER", threads["company"])
        self.assertNotIn("FROM HER", threads["company"])
        self.assertIn("FOR HER", threads["complainant"])
        self.assertIn("FROM HER", threads["complainant"])
        self.assertEqual(threads["complainant"].count("FOR HER"), 1)
        self.assertNotIn("FOR THE COMPANY", threads["complainant"])
        self.assertIn("Messages with the company", threads["company"])
        # imvoctl names each message's thread for staff.
        out = self.s.imvoctl("--cert", self.committee_cert, "complaint", "messages", case_id)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertTrue(any("AUDIENCE" in l for l in lines), out.stdout)
        self.assertTrue(any("company" in l and "FOR THE COMPANY" in l for l in lines), out.stdout)
        self.assertTrue(any("complainant" in l and "FOR HER" in l for l in lines), out.stdout)
        # The complainant's status page shows her thread only.
        status = self.status_page(receipt)
        self.assertIn("FOR HER", status)
        self.assertNotIn("FOR THE COMPANY", status)

    def test_publish_reaches_public_page_status_page_and_inboxes(self):
        case_id, receipt, marker = self.filed()
        self.move(case_id, *self.TO_RULING, ("decided", {"outcome": "founded",
                                                         "decision": "DECISION TEXT %s quoting her" % marker}))
        b = self.signed_in(role="committee")
        page = b.get("/staff/case/%s" % case_id).page
        statement = "The committee found that fire exits were locked (%s); the company unlocked them." % case_id
        r = b.post("/staff/case/%s/publish" % case_id, page, statement=statement)
        self.assertEqual(r.status, 303, r.page[-600:])
        again = b.post("/staff/case/%s/publish" % case_id, page, statement=statement)
        self.assertEqual(again.status, 303)
        public = console.Browser(self.port).get("/decisions/textile").page
        self.assertIn(html.escape(statement, quote=False), public)
        for hers in ("HER SUMMARY", "HER WORDS", "DECISION TEXT", "Rahima"):
            self.assertNotIn("%s %s" % (hers, marker) if hers != "Rahima" else "Rahima %s" % marker, public)
        # The complainant's status page shows the statement.
        status = self.status_page(receipt)
        self.assertIn("The committee&#39;s public statement", status.replace("&#x27;", "&#39;").replace("'", "&#39;"))
        self.assertIn(html.escape(statement, quote=False), status)
        self.assertIn("Decided: founded", status)
        history = re.search(r"<h2>History</h2><ol class=\"history\">(.*?)</ol>", status, re.S).group(1)
        self.assertIn("The committee&#39;s public statement", history.replace("'", "&#39;"))
        self.assertNotIn("Uitspraak in klacht", history)         # nothing in another language than the page's
        # complaint.published through notify: the complainant's inbox (by receipt), the company's.
        def published(items):
            return [i for i in items if i.get("type") == "complaint.published" and case_id in str(i)]
        theirs = self.s.wait_for(lambda: published(self.s.ok("notify", "inbox.by_receipt", {"receipt": receipt},
                                                              actor=False)["items"]))
        self.assertEqual(len(theirs), 1, theirs)          # the form sent twice: one event
        self.assertTrue(self.s.wait_for(lambda: published(self.inbox("org:%s" % self.company))))
        self.assertIn(statement, str(published(self.inbox("org:%s" % self.company))))

    def test_roles_refused(self):
        case_id, _, _ = self.filed()
        self.move(case_id, *self.TO_RULING, ("decided", {"outcome": "unfounded", "decision": "No."}))
        for role, org in (("secretariat", None), ("monitoring", None), ("company", self.company)):
            b = self.signed_in(role=role, org=org)
            r = b.get("/staff/committee?covenant=textile")
            self.assertEqual(r.status, 403, (role, r.page[-400:]))
            self.assertIn("complaints committee", r.page)
            self.assertNotIn('href="/staff/committee', b.get("/staff/").page)
        # The secretariat sees no form to publish, and posting one is refused with nothing published.
        sec = self.signed_in(role="secretariat")
        page = sec.get("/staff/case/%s" % case_id).page
        self.assertNotIn('action="/staff/case/%s/publish"' % case_id, page)
        r = sec.post("/staff/case/%s/publish" % case_id, page, statement="Not ours to publish.")
        self.assertEqual(r.status, 403, r.page[-400:])
        self.assertNotIn("statement", self.s.ok("complaints", "complaint.get", {"case_id": case_id}))

    def test_bad_input_explained_and_nothing_changed(self):
        b = self.signed_in(role="committee")
        r = b.get("/staff/committee?covenant=NOT%20ONE")
        self.assertEqual(r.status, 400)
        self.assertIn("No such covenant", r.page)
        r = b.get("/staff/committee?covenant=nosuchcovenant")
        self.assertEqual(r.status, 404)
        self.assertIn("No such covenant", r.page)
        r = b.get("/staff/committee")
        self.assertEqual(r.status, 200)
        self.assertIn('<select id="covenant" name="covenant">', r.page)
        # A statement of white space, and one on a case still open: explained, nothing published.
        case_id, _, _ = self.filed()
        self.move(case_id, *self.TO_RULING)
        page = b.get("/staff/case/%s" % case_id).page
        r = b.post("/staff/case/%s/publish" % case_id, page, statement="An early statement.")
        self.assertEqual(r.status, 409, r.page[-400:])
        self.assertIn("only a decided, settled or inadmissible case", r.page)
        self.move(case_id, ("decided", {"outcome": "founded", "decision": "Yes."}))
        page = b.get("/staff/case/%s" % case_id).page
        r = b.post("/staff/case/%s/publish" % case_id, page, statement=" \n ")
        self.assertEqual(r.status, 400, r.page[-400:])
        self.assertIn("statement", r.page)
        r = b.post("/staff/case/%s/publish" % case_id, page, statement="")
        self.assertEqual(r.status, 400)
        self.assertIn("Please fill in: the statement", r.page)
        self.assertIn("Nothing was changed.", r.page)
        self.assertNotIn("statement", self.s.ok("complaints", "complaint.get", {"case_id": case_id}))
        # An outcome that is not one: refused, the case stays in ruling.
        other, _, _ = self.filed()
        self.move(other, *self.TO_RULING)
        page = b.get("/staff/case/%s" % other).page
        r = b.post("/staff/case/%s/transition" % other, page, to="decided", reason="R.", outcome="maybe",
                   decision="Text.")
        self.assertEqual(r.status, 400, r.page[-400:])
        self.assertIn("outcome", r.page)
        self.assertEqual(self.s.ok("complaints", "complaint.get", {"case_id": other})["status"], "ruling")


if __name__ == "__main__":
    unittest.main()

"""The secretariat's dates in the console (issue 23, items 1 and 3), over HTTP against the real
daemons with CURVE: the members page joins an organisation with its real signing date and
source; /staff/terms shows the covenants' terms and records an extension or the end
(covenant.term_record; the same form twice changes once); /staff/disclosures shows who disclosed
for the 4 July list and who is overdue. Other roles are refused; bad input is explained."""
import datetime
import re
import unittest
import uuid

from harness import register
from test_console import PortalSystem

YEAR = datetime.datetime.now(datetime.timezone.utc).year


class TermsSystem(PortalSystem):
    """membership and notify with CURVE, and a portal (tests/test_terms_browser.py uses it too)."""
    SERVICES, CURVE = ["membership", "notify"], True

    def org(self, name):
        return register(self.s, name)


class TermsConsole(TermsSystem):

    def test_join_with_the_real_signing_date_and_source(self):
        b = self.signed_in()
        o = self.org("Console Signed 2016 %s BV" % uuid.uuid4().hex[:4])
        page = b.get("/staff/members?covenant=textile").page
        self.assertIn('name="since"', page)
        r = b.post("/staff/members/join", page, covenant="textile", org_id=o, role="supporter", since="2016-09-01",
                   source="SER signing list 2016")
        self.assertEqual(r.status, 303, r.page)
        got = self.s.ok("membership", "member.get", {"covenant": "textile", "org_id": o})
        self.assertEqual((got["since"], got["source"]), ("2016-09-01", "SER signing list 2016"))
        # A future date is explained and nothing changes.
        o2 = self.org("Console Future %s BV" % uuid.uuid4().hex[:4])
        page = b.get("/staff/members?covenant=textile").page
        r = b.post("/staff/members/join", page, covenant="textile", org_id=o2, role="supporter", since="2999-01-01",
                   source="x")
        self.assertEqual(r.status, 400, r.page)
        self.assertIn("future", r.page)
        self.assertFalse(self.s.call("membership", "member.get", {"covenant": "textile", "org_id": o2})["ok"])

    def test_terms_page_records_an_extension_once(self):
        b = self.signed_in()
        # The home page says how many run-out terms wait for a record (gold's and metals').
        home = b.get("/staff/").page
        self.assertRegex(home, r'id="terms-due">[12] to record<')
        page = b.get("/staff/terms").page
        self.assertIn("2017-06-19", page)                   # gold's start
        self.assertIn('id="state-gold"', page)
        self.assertNotIn('id="state-textile"', page)         # the seeds give textile no term
        key = b.form_key(page, "/staff/terms/record", {"covenant": "gold"})
        fields = dict(covenant="gold", decision="extended", until="2031-06-19", source="minutes 2022", idem=key)
        self.assertEqual(b.post("/staff/terms/record", page, **fields).status, 303)
        self.assertEqual(b.post("/staff/terms/record", page, **fields).status, 303)
        history = self.s.redis.cli("LLEN", "imvo:membership:{gold}:term:history")
        self.assertEqual(history.strip(), "1")
        page = b.get("/staff/terms").page
        self.assertIn("2031-06-19", page)
        self.assertIn("minutes 2022", page)
        # Bad input: an extension without its date is explained.
        r = b.post("/staff/terms/record", page, covenant="metals", decision="extended", until="", source="x")
        self.assertEqual(r.status, 400, r.page)
        self.assertIn("until", r.page)

    def test_disclosures_page_shows_who_is_overdue(self):
        """1 June has passed on the daemon's clock: a textile company that signed in 2016 and has
        not disclosed for this year is overdue."""
        o = self.org("Console Overdue %s BV" % uuid.uuid4().hex[:4])
        self.s.ok("membership", "member.join", {"covenant": "textile", "org_id": o, "role": "party",
                                                "since": "2016-09-01", "source": "test"})
        b = self.signed_in()
        page = b.get("/staff/locations?covenant=textile").page
        self.assertIn('href="/staff/disclosures?lang=en&amp;covenant=textile"', page)
        r = b.get("/staff/disclosures?covenant=textile&year=%d" % YEAR)
        self.assertEqual(r.status, 200, r.page)
        self.assertIn("%d-06-01" % YEAR, r.page)
        row = re.search(r"<tr><th scope=\"row\">Console Overdue.*?</tr>", r.page, re.S)
        self.assertTrue(row, r.page)
        self.assertIn('class="late">overdue<', row.group(0))
        r = b.get("/staff/disclosures?covenant=gold")
        self.assertEqual(r.status, 409, r.page)

    def test_other_roles_are_refused(self):
        o = self.org("Console Company %s BV" % uuid.uuid4().hex[:4])
        b = self.signed_in("company", org=o)
        self.assertEqual(b.get("/staff/terms").status, 403)
        self.assertEqual(b.get("/staff/disclosures?covenant=textile").status, 403)


if __name__ == "__main__":
    unittest.main()

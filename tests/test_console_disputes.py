"""Filing a dispute in the console (/staff/disputes) over HTTP against the real daemons with
CURVE: seed 001's "Onafhankelijke klachten- en geschillenmechanisme" is for disputes between
parties too. A party's person files one against another party of its covenant, chosen by name;
the secretariat files one for a party; the case's id and page follow, and the claimant party
finds its open disputes again. What is wrong is said beside its field with everything typed
kept, and changes nothing; the same form twice files once. The browser journey is
tests/test_disputes_browser.py."""
import re
import unittest
import urllib.parse

import test_console
from harness import member

GESCHILLEN = "Onafhankelijke klachten- en geschillenmechanisme ingesteld en procedures gepubliceerd"


class DisputesSystem(test_console.PortalSystem):
    """Three parties and a supporter of textile, and how a party files (the browser journey,
    test_disputes_browser, starts from here too)."""

    @classmethod
    def populate(cls):
        s = cls.s
        cls.ngo = member(s, "textile", "Schone Kleren Campagne NGO", kind="ngo")
        cls.brand = member(s, "textile", "Dispute Brand BV", kind="company")
        cls.union = member(s, "textile", "Textile Union FNV", kind="union")
        cls.supporter = s.company("Supporter Only BV", ["textile"])
        for org in (cls.ngo, cls.brand, cls.union):
            assert s.wait_for(lambda: s.redis.cli("HEXISTS", "imvo:complaints:{textile}:members", org).strip() == "1")

    def party(self, org, lang="en"):
        return self.signed_in("company", org, lang=lang, name="Eva de Vries")

    def form(self, b, page, **fields):
        body = dict({"covenant": "textile", "respondent": self.brand, "summary": "The audit reports were not shared",
                     "description": "The agreed audit reports of 2025 were not delivered to the working group.",
                     "name": "Eva de Vries", "contact": "eva@example.org"}, **fields)
        return b.post("/staff/disputes/file", page, **body)

    def filed(self, r):
        self.assertEqual(r.status, 303, r.page[-1500:] + self.log_tail())
        location = r.getheader("Location")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
        return location, query["filed"][0]


class DisputesConsole(DisputesSystem):

    def test_a_party_files_a_dispute_and_follows_it(self):
        """Seed 001: "klachten- en geschillenmechanisme": a party files a dispute against
        another party in the console, by name, and finds the case again."""
        self.assertIn("geschillenmechanisme", GESCHILLEN)
        b = self.party(self.ngo)
        home = b.get("/staff/").page
        self.assertIn('href="/staff/disputes?lang=en" id="disputes"', home)
        page = b.get("/staff/disputes?covenant=textile").page
        # The other parties by name; not itself, not a supporter.
        select = re.search(r'<select id="respondent".*?</select>', page, re.S).group(0)
        self.assertIn(">Dispute Brand BV</option>", select)
        self.assertIn(">Textile Union FNV</option>", select)
        self.assertNotIn(self.ngo, select)
        self.assertNotIn(self.supporter, select)
        self.assertIn("Schone Kleren Campagne NGO", page)              # the claimant, by name
        self.assertNotIn('id="claimant_org"', page)                    # a company files for itself only
        r = self.form(b, page)
        location, case = self.filed(r)
        shown = b.get(location).page
        self.assertIn(case, shown)
        # Only a case id makes the notice: not words a link made elsewhere puts in the URL.
        self.assertNotIn('id="filed"', b.get("/staff/disputes?filed=Pay+us+first").page)
        self.assertIn('href="/staff/case/%s?lang=en"' % case, shown)
        got = self.s.ok("complaints", "complaint.get", {"case_id": case})
        self.assertEqual((got["kind"], got["claimant_org"], got["respondent"], got["status"]),
                         ("dispute", self.ngo, self.brand, "received"))
        # The same form again (a double-click, a reload): the same case.
        self.assertEqual(self.filed(self.form(b, page))[1], case)
        # The claimant follows it: its page of disputes lists it, and the case opens.
        self.assertTrue(self.s.wait_for(lambda: case in b.get("/staff/disputes").page), self.log_tail())
        listed = b.get("/staff/disputes").page
        self.assertIn('against <span title="%s">Dispute Brand BV</span>' % self.brand,
                      re.search(r'<ul id="disputes">.*?</ul>', listed, re.S).group(0))
        own = b.get("/staff/case/%s" % case)
        self.assertEqual(own.status, 200, own.page[-800:])
        self.assertIn("The audit reports were not shared", own.page)
        self.assertIn("<h1>Dispute %s</h1>" % case, own.page)
        self.assertIn('<dt>Claimant party</dt><dd><span title="%s">Schone Kleren Campagne NGO</span>'
                      ' (your organisation)</dd><dt>Respondent party</dt>'
                      '<dd><span title="%s">Dispute Brand BV</span></dd>'
                      % (self.ngo, self.brand), own.page)
        # Not as a complaint against itself on its home page; the respondent sees it there.
        self.assertNotIn(case, b.get("/staff/").page)
        other = self.party(self.brand)
        self.assertTrue(self.s.wait_for(lambda: case in other.get("/staff/").page))
        self.assertNotIn(case, other.get("/staff/disputes").page)

    def test_the_secretariat_files_for_a_party(self):
        sec = self.signed_in()
        home = sec.get("/staff/").page
        self.assertIn('href="/staff/disputes?lang=en&amp;covenant=textile"', home)
        page = sec.get("/staff/disputes?covenant=textile").page
        claimant = re.search(r'<select id="claimant_org".*?</select>', page, re.S).group(0)
        self.assertIn(">Textile Union FNV</option>", claimant)
        self.assertNotIn(self.supporter, claimant)
        r = self.form(sec, page, claimant_org=self.union, summary="The covenant's wage agreement is not kept")
        location, case = self.filed(r)
        shown = sec.get(location).page
        self.assertIn('href="/staff/case/%s?lang=en"' % case, shown)
        self.assertEqual(sec.get("/staff/case/%s" % case).status, 200)
        got = self.s.ok("complaints", "complaint.get", {"case_id": case})
        self.assertEqual((got["claimant_org"], got["respondent"]), (self.union, self.brand))
        # The claimant party finds it too.
        union = self.party(self.union)
        self.assertTrue(self.s.wait_for(lambda: case in union.get("/staff/disputes").page))

    def test_wrong_input_is_named_at_its_field_and_kept(self):
        sec = self.signed_in()
        page = sec.get("/staff/disputes?covenant=textile").page
        before = self.s.redis.cli("GET", "imvo:complaints:{textile}:seq:%s" % test_console.time.gmtime().tm_year)
        typed = "Nothing of this may get lost: the reports of 2025 & <2026>."
        # Missing: the subject.
        r = self.form(sec, page, claimant_org=self.ngo, summary="", description=typed)
        self.assertEqual(r.status, 400, r.page[-800:])
        self.assertIn('href="#summary">Fill in the subject.', r.page)
        self.assertIn('id="summary" name="summary" required maxlength="200" aria-invalid="true" '
                      'aria-describedby="summary-error"', r.page)
        self.assertIn("the reports of 2025 &amp; &lt;2026&gt;.</textarea>", r.page)
        self.assertIn('<option value="%s" selected>' % self.ngo, r.page)
        # The same party twice.
        r = self.form(sec, page, claimant_org=self.brand, respondent=self.brand, description=typed)
        self.assertEqual(r.status, 400, r.page[-800:])
        self.assertIn('id="respondent-error"', r.page)
        self.assertIn("choose another party than the claimant", r.page)
        # Not a party (a supporter): complaints refuses, named at the field, nothing lost.
        r = self.form(sec, page, claimant_org=self.ngo, respondent=self.supporter, description=typed)
        self.assertEqual(r.status, 400, r.page[-800:])
        self.assertIn('id="respondent-error"', r.page)
        self.assertIn("must be current parties", r.page)
        self.assertIn("the reports of 2025 &amp; &lt;2026&gt;.</textarea>", r.page)
        self.assertIn("The dispute was not filed; nothing was changed.", r.page)
        # A company cannot file for another: the claimant is its own org whatever is posted.
        b = self.party(self.ngo)
        mine = b.get("/staff/disputes").page
        r = self.form(b, mine, claimant_org=self.union, respondent=self.ngo)
        self.assertEqual(r.status, 400, r.page[-800:])
        self.assertIn('id="respondent-error"', r.page)
        after = self.s.redis.cli("GET", "imvo:complaints:{textile}:seq:%s" % test_console.time.gmtime().tm_year)
        self.assertEqual(before, after)                             # nothing was filed

    def test_who_may_file(self):
        committee = self.signed_in("committee")
        self.assertEqual(committee.get("/staff/disputes").status, 403)
        supporter = self.party(self.supporter)
        page = supporter.get("/staff/disputes").page
        self.assertIn('id="no-covenant"', page)
        self.assertNotIn('action="/staff/disputes/file"', page)

    def test_the_error_box_links_only_to_a_field_on_the_page(self):
        # A company no longer a party posts the form it had: complaints refuses its claimant,
        # shown at the respondent, but its page has no form; the box linked to #respondent.
        b = self.party(self.supporter)
        page = b.get("/staff/disputes").page
        r = self.form(b, page)
        self.assertEqual(r.status, 400, r.page[-800:])
        self.assertIn('id="no-covenant"', r.page)
        self.assertNotIn('id="respondent"', r.page)
        box = re.search(r'<div class="error" role="alert" id="form-error">.*?</div>', r.page, re.S).group(0)
        self.assertIn("must be current parties", box)
        self.assertNotIn("<a ", box)
        # A field the page has is still linked (test_wrong_input_is_named_at_its_field_and_kept).

    def test_hostile_names_and_bytes(self):
        """Organisation names are the companies' own words: every page that shows them escapes
        them. Hostile form input (overlong, invalid UTF-8, a line break in a line, a NUL, a foreign
        or missing CSRF token, a key used again with other words) files nothing and is named at its
        field, or refused whole."""
        evil = member(self.s, "textile", 'Evil <img src=x onerror=alert(1)> & "Co"', kind="company")
        assert self.s.wait_for(lambda: self.s.redis.cli("HEXISTS", "imvo:complaints:{textile}:members", evil).strip() == "1")
        raw, escaped = "<img src=x", "Evil &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;"
        b = self.party(evil)
        sec = self.signed_in()
        # (The portal keeps a covenant's member list for a second.)
        self.assertTrue(self.s.wait_for(lambda: escaped in sec.get("/staff/disputes?covenant=textile").page))
        page = b.get("/staff/disputes?covenant=textile").page
        self.assertIn("<strong>%s</strong>" % escaped, page)            # the claimant, its own name
        r = self.form(b, page, summary="Hostile names are escaped")
        location, case = self.filed(r)
        pages = {
            "disputes (party)": lambda: b.get("/staff/disputes").page,
            "home (party)": lambda: b.get("/staff/").page,
            "case (party)": lambda: b.get("/staff/case/%s" % case).page,
            "case (respondent)": lambda: self.party(self.brand).get("/staff/case/%s" % case).page,
            "disputes (secretariat)": lambda: sec.get("/staff/disputes?covenant=textile").page,
            "queue": lambda: sec.get("/staff/cases?covenant=textile").page,
            "queue of all": lambda: sec.get("/staff/cases").page,
            "case (secretariat)": lambda: sec.get("/staff/case/%s" % case).page,
            "committee": lambda: self.signed_in("committee").get("/staff/committee?covenant=textile").page,
            "meetings": lambda: sec.get("/staff/meetings?covenant=textile").page,
            "collective": lambda: sec.get("/staff/collective?covenant=textile").page,
            "members": lambda: sec.get("/staff/members?covenant=textile").page,
        }
        self.assertTrue(self.s.wait_for(lambda: case in b.get("/staff/disputes").page), self.log_tail())
        for name, get in pages.items():
            shown = get()
            self.assertNotIn(raw, shown, name)
            if name not in ("queue of all", "committee"):                  # (those name the respondent only)
                self.assertIn(escaped, shown, name)
        # Hostile bytes: each named at its field, nothing filed.
        sec_page = sec.get("/staff/disputes?covenant=textile").page
        seq = "imvo:complaints:{textile}:seq:%s" % test_console.time.gmtime().tm_year
        before = self.s.redis.cli("GET", seq)
        for field, value in (("summary", "x" * 201), ("description", "y" * 20001), ("name", "n" * 201),
                             ("contact", "c" * 201), ("summary", "two\nlines"), ("summary", b"bad \xff\xfe utf-8"),
                             ("name", b"bad \xc3 utf-8"), ("summary", "nul \x00 cut"), ("description", "nul \x00 cut")):
            r = sec.request("POST", "/staff/disputes/file", {
                "covenant": "textile", "claimant_org": self.ngo, "respondent": self.brand, "summary": "A subject",
                "description": "A description.", "name": "Eva de Vries", "contact": "eva@example.org",
                field: value, "csrf": sec.csrf(sec_page), "lang": "en"})
            self.assertEqual(r.status, 400, (field, value, r.page[-800:]))
            self.assertIn('id="%s-error"' % field, r.page, (field, value))
        self.assertEqual(before, self.s.redis.cli("GET", seq))
        # Not a party (a supporter posting the form all the same), not a party's person: refused.
        supporter = self.party(self.supporter)
        r = self.form(supporter, supporter.get("/staff/").page, respondent=self.brand)
        self.assertEqual(r.status, 400, r.page[-800:])
        self.assertIn("must be current parties", r.page)
        committee = self.signed_in("committee")
        self.assertEqual(self.form(committee, committee.get("/staff/").page, claimant_org=self.ngo).status, 403)
        # A missing or another person's token: 403, nothing filed.
        other = self.signed_in()
        for token in ("", other.csrf(other.get("/staff/disputes?covenant=textile").page)):
            r = sec.request("POST", "/staff/disputes/file", {
                "covenant": "textile", "claimant_org": self.ngo, "respondent": self.brand, "summary": "Forged",
                "description": "Forged.", "name": "X", "contact": "x@example.org", "csrf": token, "lang": "en"})
            self.assertEqual(r.status, 403, r.page[-800:])
        self.assertEqual(before, self.s.redis.cli("GET", seq))
        # The same key with other words: refused (409), not the first case's reply nor a new case.
        key = sec.form_key(sec_page, "/staff/disputes/file")
        first = self.filed(self.form(sec, sec_page, claimant_org=self.ngo, summary="Keyed once", idem=key))[1]
        r = self.form(sec, sec_page, claimant_org=self.ngo, summary="Keyed twice", idem=key)
        self.assertEqual(r.status, 409, r.page[-800:])
        self.assertNotIn(first, r.page)

    def test_parties_of_one_name_are_told_apart(self):
        """A company chooses its own name (org.update) and may take another party's: where a
        person chooses a party by its name, two of one name carry their ids, so that nobody files
        against (or for) the wrong one."""
        one = member(self.s, "textile", "Twin Name BV", kind="company")
        two = member(self.s, "textile", "Twin Name BV", kind="ngo")
        sec = self.signed_in()
        # (The portal keeps a covenant's member list for a second.)
        self.assertTrue(self.s.wait_for(lambda: two in sec.get("/staff/disputes?covenant=textile").page))
        page = sec.get("/staff/disputes?covenant=textile").page
        for select in ("claimant_org", "respondent"):
            options = re.search(r'<select id="%s".*?</select>' % select, page, re.S).group(0)
            self.assertIn('<option value="%s">Twin Name BV (%s)</option>' % (one, one), options)
            self.assertIn('<option value="%s">Twin Name BV (%s)</option>' % (two, two), options)
            self.assertIn(">Dispute Brand BV</option>", options)          # a name of its own: no id
        queue = sec.get("/staff/cases?covenant=textile").page               # the queue's company filter
        self.assertIn('<option value="%s">Twin Name BV (%s)</option>' % (one, one), queue)
        party = self.party(self.ngo).get("/staff/disputes").page
        self.assertIn('<option value="%s">Twin Name BV (%s)</option>' % (two, two), party)
        # The meetings page: a representative, the attendance and a vote for each party by name.
        meetings = sec.get("/staff/meetings?covenant=textile").page
        self.assertIn("<legend>Twin Name BV (%s)</legend>" % one, meetings)
        self.assertIn("<legend>Twin Name BV (%s)</legend>" % two, meetings)
        self.assertIn("<legend>Dispute Brand BV</legend>", meetings)
        self.assertEqual(len(re.findall(r'<label for="(?:rep|att)-\d+">Twin Name BV \(%s\)' % one, meetings)), 2)

    def test_a_case_without_its_company_costs_no_look_up(self):
        """staff_orgs.c asks member.associated only for an org the member list lacks: a complaint
        whose company is not known yet (respondent "") is no org, and the queue showing it asks
        membership nothing more."""
        self.s.ok("complaints", "complaint.submit", {
            "covenant": "textile", "summary": "Which company? Not known yet", "description": "A mail without a company.",
            "complainant": {"anonymous": True}}, actor=False)
        sec = self.signed_in()
        self.assertTrue(self.s.wait_for(lambda: "Not known yet" in sec.get("/staff/cases?covenant=textile").page))

        def asked():
            return self.s.ok("membership", "stats", {})["types"].get("member.associated", 0)
        before = asked()
        for _ in range(3):
            self.assertIn("Not known yet", sec.get("/staff/cases?covenant=textile").page)
        self.assertEqual(asked(), before)

    def test_dutch_page(self):
        b = self.party(self.ngo, lang="nl")
        page = b.get("/staff/disputes").page
        self.assertIn("Een geschil indienen", page)
        self.assertIn("De andere partij (verweerder)", page)
        self.assertIn("Geschil indienen</button>", page)


if __name__ == "__main__":
    unittest.main()

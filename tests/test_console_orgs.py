"""Organisations on the console's pages (services/portal/staff_orgs.c) over HTTP against the real
daemons with CURVE: two organisations of a covenant with the same name do not look the same in
the secretariat's queue (/staff/cases) or on a case's page: each gets its id after the name, as
the selects already had it; a name no other org bears is shown without its id."""
import re
import time
import unittest
import uuid

import test_console as console


class OrgNames(console.ConsoleSystem):

    @classmethod
    def populate(cls):
        super().populate()
        cls.twins = [cls.s.company("Twin Mills BV", ["textile"]) for _ in range(2)]

    def submit(self, respondent, summary):
        body = {"covenant": "textile", "respondent": respondent, "summary": summary,
                "description": "Wages paid late.", "complainant": {"anonymous": True}}
        return self.s.ok("complaints", "complaint.submit", body, actor=False)["case_id"]

    def test_a_shared_name_gets_the_org_id_after_it(self):
        # Before, both rows read "Twin Mills BV", the id only in a hover text.
        word = uuid.uuid4().hex[:8]
        cases = [self.submit(org, "Twin %s %d" % (word, i)) for i, org in enumerate(self.twins)]
        own = self.submit(self.brand, "Twin %s brand" % word)
        time.sleep(1.1)             # the portal keeps a covenant's member list for a second
        b = self.signed_in("secretariat")
        for path in ("/staff/cases?covenant=textile&q=%s" % word, "/staff/cases"):
            page = b.get(path).page
            for case, org in zip(cases, self.twins):
                row = re.search(r"<tr>(?:(?!</tr>).)*%s(?:(?!</tr>).)*</tr>" % case, page, re.S)
                self.assertIsNotNone(row, path)
                self.assertIn('<span title="%s">Twin Mills BV</span> (%s)' % (org, org), row.group(0), path)
            row = re.search(r"<tr>(?:(?!</tr>).)*%s(?:(?!</tr>).)*</tr>" % own, page, re.S).group(0)
            self.assertIn('<span title="%s">Console Brand BV</span><' % self.brand, row, path)
        for case, org in zip(cases, self.twins):
            page = b.get("/staff/case/%s" % case).page
            self.assertIn('<span title="%s">Twin Mills BV</span> (%s)' % (org, org), page)
        page = b.get("/staff/case/%s" % own).page
        self.assertNotIn("Console Brand BV</span> (", page)


if __name__ == "__main__":
    unittest.main()

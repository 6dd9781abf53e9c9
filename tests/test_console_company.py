"""The company's console (/staff/company/ and a company's case page) over HTTP against the real
daemons with CURVE (the portal a gateway; a company person's actor is role company with its own
org): the home page (inbox, open cases), responding and writing on its case, the year's action
plan against the framework, the results and an appeal within the four weeks, the locations CSV
with its preview before anything is written, webhook and e-mail subscriptions with a secret,
memberships with this year's contribution, and the company's admin making its accounts. A
company cannot see another company's plan, result or case by guessing URLs, nor by asking the
daemons directly; forms change things once; bad input is explained and changes nothing. The
browser journey is tests/test_company_browser.py."""
import json
import os
import re
import time
import unittest
import uuid

import test_console
from test_console import Browser

YEAR = time.gmtime().tm_year
# Parts A (60 %) and B (40 %); due on 31 December, so this year's plan is on time.
FRAMEWORK = {"covenant": "gold", "version": 1, "due": "12-31", "name": "company console framework",
             "parts": [{"code": "a", "name": "Risk analysis", "weight": 60,
                        "criteria": [{"id": "a1", "text": "Supply chain mapped", "max": 4},
                                     {"id": "a2", "text": "Risks prioritised", "max": 6}]},
                       {"code": "b", "name": "Remedy", "weight": 40,
                        "criteria": [{"id": "b1", "text": "Grievance mechanism", "max": 5}]}],
             "bands": [{"code": "low", "min": 0}, {"code": "mid", "min": 40}, {"code": "high", "min": 70}]}
SECRET_URL = "https://other.example.org/secret-plan-%s" % uuid.uuid4().hex[:8]


def multipart(fields, file_field, filename, content, ctype="text/csv"):
    """A multipart/form-data body (fields first: the CSRF token before the file) and its type."""
    boundary = "----imvo%s" % uuid.uuid4().hex
    out = []
    for k, v in fields.items():
        out.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, k, v)).encode())
    out.append(('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: %s\r\n\r\n'
                % (boundary, file_field, filename, ctype)).encode() + content + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=%s" % boundary


class CompanyConsole(test_console.ConsoleSystem):

    @classmethod
    def setUpClass(cls):
        s = test_console.System(["complaints", "notify", "scoring"], curve=True).__enter__()
        cls.s = s
        cls.mon = s.cert("monitoring", "monitoring")
        cls.committee = s.cert("committee", "committee")
        cls.brand = s.company("Plan Brand BV", ["textile"])
        cls.other = s.company("Other Plan BV", ["textile"])
        cls.brand_cert = s.cert("brand", "company", cls.brand)
        cls.other_cert = s.cert("other", "company", cls.other)
        for org in (cls.brand, cls.other):
            s.ok("membership", "member.join", {"covenant": "gold", "org_id": org, "role": "party"})
        s.ok("scoring", "framework.put", FRAMEWORK, cert=cls.mon)
        s.ok("scoring", "submission.put", {"covenant": "gold", "org_id": cls.brand, "year": YEAR,
                                           "answers": {"a1": 2, "a2": 3, "b1": 5}})
        s.ok("scoring", "submission.put", {"covenant": "gold", "org_id": cls.other, "year": YEAR,
                                           "answers": {"a1": 4, "a2": 6, "b1": 0}, "public_report_url": SECRET_URL})
        s.ok("scoring", "assessment.start", {"covenant": "gold", "year": YEAR}, cert=cls.mon)
        rid = "gold-%d" % YEAR
        assert s.wait_for(lambda: s.ok("scoring", "assessment.get", {"round_id": rid}, cert=cls.mon)["status"]
                          == "completed", timeout=20), s.log("scoring")
        cls.logpath = s.workdir + "/portal.log"
        cls.portal, cls.port = test_console.start_portal(s, cls.logpath)

    def case_in_response(self, respondent=None, summary="Unpaid overtime"):
        body = {"covenant": "textile", "respondent": respondent or self.brand, "summary": summary,
                "description": "Overtime was not paid for three months.", "complainant": {"anonymous": True}}
        case = self.s.ok("complaints", "complaint.submit", body, actor=False)["case_id"]
        self.s.ok("complaints", "complaint.transition", {"case_id": case, "to": "admissibility", "reason": "Received"})
        self.s.ok("complaints", "complaint.transition", {"case_id": case, "to": "response", "reason": "Admissible"},
                  cert=self.committee)
        return case

    def company(self, org=None, admin=False):
        """A signed-in person of the company (its administrator when admin)."""
        user = "c.%s" % uuid.uuid4().hex[:10]
        body = {"username": user, "name": "Eva de Vries", "email": "%s@example.org" % user, "role": "company",
                "org": org or self.brand}
        if admin:
            body["admin"] = True
        made = self.s.ok("membership", "account.create", body)
        secret = self.s.ok("membership", "account.enroll", {"enroll_token": made["enroll_token"],
                                                            "password": test_console.PASSWORD}, actor=False)["totp_secret"]
        b = Browser(self.port, "en")
        r = b.login(user, test_console.totp(secret))
        self.assertEqual(r.status, 303, r.page[-600:] + self.log_tail())
        b.user = user
        return b

    def upload(self, b, page, csv, path="/staff/company/locations/preview", filename="locations.csv", ctype="text/csv",
               **fields):
        body, ctype = multipart(dict(fields, csrf=b.csrf(page), lang="en"), "file", filename, csv, ctype)
        h = {"Content-Type": ctype, "Cookie": "; ".join("%s=%s" % kv for kv in b.cookies.items())}
        c = test_console.http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        c.request("POST", path, body=body, headers=h)
        r = c.getresponse()
        r.body = r.read()
        r.page = r.body.decode(errors="replace")
        c.close()
        return r

    # --- the pages -------------------------------------------------------------------------

    def test_home_shows_inbox_open_cases_and_the_pages(self):
        case = self.case_in_response(summary="Home page case")
        b = self.company()
        page = b.get("/staff/").page
        self.assertIn(case, page)
        self.assertIn("your response is asked", page)
        for path in ("plan", "results", "locations", "memberships", "accounts", "subscriptions"):
            self.assertIn("/staff/company/%s?lang=en" % path, page)
        # The inbox heard of the case moving to response; marking it read counts it down.
        recipient = "org:%s" % self.brand
        self.assertTrue(self.s.wait_for(lambda: self.s.ok("notify", "inbox.list", {"recipient": recipient})["unread"]))
        inbox = b.get("/staff/inbox").page
        unread = int(re.search(r'id="unread">(\d+) unread', inbox).group(1))
        self.assertGreater(unread, 0)
        r = b.post("/staff/inbox/read", inbox, covenant="", ids=re.search(
            r'name="ids" value="([^"]+)"><button type="submit">Mark this page read', inbox).group(1))
        self.assertEqual(r.status, 303, r.page)
        self.assertIn('id="unread">0 unread', b.get("/staff/").page)
        # Other roles do not get the company's pages.
        staff = self.signed_in()
        self.assertEqual(staff.get("/staff/company/plan").status, 403)

    def test_respond_and_write_on_its_case_once(self):
        case = self.case_in_response()
        b = self.company()
        page = b.get("/staff/case/%s" % case).page
        self.assertIn("Your response to the complaint", page)
        self.assertNotIn("Internal notes", page)
        r = b.post("/staff/case/%s/respond" % case, page, text="We paid the overtime on 1 March.")
        self.assertEqual(r.status, 303, r.page)
        again = b.post("/staff/case/%s/respond" % case, page, text="We paid the overtime on 1 March.")
        self.assertEqual(again.status, 303, again.page)                     # the same form: once
        r = b.post("/staff/case/%s/message" % case, page, text="Payslips attached on request.")
        self.assertEqual(r.status, 303, r.page)
        msgs = self.s.ok("complaints", "complaint.messages", {"case_id": case})["messages"]
        self.assertEqual([m["text"] for m in msgs if m["from"] == "company"],
                         ["We paid the overtime on 1 March.", "Payslips attached on request."])
        self.assertTrue(all(m.get("person") == b.user for m in msgs if m["from"] == "company"))
        page = b.get("/staff/case/%s" % case).page
        self.assertIn("Payslips attached on request.", page)
        self.assertIn("your company", page)
        # Empty text: explained, nothing sent.
        r = b.post("/staff/case/%s/message" % case, page, text="")
        self.assertEqual(r.status, 400)
        self.assertIn("Write a text first", r.page)

    def test_the_action_plan_against_the_framework_submits_once(self):
        b = self.company()
        year = YEAR + 1                 # this year's plan is closed: its round is completed
        page = b.get("/staff/company/plan?covenant=gold&year=%d" % year).page
        self.assertIn("Not submitted for this year yet", page)
        for cid, mx in (("a1", 4), ("a2", 6), ("b1", 5)):
            self.assertRegex(page, r'name="a\.%s" min="0" max="%d"' % (cid, mx))
        self.assertIn("Supply chain mapped", page)
        self.assertIn("Risk analysis", page)
        plan = {"a.a1": "3", "a.a2": "5", "a.b1": "4", "public_report_url": "https://brand.example.org/report",
                "risk.0.theme": "child_labour", "risk.0.country": "bd", "risk.0.severity": "3"}
        r = b.post("/staff/company/plan", page, covenant="gold", year=str(year), **plan)
        self.assertEqual(r.status, 303, r.page)
        first = self.s.ok("scoring", "submission.get", {"covenant": "gold", "org_id": self.brand, "year": year})
        self.assertEqual(first["answers"], {"a1": 3, "a2": 5, "b1": 4})
        self.assertEqual(first["risks"], [{"theme": "child_labour", "country": "BD", "severity": 3}])
        r = b.post("/staff/company/plan", page, covenant="gold", year=str(year), **plan)
        self.assertEqual(r.status, 303, r.page)
        again = self.s.ok("scoring", "submission.get", {"covenant": "gold", "org_id": self.brand, "year": year})
        self.assertEqual(again["at"], first["at"])                          # the same form changed it once
        page = b.get("/staff/company/plan?covenant=gold&year=%d" % year).page
        self.assertIn("Submitted on", page)
        self.assertIn('name="a.a2" min="0" max="6" step="1" inputmode="numeric" aria-describedby="a-0-1-help" value="5"',
                      page)
        self.assertIn('name="risk.0.theme" maxlength="200" aria-describedby="risk-help" value="child_labour"', page)

    def test_bad_input_is_explained_and_changes_nothing(self):
        b = self.company()
        year = YEAR + 2
        page = b.get("/staff/company/plan?covenant=gold&year=%d" % year).page
        r = b.post("/staff/company/plan", page, covenant="gold", year=str(year), **{"a.a1": "three"})
        self.assertEqual(r.status, 400)
        self.assertIn("Criterion a1", r.page)
        r = b.post("/staff/company/plan", page, covenant="gold", year=str(year),
                   **{"a.a1": "1", "risk.1.theme": "living_wage", "risk.1.severity": "2"})
        self.assertEqual(r.status, 400)
        self.assertIn("Risk 2: a theme of at most 200 characters, a country as a two-letter ISO code", r.page)
        r = b.post("/staff/company/plan", page, covenant="gold", year=str(year), **{"a.a1": "9"})
        self.assertEqual(r.status, 400)
        self.assertIn("a1", r.page)
        self.assertIn("Nothing was changed", r.page)
        err = self.s.call("scoring", "submission.get", {"covenant": "gold", "org_id": self.brand, "year": year})["error"]
        self.assertEqual(err["code"], "not_found")
        page = b.get("/staff/company/results?covenant=gold&year=%d" % YEAR).page
        r = b.post("/staff/company/appeal", page, covenant="gold", year=str(YEAR), reason="")
        self.assertEqual(r.status, 400)
        self.assertIn("Write why the result is wrong", r.page)
        page = b.get("/staff/company/subscriptions").page
        r = b.post("/staff/company/subscriptions", page, channel="webhook", address="https://hooks.example.org/imvo",
                   secret="short", sub_lang="en")
        self.assertEqual(r.status, 400)
        self.assertIn("at least 16 characters", r.page)
        page = b.get("/staff/company/locations?covenant=gold").page
        r = self.upload(b, page, b"name,address,country\nMill One,Road 1,Narnia\n", covenant="gold", year=str(YEAR))
        self.assertEqual(r.status, 400, r.page)
        self.assertIn("csv.line.2.country", r.page)
        # The file's own limits, while it streams: 1 MB, and a CSV's types.
        big = b"name,address,country\n" + b"Mill,Road 1,VN\n" * 80000
        r = self.upload(b, page, big, covenant="gold", year=str(YEAR))
        self.assertEqual(r.status, 413, r.page)
        self.assertIn("larger than 1 MB", r.page)
        r = self.upload(b, page, b"\x89PNG\r\n", filename="mill.png", ctype="image/png", covenant="gold", year=str(YEAR))
        self.assertEqual(r.status, 400, r.page)
        self.assertIn("Choose one CSV file", r.page)

    def test_results_and_one_appeal_within_four_weeks(self):
        b = self.company()
        page = b.get("/staff/company/results?covenant=gold&year=%d" % YEAR).page
        # 60 x 5/10 + 40 x 5/5 = 70: the brand's own result, high.
        self.assertIn('id="score">70<', page)
        self.assertIn("high", page)
        self.assertIn("You may appeal until", page)
        r = b.post("/staff/company/appeal", page, covenant="gold", year=str(YEAR), reason="b1 was counted on the old list")
        self.assertEqual(r.status, 303, r.page)
        self.assertIn("appealed=1", r.getheader("Location"))
        same = b.post("/staff/company/appeal", page, covenant="gold", year=str(YEAR), reason="b1 was counted on the old list")
        self.assertEqual(same.status, 303, same.page)                       # the same form: once
        page = b.get("/staff/company/results?covenant=gold&year=%d" % YEAR).page
        self.assertIn("b1 was counted on the old list", page[page.index('id="appeal"'):])
        self.assertIn("with the monitoring committee", page)
        self.assertNotIn('action="/staff/company/appeal"', page)            # one appeal a round
        r = b.post("/staff/company/appeal", page, covenant="gold", year=str(YEAR), reason="once more")
        self.assertEqual(r.status, 409)
        self.assertIn("appealed this round already", r.page)

    def test_locations_preview_writes_nothing_until_confirmed(self):
        b = self.company()
        page = b.get("/staff/company/locations?covenant=gold").page
        self.assertIn('enctype="multipart/form-data"', page)
        csv = b"name,address,city,country\nDhaka Knit One,Plot 4 Road 7,Gazipur,Bangladesh\nHanoi Sew,12 Le Loi,Hanoi,VN\n"
        r = self.upload(b, page, csv, covenant="gold", year=str(YEAR))
        self.assertEqual(r.status, 200, r.page)
        self.assertIn('id="rows">2<', r.page)
        self.assertIn('data-kind="new">2 new', r.page)
        self.assertIn("Nothing is saved yet", r.page)
        counts = lambda: self.s.ok("membership", "location.counts", {"covenant": "gold"})
        before = counts()
        self.assertEqual(self.s.redis.cli("EXISTS", "imvo:membership:{gold}:disclosed:%s:%d" % (self.brand, YEAR)).strip(),
                         "0")
        r2 = b.post("/staff/company/locations/confirm", r.page, kept=re.search(r'name="kept" value="([0-9a-f]{32})"',
                                                                            r.page).group(1))
        self.assertEqual(r2.status, 303, r2.page)
        self.assertIn("saved=2", r2.getheader("Location"))
        self.assertNotEqual(counts(), before)
        # The kept file went with the confirm: a second confirm is told so.
        r3 = b.post("/staff/company/locations/confirm", r.page, kept=re.search(r'name="kept" value="([0-9a-f]{32})"',
                                                                            r.page).group(1), idem=uuid.uuid4().hex)
        self.assertEqual(r3.status, 409)

    def test_plan_documents_checked_by_their_bytes_and_only_for_the_company(self):
        b = self.company()
        year, pdf = YEAR + 3, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
        page = b.get("/staff/company/plan?covenant=gold&year=%d" % year).page
        self.assertIn("Submit the plan first", page)
        r = self.upload(b, page, pdf, "/staff/company/plan/document", "policy.pdf", "application/pdf", covenant="gold",
                        year=str(year))
        self.assertEqual(r.status, 404, r.page)                     # no plan yet: nothing kept
        self.assertIn("submit the plan first", r.page)
        r = b.post("/staff/company/plan", page, covenant="gold", year=str(year), **{"a.a1": "1"})
        self.assertEqual(r.status, 303, r.page)
        page = b.get("/staff/company/plan?covenant=gold&year=%d" % year).page
        r = self.upload(b, page, b"just some words, not a PDF", "/staff/company/plan/document", "fake.pdf",
                        "application/pdf", covenant="gold", year=str(year))
        self.assertEqual(r.status, 400, r.page)
        self.assertIn("content_type", r.page)
        self.assertIn("Nothing was changed", r.page)
        r = self.upload(b, page, pdf, "/staff/company/plan/document", "Human rights policy.pdf", "application/pdf",
                        covenant="gold", year=str(year))
        self.assertEqual(r.status, 303, r.page)
        page = b.get("/staff/company/plan?covenant=gold&year=%d" % year).page
        link = re.search(r'href="(/staff/company/plan/document/([0-9a-f]+)\?[^"]+)">Human rights policy.pdf</a>', page)
        self.assertTrue(link, page)
        got = b.request("GET", link.group(1).replace("&amp;", "&"))
        self.assertEqual((got.status, got.getheader("Content-Type")), (200, "application/pdf"))
        self.assertEqual(got.page, pdf.decode())
        # Another company guessing the URL finds nothing; its certificate is refused by scoring.
        other = self.company(self.other)
        self.assertEqual(other.get(link.group(1).replace("&amp;", "&")).status, 404)
        err = self.s.call("scoring", "submission.document", {"covenant": "gold", "org_id": self.brand, "year": year,
                                                             "doc_id": link.group(2)}, cert=self.other_cert)["error"]
        self.assertEqual(err["code"], "forbidden")
        docs = self.s.ok("scoring", "submission.get", {"covenant": "gold", "org_id": self.brand, "year": year})["documents"]
        self.assertEqual([(d["name"], d["content_type"], d["size"]) for d in docs],
                         [("Human rights policy.pdf", "application/pdf", len(pdf))])

    def test_imvoctl_attaches_and_saves_a_plans_document(self):
        year, s = YEAR + 4, self.s
        s.ok("scoring", "submission.put", {"covenant": "gold", "org_id": self.brand, "year": year, "answers": {"a1": 1}})
        path = os.path.join(s.workdir, "risk-analysis.txt")
        with open(path, "w") as f:
            f.write("Risk analysis: cotton from the region, child labour, severity 3.\n")
        admin = ("--cert", os.path.join(s.certs, "admin.txt_secret"))          # the secretariat's certificate
        out = s.imvoctl(*admin, "--json", "submission", "attach", "gold", self.brand, path, "--year", year)
        self.assertEqual(out.returncode, 0, out.stderr)
        doc = json.loads(out.stdout)
        self.assertEqual((doc["name"], doc["content_type"]), ("risk-analysis.txt", "text/plain"))
        saved = os.path.join(s.workdir, "saved.txt")
        out = s.imvoctl(*admin, "submission", "document", "gold", self.brand, doc["doc_id"], "--year", year, "--out", saved)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(saved) as f, open(path) as g:
            self.assertEqual(f.read(), g.read())
        out = s.imvoctl(*admin, "submission", "attach", "gold", self.brand, path, "--year", year, "--content-type",
                        "image/png")
        self.assertEqual(out.returncode, 2)
        self.assertIn("content_type", out.stderr)

    def test_webhook_and_email_subscriptions_with_a_secret(self):
        org = self.s.company("Hooked Brand BV", ["textile"])
        b = self.company(org)
        page = b.get("/staff/company/subscriptions").page
        secret = "s3cret-%s" % uuid.uuid4().hex
        r = b.post("/staff/company/subscriptions", page, channel="webhook", address="https://hooks.example.org/imvo",
                   secret=secret, sub_lang="en")
        self.assertEqual(r.status, 303, r.page)
        r = b.post("/staff/company/subscriptions", page, channel="email", address="compliance@example.org", sub_lang="nl")
        self.assertEqual(r.status, 303, r.page)
        subs = {x["channel"]: x for x in self.s.ok("notify", "subscription.list", {"recipient": "org:%s" % org})["subscriptions"]}
        self.assertEqual(subs["webhook"]["address"], "https://hooks.example.org/imvo")
        self.assertTrue(subs["webhook"]["signed"])
        self.assertEqual(subs["email"]["lang"], "nl")
        page = b.get("/staff/company/subscriptions").page
        self.assertIn("compliance@example.org", page)
        self.assertNotIn(secret, page)

    def test_memberships_and_this_years_contribution(self):
        b = self.company()
        page = b.get("/staff/company/memberships").page
        table = page[page.index('id="memberships"'):page.index("</table>")]
        self.assertIn("gold", table)
        self.assertIn("textile", table)
        self.assertIn('data-owes="yes"', table)             # a company party that has not paid this year
        self.s.ok("membership", "member.pay", {"covenant": "gold", "org_id": self.brand, "year": YEAR})
        self.assertNotIn('data-owes="yes"', b.get("/staff/company/memberships").page)
        # member.unpaid tells a company about itself only.
        r = self.s.ok("membership", "member.unpaid", {"covenant": "gold", "year": YEAR}, cert=self.brand_cert)
        self.assertEqual(r["unpaid"], [])

    def test_the_company_admin_makes_its_accounts_and_no_one_else(self):
        org = self.s.company("Admin Brand BV", ["textile"])
        admin = self.company(org, admin=True)
        page = admin.get("/staff/company/accounts").page
        self.assertIn("A new account for a colleague", page)
        user = "c.%s" % uuid.uuid4().hex[:8]
        r = admin.post("/staff/company/accounts/create", page, username=user, name="Joris Smit", email="joris@example.org",
                       account_lang="en")
        self.assertEqual(r.status, 200, r.page)
        self.assertRegex(r.page, r'id="enroll-token" class="secret">[0-9a-f]{64}<')
        made = [a for a in self.s.ok("membership", "account.list", {"org": org})["accounts"] if a["username"] == user][0]
        self.assertEqual((made["role"], made["org"], made["admin"]), ("company", org, False))
        plain = self.company(org)
        page = plain.get("/staff/company/accounts").page
        self.assertIn('id="not-admin"', page)
        r = plain.post("/staff/company/accounts/create", page, username="c.%s" % uuid.uuid4().hex[:8], name="X",
                       email="x@example.org", idem=uuid.uuid4().hex)
        self.assertEqual(r.status, 403)
        self.assertIn("administrator", r.page)
        # The secretariat's list says who administers.
        staff = self.signed_in()
        listed = staff.get("/staff/accounts").page
        row = re.search(r"<tr><td[^>]*>%s</td>.*?</tr>" % re.escape(admin.user), listed, re.S).group(0)
        self.assertIn("company (administrator)", row)
        # Only the secretariat names an administrator.
        err = self.s.call("membership", "account.create", {"username": "c.%s" % uuid.uuid4().hex[:8], "name": "Y",
                                                           "email": "y@example.org", "role": "company", "org": self.brand,
                                                           "admin": True}, cert=self.brand_cert)["error"]
        self.assertEqual((err["code"], err["field"]), ("forbidden", "admin"))

    # --- isolation ------------------------------------------------------------------------------

    def test_a_company_cannot_see_another_companys_plan_result_or_case(self):
        theirs = self.case_in_response(respondent=self.other, summary="Other company's secret case")
        b = self.company()
        # URLs naming the other company show the brand's own, and nothing of the other's.
        for path in ("/staff/company/plan?covenant=gold&year=%d&org_id=%s&org=%s" % (YEAR, self.other, self.other),
                     "/staff/company/results?covenant=gold&year=%d&org_id=%s&org=%s" % (YEAR, self.other, self.other)):
            r = b.get(path)
            self.assertEqual(r.status, 200, r.page)
            self.assertNotIn(SECRET_URL, r.page)
            self.assertNotIn("Other Plan BV", r.page)
            self.assertNotIn(self.other, r.page[r.page.index("<h1>"):])   # (the language link repeats the URL)
        self.assertIn('id="score">70<', b.get("/staff/company/results?covenant=gold&year=%d&org_id=%s"
                                              % (YEAR, self.other)).page)
        r = b.get("/staff/case/%s" % theirs)
        self.assertEqual(r.status, 403)
        self.assertNotIn("secret case", r.page)
        page = b.get("/staff/").page
        self.assertNotIn(theirs, page)
        for action in ("respond", "message"):
            r = b.post("/staff/case/%s/%s" % (theirs, action), page, text="Let us in", idem=uuid.uuid4().hex)
            self.assertIn(r.status, (403, 404), r.page)
        msgs = self.s.ok("complaints", "complaint.messages", {"case_id": theirs})["messages"]
        self.assertFalse([m for m in msgs if m["from"] == "company"])
        # The daemons refuse the brand's own certificate too (not only the pages).
        c = self.brand_cert
        checks = [("scoring", "submission.get", {"covenant": "gold", "org_id": self.other, "year": YEAR}),
                  ("scoring", "assessment.appeal", {"round_id": "gold-%d" % YEAR, "org_id": self.other, "reason": "x"}),
                  ("complaints", "complaint.get", {"case_id": theirs}),
                  ("complaints", "complaint.respond", {"case_id": theirs, "text": "x"}),
                  ("complaints", "complaint.message", {"case_id": theirs, "text": "x"}),
                  ("notify", "subscription.list", {"recipient": "org:%s" % self.other}),
                  ("membership", "account.list", {"org": self.other})]
        for service, mtype, body in checks:
            err = self.s.call(service, mtype, body, cert=c)["error"]
            self.assertEqual(err["code"], "forbidden", (mtype, err))
        results = self.s.ok("scoring", "assessment.get", {"round_id": "gold-%d" % YEAR}, cert=c)["results"]
        self.assertEqual([x["org_id"] for x in results], [self.brand])
        self.assertNotIn("memberships", self.s.ok("membership", "org.get", {"org_id": self.other}, cert=c))


if __name__ == "__main__":
    unittest.main()

"""Her language (issue 20, 4): a complaint keeps the language she wrote in (complaint.submit's
lang, on the socket, through the intake queue and from the portal's form), and the secretariat
adds a translation beside her words (complaint.translate) that staff see and a company and the
complainant never do; the staff console names the language, shows both and takes the
translation through its form. Real daemons and a real portal, one system for the class."""
import os
import re
import subprocess
import unittest
import uuid

import msgpack

from harness import System, start_portal, totp
from test_console import Browser, PASSWORD

BN_SUMMARY = "রাতের শিফটে আগুন থেকে বের হওয়ার দরজা তালাবদ্ধ"
BN_DESCRIPTION = "রাতের শিফটে কারখানার আগুন থেকে বের হওয়ার দরজা তালাবদ্ধ থাকে।"
EN_SUMMARY = "Fire exits locked during the night shift"
EN_DESCRIPTION = "The factory's fire exits are kept locked during the night shift (zipperhall)."


class Translation(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.s = System(["complaints"], curve=True).__enter__()
        cls.company_name = "Translation Brand BV"
        cls.brand = cls.s.company(cls.company_name, ["textile"])
        # With CURVE a certificate says who calls: the company's, the committee's, and a
        # gateway's, whose envelope actor (a signed-in person, or the complainant) stands.
        cls.company_cert = cls.s.cert("brand", "company", cls.brand)
        cls.committee_cert = cls.s.cert("committee", "committee")
        cls.gateway_cert = cls.s.cert("gateway", "gateway")
        cls.logpath = os.path.join(cls.s.workdir, "portal.log")
        cls.portal, cls.port = start_portal(cls.s, cls.logpath)

    @classmethod
    def tearDownClass(cls):
        cls.portal.terminate()
        cls.portal.wait(10)
        cls.s.close()        # it fails the test on a sanitizer report in any log, the portal's too

    def submit(self, **change):
        body = {"covenant": "textile", "respondent": self.brand, "summary": BN_SUMMARY, "description": BN_DESCRIPTION,
                "complainant": {"anonymous": True}, "lang": "bn"}
        body.update(change)
        return self.s.ok("complaints", "complaint.submit", {k: v for k, v in body.items() if v is not None},
                         actor=False)

    def translate(self, case_id, **change):
        body = dict({"case_id": case_id, "lang": "en", "summary": EN_SUMMARY, "description": EN_DESCRIPTION}, **change)
        return self.s.call("complaints", "complaint.translate", body, key=uuid.uuid4().hex)

    def signed_in(self, role="secretariat", org=None):
        user = "t.%s" % uuid.uuid4().hex[:10]
        body = {"username": user, "name": "Sanne Jansen", "email": "%s@example.org" % user, "role": role}
        if org:
            body["org"] = org
        made = self.s.ok("membership", "account.create", body)
        got = self.s.ok("membership", "account.enroll", {"enroll_token": made["enroll_token"], "password": PASSWORD},
                        actor=False)
        b = Browser(self.port, "en")
        r = b.login(user, totp(got["totp_secret"]))
        self.assertEqual(r.status, 303, r.page)
        b.user = user
        return b

    def test_a_complaint_in_bengali_keeps_it_and_staff_see_the_translation_beside_it(self):
        filed = self.submit()
        case_id, receipt = filed["case_id"], filed["receipt"]
        got = self.s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertEqual((got["lang"], got["summary"]), ("bn", BN_SUMMARY))
        self.assertNotIn("translations", got)
        status = self.s.ok("complaints", "complaint.status", {"receipt": receipt}, actor=False)
        self.assertEqual(status["lang"], "bn")
        # The secretariat's English translation, by a person through the gateway's actor.
        key = uuid.uuid4().hex
        body = {"case_id": case_id, "lang": "en", "summary": EN_SUMMARY, "description": EN_DESCRIPTION}
        as_sanne = dict(actor={"role": "secretariat", "person": "sanne"}, cert=self.gateway_cert)
        done = self.s.ok("complaints", "complaint.translate", body, key=key, **as_sanne)
        self.assertEqual(done, {"case_id": case_id, "lang": "en"})
        self.assertEqual(self.s.ok("complaints", "complaint.translate", body, key=key, **as_sanne), done)   # a retry
        got = self.s.ok("complaints", "complaint.get", {"case_id": case_id})
        # Her words stay as she wrote them; the translation is beside them.
        self.assertEqual((got["lang"], got["summary"], got["description"]), ("bn", BN_SUMMARY, BN_DESCRIPTION))
        [t] = got["translations"]
        self.assertEqual({k: t[k] for k in ("lang", "summary", "description", "by", "person")},
                         {"lang": "en", "summary": EN_SUMMARY, "description": EN_DESCRIPTION, "by": "secretariat",
                          "person": "sanne"})
        self.assertIsInstance(t["at"], int)
        # Again for English corrects it: still one English translation.
        self.assertTrue(self.translate(case_id, summary="Fire exits locked at night")["ok"])
        [t] = self.s.ok("complaints", "complaint.get", {"case_id": case_id})["translations"]
        self.assertEqual(t["summary"], "Fire exits locked at night")
        # Word search finds the case by the translation's words.
        found = self.s.ok("complaints", "complaint.list", {"covenant": "textile", "q": "zipperhall"})["cases"]
        self.assertEqual([c["case_id"] for c in found], [case_id])
        # The company sees the case, never the translation; the complainant neither.
        seen = self.s.ok("complaints", "complaint.get", {"case_id": case_id}, cert=self.company_cert)
        self.assertEqual(seen["summary"], BN_SUMMARY)
        self.assertNotIn("translations", seen)
        self.assertNotIn(EN_DESCRIPTION, repr(seen))
        status = self.s.ok("complaints", "complaint.status", {"receipt": receipt}, actor=False)
        self.assertNotIn("translations", status)
        self.assertNotIn("Fire exits", repr(status))
        mine = self.s.ok("complaints", "complaint.messages", {"receipt": receipt}, actor={"role": "complainant"},
                         cert=self.gateway_cert)
        self.assertNotIn("Fire exits", repr(mine))

    def test_who_may_translate_and_bad_languages(self):
        case_id = self.submit()["case_id"]
        for who in (dict(cert=self.company_cert), dict(cert=self.committee_cert),
                    dict(cert=self.gateway_cert, actor={"role": "complainant"}),
                    dict(cert=self.gateway_cert, actor={"role": "company", "org": self.brand, "person": "p"})):
            r = self.s.call("complaints", "complaint.translate",
                            {"case_id": case_id, "lang": "en", "summary": "x", "description": "y"},
                            key=uuid.uuid4().hex, **who)
            self.assertEqual(r["error"]["code"], "forbidden", (who, r))
        for lang in ("xx", "EN", "english", ""):
            r = self.translate(case_id, lang=lang)
            self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "lang"), r)
        r = self.translate(case_id, lang="bn")          # her own language: no translation
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "lang"), r)
        r = self.translate("TEXTILE-2020-9999")
        self.assertEqual(r["error"]["code"], "not_found", r)
        r = self.s.call("complaints", "complaint.submit",
                        {"covenant": "textile", "respondent": self.brand, "summary": "s", "description": "d",
                         "complainant": {"anonymous": True}, "lang": "de"}, actor=False)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "lang"), r)
        # Without lang a complaint is in Dutch.
        plain = self.submit(lang=None)
        self.assertEqual(self.s.ok("complaints", "complaint.get", {"case_id": plain["case_id"]})["lang"], "nl")

    def test_the_intake_queue_and_the_portal_form_keep_the_language(self):
        key = "intake-%s" % uuid.uuid4().hex
        body = {"covenant": "textile", "respondent": self.brand, "summary": "Lương bị giữ lại",
                "description": "Công ty giữ lại lương của chúng tôi.", "complainant": {"anonymous": True}, "lang": "vi"}
        env = msgpack.packb({"v": 1, "id": uuid.uuid4().hex, "type": "complaint.submit", "key": key, "body": body})
        subprocess.run(["redis-cli", "-p", str(self.s.redis.port), "-x", "XADD", "imvo:complaints:intake", "*", "msg"],
                       input=env, check=True, capture_output=True)
        result = lambda: self.s.ok("complaints", "complaint.intake_result", {"key": key}, actor={"role": "service"})
        self.assertTrue(self.s.wait_for(lambda: result()["state"] == "done"), result())
        self.assertEqual(self.s.ok("complaints", "complaint.get", {"case_id": result()["case_id"]})["lang"], "vi")
        # The portal's form sends its page's language.
        b = Browser(self.port, "en")
        page = b.request("GET", "/?lang=en&covenant=textile")
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.page))
        self.assertEqual(hidden.get("lang"), "en")
        fields = dict(hidden, company=self.company_name, summary="Unpaid overtime", description="Nobody pays the overtime.",
                      who="anonymous")
        r = b.request("POST", "/submit", fields)
        self.assertEqual(r.status, 303, r.page)
        got = []

        def filed():
            reply = self.s.ok("complaints", "complaint.intake_result", {"key": hidden["key"]}, actor={"role": "service"})
            got.append(reply)
            return reply["state"] == "done"
        self.assertTrue(self.s.wait_for(filed), got[-1:])
        self.assertEqual(self.s.ok("complaints", "complaint.get", {"case_id": got[-1]["case_id"]})["lang"], "en")

    def test_the_console_shows_both_and_takes_a_translation(self):
        case_id = self.submit()["case_id"]
        b = self.signed_in()
        page = b.get("/staff/case/%s" % case_id).page
        self.assertRegex(page, r'id="case-lang" data-lang="bn">Bengali \(bn\)<')
        self.assertIn(BN_DESCRIPTION, page)
        self.assertIn("No translation yet.", page)
        path = "/staff/case/%s/translate" % case_id
        r = b.post(path, page, into="en", summary=EN_SUMMARY, description=EN_DESCRIPTION)
        self.assertEqual(r.status, 303, r.page)
        got = self.s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertEqual(got["translations"][0]["person"], b.user)
        page = b.get("/staff/case/%s" % case_id).page
        original = re.search(r'<div class="original" id="original" lang="bn">(.*?)</div>', page, re.S).group(1)
        translation = re.search(r'<div class="translation" id="translation-en" lang="en">(.*?)</details></div>',
                                page, re.S).group(1)
        self.assertIn(BN_SUMMARY, original)
        self.assertIn(EN_SUMMARY, translation)
        self.assertIn(b.user, translation)
        self.assertIn("The factory&#39;s fire exits", translation)
        # Correcting it through its own form (the prefilled one for English).
        r = b.post(path, page, into="en", summary="Locked fire exits at night", description=EN_DESCRIPTION)
        self.assertEqual(r.status, 303, r.page)
        self.assertIn("Locked fire exits at night", b.get("/staff/case/%s" % case_id).page)
        # A bad language is refused, nothing changed.
        r = b.post(path, page, into="xx", summary="s", description="d")
        self.assertEqual(r.status, 400, r.page)
        # On Dutch pages the language is named in Dutch.
        b.lang = "nl"
        self.assertIn('data-lang="bn">Bengaals (bn)<', b.get("/staff/case/%s" % case_id).page)
        # A company person of the respondent sees the case, not the translation nor the form.
        company = self.signed_in("company", self.brand)
        page = company.get("/staff/case/%s" % case_id).page
        self.assertIn(BN_SUMMARY, page)
        self.assertNotIn("Locked fire exits at night", page)
        self.assertNotIn("/translate", page)


if __name__ == "__main__":
    unittest.main()

"""Her language (issue 20, 4): the portal's worker-facing pages and notify's templates in the
nine languages of PROTOCOL.md ("Languages"), through gettext (po/, common/imvo_i18n.h).

- The translators' files: every .po passes msgfmt --check, carries every msgid of its .pot
  (po/update.sh made it from the sources as they are now), keeps each c-format's %s, and its
  header marks it as awaiting a native speaker's review.
- The portal over HTTP: in each language the complaint form, the receipt and the status page
  carry the right texts and <html lang>, no English msgid where a translation exists, and the
  menu of languages (each named in itself, with its lang); ?lang= chooses, else
  Accept-Language with its q-values, else Dutch; the receipt and status keep the language.
- notify renders an event's templates in every language: a subscription's lang picks them.
The browser's screenshots of the form in each language are tests/test_languages_browser.py."""
import glob
import http.client
import json
import os
import re
import subprocess
import tempfile
import unittest
import urllib.parse

import test_portal
from harness import HERE, System

SOURCE = os.path.join(HERE, "..")
PO = os.path.join(SOURCE, "po")
LANGS = ["nl", "en", "fr", "es", "bn", "hi", "zh", "tr", "vi"]
NAMES = ["Nederlands", "English", "Français", "Español", "বাংলা", "हिन्दी", "中文", "Türkçe", "Tiếng Việt"]


def parse_po(path):
    """{msgid: msgstr} of a .po or .pot (the header left out)."""
    out, cur, field = {}, {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = re.match(r'(msgid|msgstr) (".*")$', line)
            if m:
                if m.group(1) == "msgid" and "msgid" in cur:
                    out[cur["msgid"]] = cur.get("msgstr", "")
                    cur = {}
                field = m.group(1)
                cur[field] = json.loads(m.group(2))
            elif line.startswith('"') and field:
                cur[field] += json.loads(line)
    if "msgid" in cur:
        out[cur["msgid"]] = cur.get("msgstr", "")
    out.pop("", None)
    return out


def catalogue(domain, lang):
    path = os.path.join(PO, domain, lang + ".po")
    return parse_po(path) if os.path.exists(path) else {}


def tr(lang, msgid, domain="imvo-portal"):
    return catalogue(domain, lang).get(msgid) or msgid


def esc(s):
    return s.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


class Catalogues(unittest.TestCase):
    def test_every_po_is_complete_checked_and_awaits_review(self):
        for domain in ("imvo-portal", "imvo-notify"):
            pot = parse_po(os.path.join(PO, domain, domain + ".pot"))
            self.assertGreater(len(pot), 30)
            files = sorted(glob.glob(os.path.join(PO, domain, "*.po")))
            want = {"fr", "es", "bn", "hi", "zh", "tr", "vi"} | ({"nl"} if domain == "imvo-portal" else set())
            self.assertEqual({os.path.basename(f)[:-3] for f in files}, want)
            for path in files:
                with self.subTest(po=os.path.relpath(path, SOURCE)):
                    out = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, path],
                                         capture_output=True, text=True)
                    self.assertEqual(out.returncode, 0, out.stderr)
                    self.assertNotIn("untranslated", out.stderr)
                    self.assertNotIn("fuzzy", out.stderr)
                    po = parse_po(path)
                    self.assertEqual(set(po), set(pot))
                    for msgid, msgstr in po.items():
                        self.assertTrue(msgstr, msgid)
                        self.assertEqual(sorted(re.findall(r"\{\w+\}", msgid)), sorted(re.findall(r"\{\w+\}", msgstr)),
                                         msgstr)
                    with open(path, encoding="utf-8") as f:
                        head = f.read(2000)
                    self.assertIn("AWAITING REVIEW", head)
                    self.assertIn('"Language-Team: awaiting review\\n"', head)
                    self.assertIn('"Language: %s\\n"' % os.path.basename(path)[:-3], head)

    def test_the_pot_holds_what_the_sources_say(self):
        with tempfile.TemporaryDirectory() as tmp:
            pot = os.path.join(tmp, "portal.pot")
            sources = ["portal_html.c", "portal_complaint.c", "portal_status.c", "portal_public.c", "portal_places.c",
                       "portal_evidence_page.c", "portal_server.c"]
            subprocess.run(["xgettext", "--from-code=UTF-8", "--language=C", "--keyword=N_", "--keyword=portal_tr:2",
                            "-o", pot] + [os.path.join(SOURCE, "services", "portal", s) for s in sources], check=True)
            self.assertEqual(set(parse_po(pot)), set(parse_po(os.path.join(PO, "imvo-portal", "imvo-portal.pot"))),
                             "run po/update.sh")
            out = subprocess.run(["python3", os.path.join(PO, "notify_pot.py")], capture_output=True, text=True,
                                 check=True).stdout
            with open(os.path.join(tmp, "notify.pot"), "w", encoding="utf-8") as f:
                f.write(out)
            self.assertEqual(set(parse_po(os.path.join(tmp, "notify.pot"))),
                             set(parse_po(os.path.join(PO, "imvo-notify", "imvo-notify.pot"))), "run po/update.sh")


class PortalLanguages(test_portal.PortalSystem):

    def get(self, path, headers=None, source="127.0.0.1"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        page = r.read().decode()
        c.close()
        return r, page

    def assert_language(self, lang, page, msgids):
        self.assertRegex(page, r'^<!DOCTYPE html><html lang="%s">' % lang)
        for msgid in msgids:
            self.assertTrue(esc(tr(lang, msgid)) in page or tr(lang, msgid) in page, (lang, msgid, page))
        # The menu: every language, named in itself, with its lang; the page's own marked.
        for code, name in zip(LANGS, NAMES):
            self.assertRegex(page, r'<a lang="%s" hreflang="%s" href="[^"]*lang=%s"%s>%s</a>'
                             % (code, code, code, ' aria-current="page"' if code == lang else "", re.escape(name)))
        if lang == "en":
            return
        # No English text where the language has a translation of it (the short ones, such as
        # "Status", can be words of other texts).
        for msgid, msgstr in catalogue("imvo-portal", lang).items():
            if msgstr and msgstr != msgid and len(msgid) > 12 and "%" not in msgid:
                self.assertNotIn(esc(msgid), page, (lang, msgid))
                self.assertNotIn(msgid, page, (lang, msgid))

    def test_form_receipt_and_status_in_every_language(self):
        for n, lang in enumerate(LANGS):
            with self.subTest(lang=lang):
                source = "127.0.1.%d" % (n + 1)        # the limits are per address
                cookie, hidden, page = self.form(lang=lang, source=source)
                self.assertEqual(hidden["lang"], lang)
                self.assert_language(lang, page, ["File a complaint with an IMVO covenant", "What happened?",
                                                  "Who are you?", "File the complaint", "Photos or documents (optional)",
                                                  "Where did it happen?"])
                fields = dict(hidden, company=self.company, summary="Case in " + lang, description="What happened",
                              who="anonymous")
                r, _ = self.post("/submit", fields, cookie, source=source)
                self.assertEqual((r.status, r.getheader("Location")), (303, "/received?lang=" + lang))
                intake = re.search(r"intake=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1)
                got = []

                def received():
                    got.append(self.get("/received?lang=" + lang, {"Cookie": "intake=" + intake}, source)[1])
                    return 'id="receipt"' in got[-1]

                self.assertTrue(self.s.wait_for(received, timeout=15, interval=0.1), got[-1:])
                page = got[-1]
                self.assert_language(lang, page, ["Your complaint was received", "Follow your complaint"])
                self.assert_language(lang, page, ["Keep this receipt safe. Only with it can you follow your complaint; "
                                                  "we cannot show it again."])
                self.assertIn('href="/status?lang=%s"' % lang, page)
                receipt = re.search(r'id="receipt">([^<]+)<', page).group(1)
                # The complaint keeps the language she wrote in.
                self.assertEqual(self.s.ok("complaints", "complaint.status", {"receipt": receipt}).get("lang", lang), lang)
                body = urllib.parse.urlencode({"csrf": hidden["csrf"], "lang": lang, "receipt": receipt}).encode()
                r, page = self.post("/status", body, cookie, source=source)
                self.assertEqual(r.status, 200, page)
                self.assert_language(lang, page, ["Follow your complaint", "History", "Messages",
                                                  "Received: the secretariat is looking at your complaint.",
                                                  "Send a message", "Add photos or documents"])
                self.assertIn('<input type="hidden" name="lang" value="%s">' % lang, page)

    def test_the_public_pages_speak_every_language(self):
        for lang in LANGS:
            with self.subTest(lang=lang):
                r, page = self.get("/decisions/textile?lang=" + lang)
                self.assertEqual(r.status, 200)
                self.assert_language(lang, page, ["Published decisions"])
                r, page = self.get("/nothing-here?lang=" + lang)
                self.assertEqual(r.status, 404)
                self.assert_language(lang, page, ["This page does not exist."])

    def test_lang_then_accept_language_then_dutch(self):
        for accept, query, want in [
                ("fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5", "", "fr"),
                ("en;q=0.5, zh-CN", "", "zh"),
                ("de-DE, vi;q=0.2, bn;q=0.3", "", "bn"),
                ("de, it;q=0.9", "", "nl"),
                ("", "", "nl"),
                ("tr", "?lang=hi", "hi"),
                ("tr", "?lang=xx", "tr"),            # not one of ours: the browser's then
                ("HI-in;q=1.0", "", "hi")]:
            with self.subTest(accept=accept, query=query):
                _, page = self.get("/" + query, {"Accept-Language": accept} if accept else {})
                self.assertRegex(page, r'<html lang="%s">' % want)

    def test_the_staff_console_stays_dutch_or_english(self):
        _, page = self.get("/staff/login?lang=fr")
        self.assertIn('lang="nl"', page[:200])


class NotifyLanguages(unittest.TestCase):
    def test_a_subscription_hears_its_own_language(self):
        with System(["complaints", "notify"]) as s:
            org = s.company("Lang Test BV", ["textile"])
            want = {}
            def items():
                return s.ok("notify", "inbox.list", {"recipient": "secretariat:textile", "limit": 100},
                            actor={"role": "secretariat"})["items"]

            # The inbox of the secretariat in each language in turn: a complaint each, heard
            # before the language changes.
            for n, lang in enumerate(LANGS):
                s.ok("notify", "subscription.put", {"recipient": "secretariat:textile", "channel": "inbox", "lang": lang})
                case = s.ok("complaints", "complaint.submit", {
                    "covenant": "textile", "respondent": org, "summary": "Summary %d" % n, "description": "d",
                    "complainant": {"anonymous": True}})["case_id"]
                want[case] = lang
                self.assertTrue(s.wait_for(lambda: case in {i.get("case_id") for i in items()}, timeout=10))
            self.assertTrue(s.wait_for(lambda: {i.get("case_id") for i in items()} >= set(want), timeout=15))
            nl_title = "Nieuwe klacht "
            for item in items():
                if item.get("case_id") not in want:
                    continue
                lang = want[item["case_id"]]
                with self.subTest(lang=lang):
                    if lang == "nl":
                        self.assertTrue(item["title"].startswith(nl_title), item)
                        continue
                    title = tr(lang, "New complaint {case_id}", "imvo-notify").replace("{case_id}", item["case_id"])
                    self.assertEqual(item["title"], title)
                    text = tr(lang, "Complaint {case_id} against {respondent} was received in the {covenant} covenant: "
                                    "{summary}", "imvo-notify")
                    self.assertTrue(item["text"].startswith(text.split("{")[0]), item)
                    self.assertIn("Summary", item["text"])


if __name__ == "__main__":
    unittest.main()

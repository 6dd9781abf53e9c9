"""The staff console (/staff/ on the portal) over HTTP against the real daemons: signing in with
password and TOTP (the test computes the codes, RFC 6238), the session cookie's attributes, the
pages of every role (with CURVE: the console speaks through a certificate of role gateway,
so the person's actor stands), the CSRF token bound to the session (a stale or foreign one changes
nothing), a complaint handled from the queue to its identity (acknowledge, assign, note, show
identity; the audit trail names the person), a company person kept out of another company's
case, wrong codes and locked accounts, bad input, the CSV export, both languages; and, on a
system of its own with membership's clock moved (IMVO_CLOCK_OFFSET_S), an idle session that
ends. The browser journey is tests/test_console_browser.py."""
import http.client
import os
import re
import subprocess
import time
import unittest
import urllib.parse
import uuid

from harness import System, start_portal, totp

PASSWORD = "correct horse battery"


def read_qr(page, workdir):
    """The text of the QR code a page draws as an SVG path of unit squares (M x y h1v1h-1z),
    read by zbarimg from a picture of it (8 pixels a module, white around)."""
    svg = re.search(r'<figure class="qr"><svg [^>]*viewBox="0 0 (\d+) \d+"[^>]*>.*?<path [^>]*d="([^"]*)"', page)
    size, dark = int(svg.group(1)), set(re.findall(r"M(\d+) (\d+)h1v1h-1z", svg.group(2)))
    scale = 8
    path = os.path.join(workdir, "qr-%s.pgm" % uuid.uuid4().hex)
    with open(path, "wb") as f:
        f.write(b"P5 %d %d 255\n" % (size * scale, size * scale))
        for y in range(size):
            row = bytes(0 if (str(x), str(y)) in dark else 255 for x in range(size) for _ in range(scale))
            f.write(row * scale)
    out = subprocess.run(["zbarimg", "--quiet", "--raw", path], capture_output=True, text=True, timeout=30)
    return out.stdout.strip()


class Browser:
    """A visitor with its own cookies (no redirects followed)."""

    def __init__(self, port, lang="en"):
        self.port, self.lang, self.cookies = port, lang, {}

    def request(self, method, path, fields=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        page = r.read()
        c.close()
        for header, value in r.getheaders():
            if header.lower() == "set-cookie":
                name, rest = value.split("=", 1)
                v = rest.split(";", 1)[0]
                if "Max-Age=0" in value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = v
        r.page = page.decode(errors="replace") if "csv" not in (r.getheader("Content-Type") or "") else page
        return r

    def get(self, path, **kw):
        sep = "&" if "?" in path else "?"
        return self.request("GET", path + ("%slang=%s" % (sep, self.lang) if "lang=" not in path else ""), **kw)

    def csrf(self, page):
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)

    def form_key(self, page, path, fields=None):
        """The one-time idempotency key of the form of `page` that posts to path (of those, the
        first whose hidden fields agree with fields), or None."""
        for form in re.findall(r'<form method="post" action="%s">(.*?)</form>' % re.escape(path), page, re.S):
            hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', form))
            if all(hidden.get(k, v) == v for k, v in (fields or {}).items()):
                return hidden.get("idem")
        return None

    def post(self, path, page, **fields):
        """Posts a form of `page` (its csrf token and, when it has one, that form's idempotency
        key) with fields."""
        key = self.form_key(page, path, fields)
        extra = {"idem": key} if key and "idem" not in fields else {}
        return self.request("POST", path, dict(fields, csrf=self.csrf(page), lang=self.lang, **extra))

    def login(self, user, code, password=PASSWORD):
        page = self.get("/staff/login").page
        return self.post("/staff/login", page, username=user, password=password, totp=code)


class PortalSystem(unittest.TestCase):
    """One System (the daemons in SERVICES, with CURVE or not) and a portal for a test class,
    with accounts that sign in to the console (signed_in); populate() runs before the portal."""
    SERVICES, CURVE = ["complaints", "notify"], True

    @classmethod
    def populate(cls):
        pass

    @classmethod
    def setUpClass(cls):
        cls.s = System(cls.SERVICES, curve=cls.CURVE).__enter__()
        cls.populate()
        cls.logpath = os.path.join(cls.s.workdir, "portal.log")
        cls.portal, cls.port = start_portal(cls.s, cls.logpath)

    @classmethod
    def tearDownClass(cls):
        cls.portal.terminate()
        cls.portal.wait(10)
        cls.s.close()        # it fails the test on a sanitizer report in any log, the portal's too

    def account(self, role="secretariat", org=None, name="Sanne Jansen"):
        """An enrolled account: (username, TOTP secret)."""
        user = "p.%s" % uuid.uuid4().hex[:10]
        body = {"username": user, "name": name, "email": "%s@example.org" % user, "role": role}
        if org:
            body["org"] = org
        made = self.s.ok("membership", "account.create", body)
        got = self.s.ok("membership", "account.enroll", {"enroll_token": made["enroll_token"], "password": PASSWORD},
                        actor=False)
        return user, got["totp_secret"]

    def log_tail(self, path=None):
        """The end of a portal's log (the shared one by default), for a failure's message."""
        with open(path or self.logpath, errors="replace") as f:
            return ("\n--- portal log ---\n" + f.read()[-3000:]
                    + "\n--- membership log ---\n" + self.s.log("membership")[-3000:])

    def signed_in(self, role="secretariat", org=None, lang="en", name="Sanne Jansen"):
        user, secret = self.account(role, org, name)
        b = Browser(self.port, lang)
        r = b.login(user, totp(secret))
        self.assertEqual(r.status, 303, r.page[-600:] + self.log_tail())
        b.user, b.secret = user, secret
        return b


class ConsoleSystem(PortalSystem):
    """The console's system: two textile companies, brand and other."""

    @classmethod
    def populate(cls):
        cls.brand = cls.s.company("Console Brand BV", ["textile"])
        cls.other = cls.s.company("Other Brand BV", ["textile"])

    def complaint(self, name="Rahima Akter", summary="Locked fire exits"):
        body = {"covenant": "textile", "respondent": self.brand, "summary": summary,
                "description": "The doors were locked during the night shift.",
                "complainant": {"anonymous": False, "name": name, "contact": "rahima@example.org", "kind": "worker"}}
        return self.s.ok("complaints", "complaint.submit", body, actor=False)["case_id"]


class Console(ConsoleSystem):

    def test_sign_in_cookie_and_sign_out(self):
        b = Browser(self.port)
        r = b.get("/staff/")
        self.assertEqual(r.status, 303)
        self.assertTrue(r.getheader("Location").startswith("/staff/login"))
        user, secret = self.account(name="Anna de Vries")
        # Wrong password: 401 with a page that says so, and no session cookie.
        r = b.login(user, totp(secret), password="not the password")
        self.assertEqual(r.status, 401)
        self.assertIn("Signing in failed", r.page)
        self.assertNotIn("imvo_staff", b.cookies)
        r = b.login(user, totp(secret))
        self.assertEqual(r.status, 303, r.page)
        cookie = [v for k, v in r.getheaders() if k.lower() == "set-cookie"][0]
        self.assertRegex(cookie, r"^imvo_staff=[0-9a-f]{64}; ")
        for attribute in ("HttpOnly", "SameSite=Strict", "Path=/staff"):
            self.assertIn(attribute, cookie)
        self.assertNotIn("Secure", cookie)          # no TLS here
        r = b.get("/staff/")
        self.assertEqual(r.status, 200)
        self.assertIn("Anna de Vries", r.page)
        self.assertIn("Content-Security-Policy", dict(r.getheaders()))
        self.assertNotIn("<script", r.page)
        token = b.cookies["imvo_staff"]
        r = b.post("/staff/logout", r.page)
        self.assertEqual(r.status, 303)
        self.assertNotIn("imvo_staff", b.cookies)
        # The old token is no good any more: the page sends it to sign in again.
        b.cookies["imvo_staff"] = token
        r = b.get("/staff/")
        self.assertEqual(r.status, 303)
        self.assertIn("ended=1", r.getheader("Location"))
        self.assertIn("Your session has ended", b.get(r.getheader("Location")).page)

    def test_wrong_totp_gives_no_session_and_five_wrong_passwords_lock(self):
        user, secret = self.account()
        b = Browser(self.port)
        wrong = "%06d" % ((int(totp(secret)) + 1) % 1000000)
        r = b.login(user, wrong)
        self.assertEqual(r.status, 401)
        self.assertNotIn("imvo_staff", b.cookies)
        for _ in range(4):
            self.assertEqual(b.login(user, totp(secret), password="wrong password!").status, 401)
        # Five wrong: now the right password and code are refused too.
        r = b.login(user, totp(secret, step=1))
        self.assertEqual(r.status, 401)
        self.assertIn("locked", r.page)
        self.assertNotIn("imvo_staff", b.cookies)

    def test_a_case_from_queue_to_identity(self):
        case_id = self.complaint(summary="Locked fire exits at the knitting hall")
        b = self.signed_in()
        r = b.get("/staff/cases?covenant=textile")
        self.assertEqual(r.status, 200, r.page)
        self.assertIn(case_id, r.page)
        page = b.get("/staff/case/%s" % case_id).page
        self.assertIn("Locked fire exits", page)
        self.assertNotIn("Rahima Akter", page)              # hidden until asked
        # Acknowledge: the transition to admissibility, with its reason.
        r = b.post("/staff/case/%s/transition" % case_id, page, to="admissibility", reason="Acknowledged")
        self.assertEqual(r.status, 303, r.page)
        got = self.s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertEqual(got["status"], "admissibility")
        self.assertEqual(got["history"][-1].get("person"), b.user)
        page = b.get("/staff/case/%s" % case_id).page
        self.assertIn("data-status=\"admissibility\"", page)
        r = b.post("/staff/case/%s/assign" % case_id, page, person=b.user)
        self.assertEqual(r.status, 303, r.page)
        page = b.get("/staff/case/%s" % case_id).page
        self.assertRegex(page, r'id="assigned">%s' % re.escape(b.user))
        r = b.post("/staff/case/%s/note" % case_id, page, text="Called the union <b>today</b>")
        self.assertEqual(r.status, 303, r.page)
        page = b.get("/staff/case/%s" % case_id).page
        self.assertIn("Called the union &lt;b&gt;today&lt;/b&gt;", page)
        # Show identity: a POST; the page names the complainant.
        r = b.post("/staff/case/%s/identity" % case_id, page)
        self.assertEqual(r.status, 200, r.page)
        self.assertIn("Rahima Akter", r.page)
        items = self.s.ok("complaints", "audit.list", {"case_id": case_id})["items"]
        self.assertTrue(any(i["person"] == b.user and i["action"] == "complaint.identity" for i in items), items)
        page = b.get("/staff/audit?case_id=%s" % case_id).page
        self.assertIn(b.user, page)

    def test_stale_or_foreign_csrf_changes_nothing(self):
        case_id = self.complaint()
        a, other = self.signed_in(), self.signed_in()
        page = a.get("/staff/case/%s" % case_id).page
        foreign = other.get("/staff/case/%s" % case_id).page
        for token in ("0" * 64, other.csrf(foreign), ""):
            with self.subTest(token=token[:8]):
                r = a.request("POST", "/staff/case/%s/transition" % case_id,
                              {"csrf": token, "to": "admissibility", "reason": "x", "lang": "en"})
                self.assertEqual(r.status, 403)
                self.assertIn("Nothing was changed", r.page)
        self.assertEqual(self.s.ok("complaints", "complaint.get", {"case_id": case_id})["status"], "received")
        # A form of an ended session: back to sign in, nothing done.
        a.post("/staff/logout", page)
        a.cookies["imvo_staff"] = "f" * 64
        r = a.post("/staff/case/%s/transition" % case_id, page, to="admissibility", reason="x")
        self.assertEqual(r.status, 303)
        self.assertTrue(r.getheader("Location").startswith("/staff/login"))
        self.assertEqual(self.s.ok("complaints", "complaint.get", {"case_id": case_id})["status"], "received")

    def test_bad_input_is_explained(self):
        case_id = self.complaint()
        b = self.signed_in()
        page = b.get("/staff/case/%s" % case_id).page
        r = b.post("/staff/case/%s/transition" % case_id, page, to="admissibility", reason="")
        self.assertEqual(r.status, 400)
        self.assertIn("Please fill in", r.page)
        r = b.post("/staff/case/%s/message" % case_id, page, text="x" * 20001, to="complainant")
        self.assertEqual(r.status, 400)
        self.assertIn("text", r.page)
        # A move the life cycle does not allow.
        r = b.post("/staff/case/%s/transition" % case_id, page, to="decided", reason="no")
        self.assertIn(r.status, (400, 403, 409))
        self.assertEqual(self.s.ok("complaints", "complaint.get", {"case_id": case_id})["status"], "received")
        self.assertEqual(b.get("/staff/case/NOT-A-CASE").status, 404)
        self.assertEqual(b.get("/staff/case/TEXTILE-2020-9999").status, 404)
        self.assertEqual(b.get("/staff/nothing-here").status, 404)

    def test_a_company_sees_only_its_own_cases(self):
        mine = self.complaint()
        body = {"covenant": "textile", "respondent": self.other, "summary": "Another", "description": "Another",
                "complainant": {"anonymous": True}}
        theirs = self.s.ok("complaints", "complaint.submit", body, actor=False)["case_id"]
        b = self.signed_in(role="company", org=self.brand)
        self.assertEqual(b.get("/staff/case/%s" % mine).status, 200)
        r = b.get("/staff/case/%s" % theirs)
        self.assertEqual(r.status, 403)
        self.assertIn("Not allowed", r.page)
        self.assertEqual(b.get("/staff/cases?covenant=textile").status, 403)
        self.assertEqual(b.get("/staff/inbox").status, 200)

    def test_every_page_in_both_languages(self):
        b = self.signed_in(lang="nl")
        case_id = self.complaint()
        pages = ["/staff/", "/staff/cases?covenant=textile", "/staff/case/%s" % case_id,
                 "/staff/inbox?covenant=textile", "/staff/members?covenant=textile",
                 "/staff/locations?covenant=textile"]
        pages.append("/staff/audit")
        for path in pages:
            for lang, word in (("nl", "Afmelden"), ("en", "Sign out")):
                with self.subTest(path=path, lang=lang):
                    r = b.get(path + ("&" if "?" in path else "?") + "lang=" + lang)
                    self.assertEqual(r.status, 200, r.page[:2000])
                    self.assertIn('<html lang="%s"' % lang, r.page)
                    self.assertIn(word, r.page)
        # Without ?lang=: Accept-Language, else Dutch.
        r = b.request("GET", "/staff/", headers={"Accept-Language": "en-GB,en;q=0.8"})
        self.assertIn('<html lang="en"', r.page)
        self.assertIn('<html lang="nl"', b.request("GET", "/staff/").page)

    def test_members_register_join_and_leave(self):
        b = self.signed_in()
        page = b.get("/staff/members?covenant=textile").page
        name = "Console Newcomer %s BV" % uuid.uuid4().hex[:6]
        r = b.post("/staff/members/register", page, covenant="textile", name=name, kind="company", country="NL",
                   role="supporter")
        self.assertEqual(r.status, 303, r.page)
        page = b.get("/staff/members?covenant=textile").page
        self.assertIn(name, page[page.index('id="members"'):page.index("</table>")])
        org = [m["org_id"] for m in self.s.ok("membership", "member.list", {"covenant": "textile"})["members"]
               if m["name"] == name][0]
        r = b.post("/staff/members/leave", page, covenant="textile", org_id=org, reason="Stopped trading")
        self.assertEqual(r.status, 303, r.page)
        page = b.get("/staff/members?covenant=textile").page
        self.assertNotIn(name, page[page.index('id="members"'):page.index("</table>")])

    def test_queue_filters_and_search(self):
        word = "zq%s" % uuid.uuid4().hex[:8]
        found = self.complaint(summary="Wages withheld %s" % word)
        other = self.complaint(summary="Unrelated matter")
        b = self.signed_in()
        page = b.get("/staff/cases?covenant=textile&q=%s" % word).page
        self.assertIn(found, page)
        self.assertNotIn(other, page)
        page = b.get("/staff/cases?covenant=textile&status=received&respondent=%s" % self.brand).page
        self.assertIn(found, page)
        self.assertIn(other, page)
        self.assertNotIn(other, b.get("/staff/cases?covenant=textile&status=closed").page)
        self.assertEqual(b.get("/staff/cases?covenant=textile&status=nonsense").status, 400)

    def test_secure_cookie_behind_tls_and_no_console_without_a_gateway_certificate(self):
        log = os.path.join(self.s.workdir, "portal-tls.log")
        portal, port = start_portal(self.s, log, IMVO_PORTAL_TLS="1")
        try:
            user, secret = self.account()
            b = Browser(port)
            r = b.login(user, totp(secret))
            self.assertEqual(r.status, 303, r.page[-600:] + self.log_tail(log))
            cookie = [v for k, v in r.getheaders() if k.lower() == "set-cookie"][0]
            self.assertIn("; Secure", cookie)
        finally:
            portal.terminate()
            portal.wait(10)
        # With CURVE a portal whose certificate is not a gateway's does not start: with a
        # service's, every person's request would have been the service's.
        log = os.path.join(self.s.workdir, "portal-service-cert.log")
        with self.assertRaises(AssertionError):
            start_portal(self.s, log, IMVO_CERT=self.s.cert("portal-service", "service"))
        with open(log) as f:
            self.assertIn("needs a certificate of role gateway", f.read())

    def test_export_downloads_csv(self):
        case_id = self.complaint(summary="Exported case")
        b = self.signed_in()
        r = b.get("/staff/export?covenant=textile")
        self.assertEqual(r.status, 200, r.page)
        self.assertIn("text/csv", r.getheader("Content-Type"))
        self.assertIn("attachment", r.getheader("Content-Disposition"))
        self.assertIn(case_id.encode(), r.page)
        self.assertNotIn(b"Rahima Akter", r.page)
        committee = self.signed_in(role="committee")
        self.assertEqual(committee.get("/staff/export?covenant=textile").status, 403)

    def test_the_same_form_twice_changes_once(self):
        case_id = self.complaint()
        b = self.signed_in()
        page = b.get("/staff/case/%s" % case_id).page
        key = b.form_key(page, "/staff/case/%s/note" % case_id)
        self.assertRegex(key, r"^[0-9a-f]{32}$")
        # A double-click or a resent form: the same key, one note, one move, one assignment.
        for _ in range(2):
            r = b.post("/staff/case/%s/note" % case_id, page, text="Only once, please")
            self.assertEqual(r.status, 303, r.page)
            r = b.post("/staff/case/%s/transition" % case_id, page, to="admissibility", reason="Acknowledged once")
            self.assertEqual(r.status, 303, r.page)
            r = b.post("/staff/case/%s/assign" % case_id, page, person=b.user)
            self.assertEqual(r.status, 303, r.page)
        got = self.s.ok("complaints", "complaint.get", {"case_id": case_id})
        self.assertEqual([h["to"] for h in got["history"]].count("admissibility"), 1, got["history"])
        page = b.get("/staff/case/%s" % case_id).page
        self.assertEqual(page.count("Only once, please"), 1)
        # Every rendering has keys of its own: the next note is a note of its own.
        self.assertNotEqual(b.form_key(page, "/staff/case/%s/note" % case_id), key)
        self.assertEqual(b.post("/staff/case/%s/note" % case_id, page, text="Only once, please").status, 303)
        self.assertEqual(b.get("/staff/case/%s" % case_id).page.count("Only once, please"), 2)

    def test_other_pages_answer_while_a_sign_in_waits(self):
        """Sign-in waits for membership on a worker, not on the HTTP thread: with one HTTP thread
        and membership stopped (SIGSTOP), the sign-in page and /healthz still answer at once."""
        import signal
        import threading
        user, secret = self.account()
        log = os.path.join(self.s.workdir, "portal-one-thread.log")
        portal, port = start_portal(self.s, log, IMVO_PORTAL_THREADS="1")
        membership = self.s.procs["membership"]
        try:
            b = Browser(port)
            page = b.get("/staff/login").page
            outcome = {}
            membership.send_signal(signal.SIGSTOP)
            started = time.monotonic()

            def sign_in():
                outcome["r"] = b.post("/staff/login", page, username=user, password=PASSWORD, totp=totp(secret))
                outcome["took"] = time.monotonic() - started
            t = threading.Thread(target=sign_in)
            t.start()
            time.sleep(0.3)
            other = Browser(port)
            for path in ("/healthz", "/staff/login?lang=en", "/style.css"):
                at = time.monotonic()
                r = other.request("GET", path)
                self.assertEqual(r.status, 200, path)
                self.assertLess(time.monotonic() - at, 0.5, path)
            self.assertNotIn("r", outcome)          # the sign-in is still waiting
        finally:
            membership.send_signal(signal.SIGCONT)
            t.join(20)
            portal.terminate()
            portal.wait(10)
        self.assertIn(outcome["r"].status, (303, 503), outcome["r"].page[:500])

    def test_accounts_enrollment_and_own_password(self):
        b = self.signed_in()
        page = b.get("/staff/accounts").page
        self.assertIn(b.user, page)
        user, new, newer = "p.%s" % uuid.uuid4().hex[:10], "a long new password 1", "a longer new password 2"
        # Bad input: said, and nothing made.
        r = b.post("/staff/accounts/create", page, username=user, name="Noor Bakker", email="", role="committee")
        self.assertEqual(r.status, 400)
        self.assertIn("Nothing was changed", r.page)
        r = b.post("/staff/accounts/create", r.page, username=user, name="Noor Bakker", email="noor", role="committee")
        self.assertEqual(r.status, 400, r.page)
        self.assertIn("email", r.page)
        self.assertIn('value="Noor Bakker"', r.page)            # the form again, as typed
        listed = self.s.ok("membership", "account.list", {})["accounts"]
        self.assertNotIn(user, [a["username"] for a in listed])
        # Made: the enrollment code and the page's address, once; the same form again shows the same.
        fields = dict(username=user, name="Noor Bakker", email="noor@example.org", role="committee", account_lang="nl")
        r = b.post("/staff/accounts/create", page, **fields)
        self.assertEqual(r.status, 200, r.page)
        token = re.search(r'id="enroll-token" class="secret">([0-9a-f]{64})<', r.page).group(1)
        self.assertIn("/staff/enroll", r.page)
        again = b.post("/staff/accounts/create", page, **fields)
        self.assertEqual(again.status, 200, again.page)
        self.assertIn(token, again.page)
        # Enrolling (public): bad input first, then the password, and the TOTP secret shown.
        e = Browser(self.port)
        form = e.get("/staff/enroll").page
        self.assertNotIn("Sign out", form)
        for pw, repeat, why in ((new, new + "x", "differ"), ("tiny pw", "tiny pw", "too short")):
            r = e.post("/staff/enroll", form, enroll_token=token, new_password=pw, repeat=repeat)
            self.assertEqual(r.status, 400)
            self.assertIn(why, r.page)
            self.assertIn("Nothing was changed", r.page)
            self.assertNotIn(pw, r.page)
        r = e.request("POST", "/staff/enroll", {"csrf": "0" * 64, "enroll_token": token, "new_password": new,
                                                "repeat": new, "lang": "en"})
        self.assertEqual(r.status, 403)
        r = e.post("/staff/enroll", form, enroll_token=token, new_password=new, repeat=new)
        self.assertEqual(r.status, 200, r.page)
        secret = re.search(r'id="totp-secret" class="secret">([A-Z2-7 ]+)<', r.page).group(1).replace(" ", "")
        self.assertIn("otpauth://totp/IMVO:%s?secret=%s&amp;issuer=IMVO" % (user, secret), r.page)
        # The QR code beside them reads back as that link (zbarimg, as a phone's camera would).
        self.assertEqual(read_qr(r.page, self.s.workdir),
                         "otpauth://totp/IMVO:%s?secret=%s&issuer=IMVO&algorithm=SHA1&digits=6&period=30" % (user, secret))
        # A double-click shows the same secret; another form with the used code is refused.
        self.assertIn(r.page[r.page.index('id="totp-secret"'):][:80],
                      e.post("/staff/enroll", form, enroll_token=token, new_password=new, repeat=new).page)
        r = e.post("/staff/enroll", e.get("/staff/enroll").page, enroll_token=token, new_password=new, repeat=new)
        self.assertEqual(r.status, 400)
        self.assertIn("used already", r.page)
        # She signs in, and changes her password: a wrong present one is refused; her session stays.
        n = Browser(self.port)
        self.assertEqual(n.login(user, totp(secret), password=new).status, 303)
        page = n.get("/staff/account").page
        self.assertIn(user, page)
        r = n.post("/staff/account/password", page, password="not my password", new_password=newer, repeat=newer)
        self.assertEqual(r.status, 400)
        self.assertIn("present password is wrong", r.page)
        r = n.post("/staff/account/password", page, password=new, new_password=newer, repeat=newer + "!")
        self.assertEqual(r.status, 400)
        r = n.post("/staff/account/password", page, password=new, new_password=newer, repeat=newer)
        self.assertEqual(r.status, 303, r.page)
        self.assertIn("password is changed", n.get(r.getheader("Location")).page)
        self.assertEqual(n.get("/staff/accounts").status, 403)          # the committee manages none
        self.assertEqual(Browser(self.port).login(user, totp(secret, step=1), password=new).status, 401)
        # The secretariat gives her a new enrollment (her sessions end), then disables the account.
        page = b.get("/staff/accounts").page
        r = b.post("/staff/accounts/reset", page, username=user, what="totp")
        self.assertEqual(r.status, 200, r.page)
        self.assertRegex(r.page, r'id="enroll-token" class="secret">[0-9a-f]{64}<')
        self.assertEqual(n.get("/staff/").status, 303)
        page = b.get("/staff/accounts").page
        r = b.post("/staff/accounts/disable", page, username=user)
        self.assertEqual(r.status, 303, r.page)
        status = [a["status"] for a in self.s.ok("membership", "account.list", {})["accounts"] if a["username"] == user]
        self.assertEqual(status, ["disabled"])
        self.assertIn("disabled", b.get(r.getheader("Location")).page)

    def test_covenant_names_in_the_page_language(self):
        cov = self.s.ok("membership", "covenant.get", {"code": "textile"})
        b = self.signed_in()
        self.assertIn(cov["name_nl"], b.get("/staff/?lang=nl").page)
        self.assertIn(cov["name_en"], b.get("/staff/?lang=en").page)
        self.assertIn(cov["name_nl"], b.get("/staff/cases?covenant=textile&lang=nl").page)
        self.assertIn(cov["name_nl"], Browser(self.port, "nl").get("/").page)

    def test_organisations_are_named_not_numbered(self):
        """A secretariat officer, a committee member and a company's person read a company's
        name where the console showed its org id: the queue (of one covenant and of all, which
        the portal did not survive before), a case's page, the line naming who is signed in and
        the secretariat's accounts.
        A company a trade association signed for is named too; the id stays in a title."""
        s = self.s
        summary = "Named %s" % uuid.uuid4().hex[:8]
        case = self.complaint(summary=summary)
        assoc = s.ok("membership", "org.register", {"name": "Named Association", "kind": "trade_association",
                                                    "country": "NL"})["org_id"]
        s.ok("membership", "member.join", {"covenant": "textile", "org_id": assoc, "role": "party"})
        listed = s.ok("membership", "org.register", {"name": "Listed Knitwear BV", "kind": "company",
                                                     "country": "NL"})["org_id"]
        s.ok("membership", "member.associates", {"covenant": "textile", "org_id": assoc, "companies": [listed]})
        via = s.ok("complaints", "complaint.submit", {
            "covenant": "textile", "respondent": listed, "summary": summary + " via", "description": "Harm.",
            "complainant": {"anonymous": True}}, actor=False)["case_id"]
        time.sleep(1.1)             # the portal keeps a covenant's member list for a second

        def shown(page, org):       # the org's id as text a person reads (not in an attribute)
            return re.search(r">[^<]*\b%s\b[^<]*<" % re.escape(org), page)

        for role in ("secretariat", "committee"):
            b = self.signed_in(role)
            for path in ("/staff/cases?covenant=textile&q=%s" % summary.split()[1], "/staff/cases"):
                r = b.get(path)
                self.assertEqual(r.status, 200, path + self.log_tail())
                row = re.search(r"<tr>(?:(?!</tr>).)*%s(?:(?!</tr>).)*</tr>" % case, r.page, re.S)
                self.assertIsNotNone(row, path)
                self.assertIn('<span title="%s">Console Brand BV</span>' % self.brand, row.group(0))
                self.assertFalse(shown(r.page, self.brand), path)
            page = b.get("/staff/case/%s" % case).page
            self.assertIn("Console Brand BV", page)
            self.assertFalse(shown(page, self.brand))
            page = b.get("/staff/case/%s" % via).page
            self.assertIn('<span title="%s">Listed Knitwear BV</span>' % listed, page)
            self.assertIn("Named Association", page[page.index('id="association"'):])
            self.assertFalse(shown(page, listed) or shown(page, assoc))
        company = self.signed_in("company", self.brand)
        for path in ("/staff/", "/staff/case/%s" % case, "/staff/inbox"):
            page = company.get(path).page
            who = re.search(r'<p class="who">.*?</p>', page).group(0)
            self.assertIn("Console Brand BV", who, path)
            self.assertFalse(shown(page, self.brand), path)
        # The secretariat's accounts page names the company of a company's account.
        page = self.signed_in("secretariat").get("/staff/accounts").page
        row = re.search(r"<tr>(?:(?!</tr>).)*%s(?:(?!</tr>).)*</tr>" % re.escape(company.user), page, re.S).group(0)
        self.assertIn('<span title="%s">Console Brand BV</span>' % self.brand, row)


class ConsoleClock(unittest.TestCase):
    """An idle session ends on membership's clock (moved by IMVO_CLOCK_OFFSET_S)."""

    def test_an_idle_session_ends(self):
        s = System(["membership"]).__enter__()
        portal = None
        try:
            made = s.ok("membership", "account.create", {"username": "p.idle", "name": "Idle Person",
                                                         "email": "idle@example.org", "role": "secretariat"})
            secret = s.ok("membership", "account.enroll", {"enroll_token": made["enroll_token"],
                                                            "password": PASSWORD}, actor=False)["totp_secret"]
            log = os.path.join(s.workdir, "portal.log")
            portal, port = start_portal(s, log)
            b = Browser(port)
            self.assertEqual(b.login("p.idle", totp(secret)).status, 303)
            self.assertEqual(b.get("/staff/").status, 200)
            # 31 minutes later on membership's clock (the portal follows the restarted daemon).
            s.extra_env["IMVO_CLOCK_OFFSET_S"] = str(31 * 60)
            s.stop("membership")
            s.start("membership")
            portal.terminate()
            portal.wait(10)
            portal, port = start_portal(s, log + ".2")
            b.port = port
            r = b.get("/staff/")
            self.assertEqual(r.status, 303)
            self.assertIn("ended=1", r.getheader("Location"))
            self.assertNotIn("imvo_staff", b.cookies)
        finally:
            if portal:
                portal.terminate()
                portal.wait(10)
            s.close()


if __name__ == "__main__":
    unittest.main()

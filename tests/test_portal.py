"""The portal in a real browser: Debian's Chromium driven by playwright-core (tests/portal/),
against the real daemons with CURVE and the portal filing through the intake queue as the Redis
user intake. A worker files a complaint in Dutch and in English, keeps the receipt, follows the
case as the secretariat moves it with imvoctl, and sends a message; a double submit files one
case; a wrong receipt and a missing field get clear messages; /metrics parses with
prometheus_client. The screenshots (phone and desktop) go to <build>/screenshots."""
import json
import os
import shutil
import subprocess
import time
import unittest
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from harness import BUILD_DIR, HERE, USER_PASSWORD, System, daemon_path, free_port, imvoctl_path

CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "imvo-playwright")
SHOTS = os.path.join(BUILD_DIR, "screenshots")


def playwright():
    """playwright-core from the npm registry, once per machine (it never downloads a browser)."""
    os.makedirs(CACHE, exist_ok=True)
    for name in ("package.json", "browser.mjs"):
        shutil.copy(os.path.join(HERE, "portal", name), CACHE)
    if not os.path.isdir(os.path.join(CACHE, "node_modules", "playwright-core")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=CACHE, check=True,
                       capture_output=True, timeout=300)
    return os.path.join(CACHE, "browser.mjs")


class Portal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.script = playwright()
        os.makedirs(SHOTS, exist_ok=True)
        cls.s = System(["complaints", "notify"], curve=True).__enter__()
        s = cls.s
        cls.company = "Dhaka Knitwear Brand BV"
        cls.org = s.company(cls.company, ["textile"])
        cls.listen = "127.0.0.1:%d" % free_port()
        env = dict(s.env(), IMVO_PORTAL_LISTEN=cls.listen, IMVO_CERT=s.cert("portal", "service"),
                   IMVO_REDIS_URL="redis://intake:%s@127.0.0.1:%d/0" % (USER_PASSWORD % "intake", s.redis.port))
        cls.log = open(os.path.join(s.workdir, "portal.log"), "wb")
        cls.portal = subprocess.Popen([daemon_path("portal")], env=env, stdout=cls.log, stderr=subprocess.STDOUT)
        cls.base = "http://" + cls.listen
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                urllib.request.urlopen(cls.base + "/style.css", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.portal.terminate()
        cls.portal.wait(10)
        cls.log.close()
        cls.s.close()

    def browser(self, *args):
        out = subprocess.run(["node", self.script, args[0], self.base, SHOTS] + list(args[1:]),
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def cases(self):
        return int(self.s.redis.cli("ZCARD", "imvo:complaints:{textile}:cases"))

    def test_file_follow_and_write_in_both_languages(self):
        s = self.s
        for lang, title in (("nl", "Klacht indienen"), ("en", "File a complaint")):
            with self.subTest(lang=lang):
                before = self.cases()
                filed = self.browser("file", lang, "textile", self.company)
                self.assertTrue(filed["title"].startswith(title), filed)
                self.assertRegex(filed["receipt"], r"^TEXTILE(-[0-9A-Z]{4}){4}$")
                # The double submit showed the same receipt and made one case.
                self.assertEqual(filed["again"], filed["receipt"])
                self.assertEqual(self.cases(), before + 1)
                seen = self.browser("status", lang, filed["receipt"])
                self.assertEqual(seen["status"], "received")
                # The secretariat opens the admissibility check with imvoctl; the page says so.
                case_id = s.ok("complaints", "complaint.status", {"receipt": filed["receipt"]})["case_id"]
                env = dict(s.env(), IMVO_CERT=os.path.join(s.certs, "admin.txt_secret"))
                out = subprocess.run([imvoctl_path(), "complaint", "transition", case_id, "--to", "admissibility",
                                      "--reason", "acknowledged"], env=env, capture_output=True, text=True)
                self.assertEqual(out.returncode, 0, out.stderr)
                message = "Er is nieuw bewijs" if lang == "nl" else "I have new photos"
                seen = self.browser("status", lang, filed["receipt"], message)
                self.assertEqual(seen["status"], "admissibility")
                self.assertIn("commissie" if lang == "nl" else "committee", seen["words"])
                self.assertTrue(seen["sent"])
                self.assertIn(message, seen["messages"])
                # The complaint as the secretariat sees it: the complainant named, the place kept.
                got = s.ok("complaints", "complaint.get", {"case_id": case_id})
                self.assertEqual(got["respondent"], self.org)
                self.assertIn("Rahima Akter", json.dumps(got))
        for name in ("form", "receipt", "status"):
            for size in ("phone", "desktop"):
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "%s-%s.png" % (name, size))), 10000)

    def test_wrong_receipt_and_missing_field_are_explained(self):
        out = self.browser("wrong")
        self.assertIn("We do not know this receipt", out["wrong"])
        self.assertIn("Please fill in", out["missing"])
        self.assertIn("What is it about", out["missing"])

    def test_headers_and_limits(self):
        r = urllib.request.urlopen(self.base + "/?lang=en")
        csp = r.headers["Content-Security-Policy"]
        self.assertIn("default-src 'none'", csp)
        self.assertIn("form-action 'self'", csp)
        page = r.read().decode()
        self.assertNotIn("<script", page)
        self.assertNotRegex(page, r"(src|href)=\"https?://")      # no third-party assets
        # A body over 64 KiB is refused; a post without the CSRF token files nothing.
        before = self.cases()
        for data, code in ((b"x=" + b"a" * 70000, 413), (b"covenant=textile&key=" + b"0" * 32, 400)):
            with self.subTest(code=code):
                with self.assertRaises(urllib.error.HTTPError) as e:
                    urllib.request.urlopen(self.base + "/submit", data=data)
                self.assertEqual(e.exception.code, code)
        self.assertEqual(self.cases(), before)

    def test_public_pages_and_metrics(self):
        page = urllib.request.urlopen(self.base + "/decisions/textile?lang=en").read().decode()
        self.assertIn("Published decisions", page)
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(self.base + "/decisions/NOT%20A%20CODE")
        self.assertEqual(e.exception.code, 404)
        metrics = urllib.request.urlopen(self.base + "/metrics").read().decode()
        families = {f.name: f for f in text_string_to_metric_families(metrics)}
        up = {x.labels["service"]: x.value for x in families["imvo_up"].samples}
        self.assertEqual(up, {"membership": 1, "complaints": 1, "scoring": 0, "notify": 1})
        requests = {(x.labels["service"], x.labels["type"]): x.value for x in families["imvo_requests"].samples}
        self.assertGreaterEqual(requests[("membership", "member.join")], 1)     # the company joined
        self.assertGreaterEqual(requests[("complaints", "stats")], 1)
        self.assertIn("imvo_errors", families)
        self.assertIn("imvo_intake_queue_length", families)
        self.assertIn("imvo_notify_backlog", families)


if __name__ == "__main__":
    unittest.main()

"""The portal over HTTP against the real daemons with CURVE, the portal filing through the
intake queue as the Redis user intake (the browser tests, on the same set-up, are
tests/test_portal_browser.py): headers and limits, public pages, /metrics parsed with
prometheus_client, a submit answered at once while complaints is stalled.

Then hostile visitors on real sockets, each while another visitor (from another loopback
address: the limits are per address) is served: connections that trickle a byte at a time,
a URL with 10,000 query parameters, a 100 KB header, posts without a valid CSRF token; and a
form with invalid UTF-8, refused on the form naming the field, before anything is queued."""
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from harness import BUILD_DIR, HERE, System, start_portal

CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "imvo-playwright")
SHOTS = os.path.join(BUILD_DIR, "screenshots")


def playwright():
    """playwright-core and axe-core from the npm registry, once per machine (it never downloads a
    browser)."""
    os.makedirs(CACHE, exist_ok=True)
    # Every journey and the module they share (pages.mjs), beside the node_modules they import.
    for name in os.listdir(os.path.join(HERE, "portal")):
        if name == "package.json" or name.endswith(".mjs"):
            # Whole or not at all: another test's run.mjs may be reading its step meanwhile.
            shutil.copy(os.path.join(HERE, "portal", name), os.path.join(CACHE, ".%s.%d" % (name, os.getpid())))
            os.replace(os.path.join(CACHE, ".%s.%d" % (name, os.getpid())), os.path.join(CACHE, name))
    if not all(os.path.isdir(os.path.join(CACHE, "node_modules", m)) for m in ("playwright-core", "axe-core")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=CACHE, check=True,
                       capture_output=True, timeout=300)
    return os.path.join(CACHE, "browser.mjs")


def journey(name):
    """The path of tests/portal/<name> (a browser journey) beside playwright-core, with the
    screenshots' directory made: what each browser test's setUpClass needs."""
    os.makedirs(SHOTS, exist_ok=True)
    return os.path.join(os.path.dirname(playwright()), name)


_RUNNER = []        # this process's run.mjs: one node and one Chromium for all its steps


class Step:
    """A step of a journey (node SCRIPT ARGS...) run by this process's tests/portal/run.mjs,
    which starts node, playwright-core and Chromium once for all of them (they cost some 1.1
    CPU-seconds and 0.9 s a step started on its own). As the subprocess.Popen of that command
    would: poll(), communicate(timeout) -> (stdout, stderr), returncode. Steps run one at a time."""

    def __init__(self, script, *args):
        if not _RUNNER or _RUNNER[0].poll() is not None:
            errors = tempfile.TemporaryFile()
            _RUNNER[:] = [subprocess.Popen(["node", os.path.join(os.path.dirname(script), "run.mjs")],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True)]
            _RUNNER[0].errors = errors
        self.proc = _RUNNER[0]
        self.returncode, self.answer = None, {}
        self.proc.stdin.write(json.dumps({"argv": [script] + [str(a) for a in args]}) + "\n")
        self.proc.stdin.flush()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        line = self.proc.stdout.readline()
        if line:
            self.answer = json.loads(line)
        else:       # node ended: its own errors
            self.proc.wait()
            self.proc.errors.seek(0)
            self.answer = {"code": self.proc.returncode or 1, "stdout": "",
                           "stderr": self.proc.errors.read().decode(errors="replace")}
        self.returncode = self.answer["code"]

    def poll(self):
        return self.returncode

    def communicate(self, timeout=None):
        self.reader.join(timeout)
        if self.reader.is_alive():
            self.proc.kill()                # as subprocess.run does on a timeout; the next step starts another
            self.proc.wait()
            raise subprocess.TimeoutExpired(self.proc.args, timeout)
        return self.answer["stdout"], self.answer["stderr"]


def node(script, *args, timeout=180):
    """subprocess.run(["node", script, *args], capture_output=True, text=True, timeout=timeout), as a Step."""
    step = Step(script, *args)
    stdout, stderr = step.communicate(timeout)
    return subprocess.CompletedProcess(["node", script] + list(args), step.returncode, stdout, stderr)


@atexit.register
def _end_runner():
    for proc in _RUNNER:
        proc.stdin.close()                  # run.mjs closes Chromium and ends
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class PortalSystem(unittest.TestCase):
    """The daemons with CURVE and a portal of the test's own; tests/test_portal_browser.py runs
    its browser tests on one of its own (ctest runs the two files side by side)."""

    @classmethod
    def setUpClass(cls):
        cls.script = playwright()
        os.makedirs(SHOTS, exist_ok=True)
        cls.s = System(["complaints", "notify"], curve=True).__enter__()
        s = cls.s
        cls.company = "Dhaka Knitwear Brand BV"
        cls.org = s.company(cls.company, ["textile"])
        # Port 0: the portal takes a free port and its log says which. A request must arrive
        # whole within 3 s and /received waits up to 1.5 s (10 s and 5 s by default), so that
        # the tests of those limits are short.
        cls.logpath = os.path.join(s.workdir, "portal.log")
        cls.portal, cls.port = start_portal(s, cls.logpath, IMVO_PORTAL_REQUEST_S="3", IMVO_PORTAL_WAIT_MS="1500")
        cls.base = "http://127.0.0.1:%d" % cls.port

    @classmethod
    def tearDownClass(cls):
        cls.portal.terminate()
        cls.portal.wait(10)
        cls.s.close()        # it fails the test on a sanitizer report in any log, the portal's too

    def browser(self, *args):
        out = node(self.script, args[0], self.base, SHOTS, *args[1:], timeout=120)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def cases(self):
        return len(self.s.cases("textile"))

    def queued(self):
        """Entries ever added to the intake queue (complaints deletes each once settled)."""
        lines = self.s.redis.cli("XINFO", "STREAM", "imvo:complaints:intake").split("\n")
        return int(lines[lines.index("entries-added") + 1]) if "entries-added" in lines else 0

    def visit(self, path="/healthz", source="127.0.0.2", timeout=5):
        """Another visitor, from another loopback address: (status, seconds)."""
        t0 = time.monotonic()
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=(source, 0))
        try:
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            return r.status, time.monotonic() - t0
        finally:
            c.close()

    def raw(self, data, source="127.0.0.1", timeout=10):
        """Sends data on a fresh connection; the status of the answer (None: closed without one)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout, source_address=(source, 0))
        try:
            s.sendall(data)
            head = s.recv(64)
        except (ConnectionResetError, BrokenPipeError):
            head = b""
        finally:
            s.close()
        m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
        return int(m.group(1)) if m else None

    def form(self, lang="en", source="127.0.0.1"):
        """The complaint form as a browser gets it: its csrf cookie and hidden fields."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        c.request("GET", "/?lang=%s&covenant=textile" % lang)
        r = c.getresponse()
        page = r.read().decode()
        c.close()
        cookie = re.search(r"csrf=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1)
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
        return cookie, hidden, page

    def post(self, path, fields, cookie, source="127.0.0.1"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        body = fields if isinstance(fields, bytes) else urllib.parse.urlencode(fields).encode()
        c.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                    "Cookie": "csrf=%s" % cookie if cookie else ""})
        r = c.getresponse()
        page = r.read().decode(errors="replace")
        c.close()
        return r, page


class Portal(PortalSystem):
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
        for data, code in ((b"x=" + b"a" * 70000, 413), (b"covenant=textile&key=" + b"0" * 32, 403)):
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


    # --- the portal never waits, and hostile visitors --------------------------------------------

    def test_submit_and_health_do_not_wait_for_a_stalled_intake(self):
        # complaints stopped (SIGSTOP): nothing reads the intake queue and nothing answers
        # complaint.intake_result. The submit still answers at once, the page says the complaint
        # is being registered, and other visitors are served; the receipt follows once it runs.
        source = "127.0.0.4"
        cookie, hidden, _ = self.form(source=source)
        fields = dict(hidden, company=self.company, summary="Blocked exits", description="Blocked at night",
                      who="anonymous")
        complaints = self.s.procs["complaints"]
        complaints.send_signal(signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            r, _ = self.post("/submit", fields, cookie, source=source)
            self.assertEqual(r.status, 303)
            self.assertLess(time.monotonic() - t0, 1.0)
            intake = re.search(r"intake=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1)
            # The receipt page waits (suspended, IMVO_PORTAL_WAIT_MS) while others are served.
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
            waited = {}

            def wait_for_receipt():
                t0 = time.monotonic()
                c.request("GET", "/received?lang=en", headers={"Cookie": "intake=" + intake})
                got = c.getresponse()
                waited.update(status=got.status, page=got.read().decode(), took=time.monotonic() - t0)

            t = threading.Thread(target=wait_for_receipt)
            t.start()
            for path in ("/healthz", "/?lang=en&covenant=textile", "/healthz", "/style.css"):
                status, took = self.visit(path)
                self.assertEqual(status, 200, path)
                self.assertLess(took, 1.0, path)
            t.join()
            self.assertEqual(waited["status"], 200)
            self.assertIn("being registered", waited["page"])
            self.assertLess(waited["took"], 4.0)
        finally:
            complaints.send_signal(signal.SIGCONT)

        def receipt():
            c.request("GET", "/received?lang=en", headers={"Cookie": "intake=" + intake})
            return 'id="receipt"' in c.getresponse().read().decode()

        self.assertTrue(self.s.wait_for(receipt, timeout=15, interval=0.2))
        c.close()

    def test_trickling_connections_do_not_lock_others_out(self):
        # 256 connections that send one byte a second (faster than the idle timeout): the
        # portal takes IMVO_PORTAL_PER_ADDRESS (64) of them from one address and shuts each
        # once its request has not arrived whole within IMVO_PORTAL_REQUEST_S (3 s here).
        socks, stop = [], threading.Event()
        for _ in range(256):
            try:
                socks.append(socket.create_connection(("127.0.0.1", self.port), timeout=5))
            except OSError:
                pass
        closed, began = {}, time.monotonic()       # connection -> seconds until the portal ended it

        def trickle():
            request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
            for i in range(len(request)):
                if stop.is_set() or len(closed) == len(socks):
                    return
                for n, s in enumerate(socks):
                    if n in closed:
                        continue
                    try:
                        s.send(request[i:i + 1])
                        s.setblocking(False)
                        try:
                            if s.recv(64) == b"":
                                closed[n] = time.monotonic() - began
                        except BlockingIOError:
                            pass
                        finally:
                            s.setblocking(True)
                    except OSError:
                        closed[n] = time.monotonic() - began
                stop.wait(1)

        t = threading.Thread(target=trickle)
        t.start()
        try:
            # Meanwhile another visitor gets the health check and the form, promptly.
            for path in ("/healthz", "/?lang=en&covenant=textile", "/metrics"):
                status, took = self.visit(path)
                self.assertEqual(status, 200, path)
                self.assertLess(took, 2.0, path)
            # Every trickling connection ends: refused over the limit, or shut at the deadline.
            self.assertTrue(self.s.wait_for(lambda: len(closed) == len(socks), timeout=15, interval=0.2),
                            "%d of %d trickling connections still open" % (len(socks) - len(closed), len(socks)))
            # 64 were let in and shut at the 3 s deadline; the others were refused at once.
            late = [n for n, t in closed.items() if t >= 2.5]
            self.assertEqual(len(late), 64, sorted(closed.values()))
            self.assertEqual(len(socks) - len(late), len([t for t in closed.values() if t < 2.0]))
        finally:
            stop.set()
            t.join()
            for s in socks:
                s.close()
        status, _ = self.visit("/healthz", source="127.0.0.1")
        self.assertEqual(status, 200)

    def test_many_query_parameters_get_414(self):
        query = "&".join("a%d=1" % i for i in range(10000))
        for url in ("/?" + query, "/?" + "&".join("a" for _ in range(3000))):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % url).encode())
            self.assertEqual(self.visit("/healthz")[0], 200)          # another visitor meanwhile
            t0 = time.monotonic()
            head = s.recv(64)
            s.close()
            self.assertRegex(head, rb"^HTTP/1\.1 414 ")
            self.assertLess(time.monotonic() - t0, 2.0)

    def test_huge_header_is_refused(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
        self.assertEqual(self.visit("/healthz")[0], 200)
        head = s.recv(64)
        s.close()
        self.assertRegex(head, rb"^HTTP/1\.1 (431|400) ")

    def test_every_post_without_a_valid_token_is_403(self):
        cookie, hidden, _ = self.form()
        before = self.queued()
        for path in ("/submit", "/status", "/nothing-here", "/"):
            for fields, with_cookie in (({}, False), ({"csrf": "0" * 64}, True), ({"csrf": hidden["csrf"]}, False),
                                        ({"receipt": "TEXTILE-0000-0000-0000-0000", "key": "0" * 32}, True)):
                with self.subTest(path=path, fields=fields, cookie=with_cookie):
                    r, _ = self.post(path, fields, cookie if with_cookie else None)
                    self.assertEqual(r.status, 403)
                    self.assertEqual(self.visit("/healthz")[0], 200)
        self.assertEqual(self.queued(), before)

    def test_form_limits_come_from_the_catalogue_and_invalid_utf8_is_named(self):
        cookie, hidden, page = self.form()
        # The catalogue's limits (proto/catalogue_complaints.c), not numbers of the portal's own.
        self.assertRegex(page, r'<textarea id="description" name="description" required maxlength="20000">')
        self.assertRegex(page, r'id="summary" name="summary" value="" required maxlength="200"')
        before = self.queued()
        fields = dict(hidden, company=self.company, summary="Locked exits", who="anonymous")
        body = urllib.parse.urlencode(fields).encode() + b"&description=bad%FF%FEbytes"
        r, page = self.post("/submit", body, cookie)
        self.assertEqual(r.status, 400)
        self.assertIn("Please check this field: What happened?", page)
        self.assertIn("UTF-8", page)
        # A summary over the catalogue's 200 bytes, and a named complaint without contact.
        r, page = self.post("/submit", dict(fields, description="x", summary="s" * 201), cookie)
        self.assertEqual(r.status, 400)
        self.assertIn("What is it about?", page)
        r, page = self.post("/submit", dict(fields, description="x", who="named", name="Rahima"), cookie)
        self.assertEqual(r.status, 400)
        self.assertIn("Please fill in: E-mail or phone", page)
        self.assertEqual(self.queued(), before)

    def test_submit_answers_at_once_and_the_receipt_follows(self):
        source = "127.0.0.3"        # its own address: the browser test files four from 127.0.0.1
        cookie, hidden, _ = self.form(source=source)
        fields = dict(hidden, company=self.company, summary="Locked exits", description="Doors locked at night",
                      who="anonymous", country="bd")
        t0 = time.monotonic()
        r, _ = self.post("/submit", fields, cookie, source=source)
        self.assertLess(time.monotonic() - t0, 1.0)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.getheader("Location"), "/received?lang=en")
        intake = re.search(r"intake=([0-9a-f]{32}); Path=/received", r.getheader("Set-Cookie")).group(1)
        self.assertEqual(intake, hidden["key"])
        pages = []

        def received():
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5, source_address=(source, 0))
            c.request("GET", "/received?lang=en", headers={"Cookie": "intake=" + intake})
            got = c.getresponse()
            pages.append((got.status, got.read().decode()))
            c.close()
            return 'id="receipt"' in pages[-1][1]

        self.assertTrue(self.s.wait_for(received, timeout=15, interval=0.1))
        self.assertRegex(pages[-1][1], r'id="receipt">TEXTILE(-[0-9A-Z]{4}){4}<')
        for status, page in pages[:-1]:            # still being registered after the wait
            self.assertEqual(status, 200)
            self.assertIn('<a href="/received?lang=en">Look again</a>', page)
        self.assertNotIn("http-equiv", "".join(page for _, page in pages))     # the page never reloads itself
        # Without the cookie the page says the form expired: the key is never in a URL.
        self.assertEqual(self.visit("/received?lang=en")[0], 400)
        # A message that the catalogue refuses is named on the page and never sent.
        receipt = re.search(r'id="receipt">([^<]+)<', pages[-1][1]).group(1)
        body = urllib.parse.urlencode({"csrf": hidden["csrf"], "lang": "en", "receipt": receipt}).encode()
        r, page = self.post("/status", body + b"&text=bad%C0%AFbytes", cookie, source=source)
        self.assertEqual(r.status, 400)
        self.assertIn("Please check this field: Your message", page)
        self.assertIn('maxlength="20000"', page)              # complaint.message's text, from the catalogue
        case_id = self.s.ok("complaints", "complaint.status", {"receipt": receipt})["case_id"]
        got = self.s.ok("complaints", "complaint.messages", {"case_id": case_id}, actor={"role": "secretariat"})
        self.assertEqual(got["messages"], [])


if __name__ == "__main__":
    unittest.main()

"""The intake queue: producers that only have XADD rights on imvo:complaints:intake file
complaints while the complaints daemon is down, and learn their case ids by key afterwards;
an entry delivered again after a crash makes one case; invalid entries fail with the error a
request would get and never hold up the rest."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import uuid
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import msgpack

from harness import System

STREAM = "imvo:complaints:intake"


def envelope(s, key, n=0, anonymous=False, **change):
    body = {"covenant": "textile", "respondent": s.respondent, "summary": "Locked fire exits %d" % n,
            "description": "The fire exits of hall %d are locked during shifts." % n,
            "complainant": {"anonymous": anonymous}}
    if not anonymous:
        body["complainant"].update({"name": "Worker %d" % n, "contact": "w%d@example.org" % n})
    body.update(change)
    env = {"v": 1, "id": uuid.uuid4().hex, "type": "complaint.submit", "body": body}
    if key:
        env["key"] = key
    return msgpack.packb(env)


def result(s, key):
    return s.ok("complaints", "complaint.intake_result", {"key": key}, actor={"role": "service"})


class Intake(unittest.TestCase):

    def test_a_producer_with_xadd_rights_only_files_while_complaints_is_down(self):
        with System(["complaints"]) as s:
            # The shipped ACL user, with a password of the test's.
            with open(os.path.join(os.path.dirname(__file__), "..", "deploy", "redis", "intake.acl")) as f:
                rules = [line for line in f.read().splitlines() if line.startswith("user intake ")][0].split()[2:]
            s.redis.cli("ACL", "SETUSER", "intake", *rules, ">intake-pw")
            self.assertEqual(s.stop("complaints"), 0)
            as_intake = ["redis-cli", "-p", str(s.redis.port), "--user", "intake", "--pass", "intake-pw",
                         "--no-auth-warning"]
            keys = ["mail-%d" % i for i in range(3)]
            for i, key in enumerate(keys):
                out = subprocess.run(as_intake + ["-x", "XADD", STREAM, "*", "msg"], input=envelope(s, key, i, i == 0),
                                     capture_output=True, check=True).stdout
                self.assertRegex(out.decode(), r"^\d+-\d+")
            # It may do nothing else.
            denied = subprocess.run(as_intake + ["GET", "imvo:complaints:{textile}:seq"], capture_output=True,
                                    text=True).stdout
            self.assertIn("NOPERM", denied)
            s.start("complaints")
            self.assertTrue(s.wait_for(lambda: all(result(s, k)["state"] == "done" for k in keys)),
                            [result(s, k) for k in keys])
            done = [result(s, k) for k in keys]
            self.assertEqual(len({d["case_id"] for d in done}), 3)
            # Every complainant gets a receipt, kept with the outcome for 24 hours.
            self.assertRegex(done[0]["receipt"], r"^TEXTILE(-[0-9A-Z]{4}){4}$")
            self.assertRegex(done[1]["receipt"], r"^TEXTILE(-[0-9A-Z]{4}){4}$")
            got = s.ok("complaints", "complaint.get", {"case_id": done[1]["case_id"]})
            self.assertEqual(got["summary"], "Locked fire exits 1")
            self.assertEqual(result(s, "never-sent")["state"], "pending")
            self.assertEqual(s.redis.cli("XPENDING", STREAM, "complaints").split("\n")[0].strip(), "0")

    def test_an_entry_delivered_again_after_a_crash_makes_one_case(self):
        with System(["complaints"]) as s:
            key = "redelivered"
            # The first delivery reached the submit script (the case exists) and complaints died
            # before it acknowledged the entry: the entry is still pending for its consumer.
            first = s.ok("complaints", "complaint.submit", msgpack.unpackb(envelope(s, key, 7))["body"], key=key)
            self.assertEqual(s.stop("complaints", sig=9), -9)
            s.redis.cli("XGROUP", "CREATE", STREAM, "complaints", "0", "MKSTREAM")
            subprocess.run(["redis-cli", "-p", str(s.redis.port), "-x", "XADD", STREAM, "*", "msg"],
                           input=envelope(s, key, 7), check=True, capture_output=True)
            s.redis.cli("XREADGROUP", "GROUP", "complaints", "test-consumer", "COUNT", "10", "STREAMS", STREAM, ">")
            self.assertEqual(s.redis.cli("XPENDING", STREAM, "complaints").split("\n")[0].strip(), "1")
            s.start("complaints")
            self.assertTrue(s.wait_for(lambda: result(s, key)["state"] == "done"))
            self.assertEqual(result(s, key)["case_id"], first["case_id"])
            cases = s.cases("textile")
            self.assertEqual(cases, [first["case_id"]])
            self.assertTrue(s.wait_for(lambda: s.redis.cli("XPENDING", STREAM, "complaints").split("\n")[0].strip()
                                       == "0"))

    def test_invalid_entries_fail_with_the_error_a_request_gets_and_hold_up_nothing(self):
        with System(["complaints"]) as s:
            entries = [("good-1", envelope(s, "good-1", 1)),
                       ("empty-summary", envelope(s, "empty-summary", 2, summary="")),
                       ("no-name", envelope(s, "no-name", 3, complainant={"anonymous": False})),
                       ("wrong-type", msgpack.packb({"v": 1, "id": "x", "type": "complaint.get", "key": "wrong-type",
                                                     "body": {"case_id": "TEXTILE-2026-0001"}})),
                       (None, b"\xc1 not msgpack"),
                       (None, envelope(s, None, 4)),
                       ("good-2", envelope(s, "good-2", 5))]
            for _, msg in entries:
                subprocess.run(["redis-cli", "-p", str(s.redis.port), "-x", "XADD", STREAM, "*", "msg"], input=msg,
                               check=True, capture_output=True)
            self.assertTrue(s.wait_for(lambda: result(s, "good-2")["state"] == "done"))
            self.assertEqual(result(s, "good-1")["state"], "done")
            expect = {"empty-summary": ("invalid_argument", "summary"), "no-name": ("invalid_argument", "complainant.name"),
                      "wrong-type": ("invalid_argument", "type")}
            for key, (code, field) in expect.items():
                r = result(s, key)
                self.assertEqual((r["state"], r["error"]["code"], r["error"]["field"]), ("failed", code, field), r)
            # Every entry settled: none left pending, none blocks the queue.
            self.assertTrue(s.wait_for(lambda: s.redis.cli("XPENDING", STREAM, "complaints").split("\n")[0].strip()
                                       == "0"))
            err = s.call("complaints", "complaint.intake_result", {"key": "good-1"}, actor={"role": "company",
                                                                                          "org": "org-1"})["error"]
            self.assertEqual(err["code"], "forbidden")

    def test_outcomes_expire_after_a_day_and_the_older_hash_with_them(self):
        with System(["complaints"]) as s:
            subprocess.run(["redis-cli", "-p", str(s.redis.port), "-x", "XADD", STREAM, "*", "msg"],
                           input=envelope(s, "day-1", 1, anonymous=True), check=True, capture_output=True)
            self.assertTrue(s.wait_for(lambda: result(s, "day-1")["state"] == "done"))
            self.assertTrue(result(s, "day-1")["receipt"])
            ttl = int(s.redis.cli("TTL", "imvo:complaints:intake:result:day-1"))
            self.assertTrue(86000 < ttl <= 86400, ttl)
            # An outcome in the hash an earlier version kept (never trimmed) is still read, and the
            # hash lasts a day after this version first starts.
            self.assertEqual(s.stop("complaints"), 0)
            old = msgpack.packb({"state": "done", "case_id": "TEXTILE-2025-0007", "at": 1})
            s.redis.pipe([["HSET", "imvo:complaints:intake:results", "old-1", old]])
            s.start("complaints")
            self.assertEqual(result(s, "old-1")["case_id"], "TEXTILE-2025-0007")
            ttl = int(s.redis.cli("TTL", "imvo:complaints:intake:results"))
            self.assertTrue(86000 < ttl <= 86400, ttl)


def mail_file(d, name, msg):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(bytes(msg))
    return path


class MailIntake(unittest.TestCase):
    """Real mails, written with Python's email package, read by imvoctl with GMime."""

    @classmethod
    def setUpClass(cls):
        cls.s = System(["complaints"]).__enter__()
        cls.dir = tempfile.mkdtemp(prefix="imvo-mail-")

    @classmethod
    def tearDownClass(cls):
        cls.s.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def from_mail(self, path, *extra):
        out = self.s.imvoctl("--json", "complaint", "from-mail", "--covenant", "textile", "--respondent",
                             self.s.respondent, *extra, path)
        self.assertEqual(out.returncode, 0, out.stderr)
        return self.s.ok("complaints", "complaint.get", {"case_id": json.loads(out.stdout)["case_id"], "identity": True})

    def test_plain_text_mail_with_an_encoded_subject(self):
        m = EmailMessage()
        m["From"] = formataddr(("Ayşe Yılmaz", "ayse@example.org"))
        m["To"] = "klachten@example.org"
        m["Subject"] = "Şikâyet: unpaid wages at Denizli mill"
        m["Message-ID"] = make_msgid(domain="example.org")
        m.set_content("We were not paid for March.\nThe supervisor threatened us.\n")
        case = self.from_mail(mail_file(self.dir, "plain.eml", m))
        self.assertEqual(case["summary"], "Şikâyet: unpaid wages at Denizli mill")
        self.assertIn("We were not paid for March.", case["description"])
        self.assertEqual((case["complainant"]["name"], case["complainant"]["contact"]),
                         ("Ayşe Yılmaz", "ayse@example.org"))

    def test_html_only_mail_becomes_text(self):
        m = EmailMessage()
        m["From"] = "union@example.org"
        m["Subject"] = "Fire exits"
        m["Message-ID"] = make_msgid(domain="example.org")
        m.set_content("<html><body><p>The fire exits are <b>locked</b> &amp; blocked.</p>"
                      "<script>x()</script></body></html>", subtype="html")
        case = self.from_mail(mail_file(self.dir, "html.eml", m))
        self.assertIn("The fire exits are locked & blocked.", case["description"])
        self.assertNotIn("<b>", case["description"])
        self.assertEqual(case["complainant"]["name"], "union@example.org")

    def test_attachments_are_listed_and_the_same_mail_twice_is_one_case(self):
        m = EmailMessage()
        m["From"] = formataddr(("NGO researcher", "research@example.org"))
        m["Subject"] = "Child labour at a spinning mill"
        m["Message-ID"] = make_msgid(domain="example.org")
        m.set_content("See the photos and the report.")
        m.add_alternative("<p>See the photos and the report.</p>", subtype="html")
        m.add_attachment(b"\x89PNG" + b"\0" * 1020, maintype="image", subtype="png", filename="mill.png")
        m.add_attachment(b"%PDF-1.4 report", maintype="application", subtype="pdf", filename="report.pdf")
        path = mail_file(self.dir, "attach.eml", m)
        first = self.from_mail(path)
        self.assertIn("See the photos and the report.", first["description"])
        self.assertIn("mill.png (image/png, 1024 bytes)", first["description"])
        self.assertIn("report.pdf (application/pdf, 15 bytes)", first["description"])
        again = self.from_mail(path)
        self.assertEqual(again["case_id"], first["case_id"])

    def test_a_file_that_is_not_a_mail_is_refused(self):
        path = os.path.join(self.dir, "nothing.eml")
        with open(path, "w") as f:
            f.write("just some words\n")
        out = self.s.imvoctl("complaint", "from-mail", "--covenant", "textile", path)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("From", out.stderr)


if __name__ == "__main__":
    unittest.main()

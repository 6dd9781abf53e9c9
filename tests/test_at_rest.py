"""Confidentiality at rest (PROTOCOL.md, third part; docs/SECURITY.md, "The complainant's data
at rest"): with CURVE and Redis's AOF on, complaints are filed on the socket and through the
portal's form (the intake queue), then the AOF files and a dump (SAVE, uncompressed) are read
byte for byte: the complainants' names and contacts are in neither, while the words that are
not secret (a summary) are, so the search would have found them. The secretariat still reads
the identity with identity: true, the respondent when it was shared, and the intake stream
keeps no entry once its case exists."""
import glob
import http.client
import os
import re
import subprocess
import unittest
import urllib.parse

import msgpack

from harness import System, daemon_path, start_portal

# Words that must never be at rest in plain text, and words that must be (they are not secret):
# the second list shows the search finds what is there.
NAMED = {"name": "Rahima Begum-Secretname", "contact": "rahima.secretcontact@example.org"}
SHARED = {"name": "Kulsum Sharedname", "contact": "+880 1711 000042"}
FORM = {"name": "Nasrin Formname", "contact": "nasrin.formcontact@example.net"}
ANONYMOUS_CONTACT = "anon.secretcontact@example.com"


class AtRest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = System(["complaints"], curve=True).__enter__()
        s = cls.s
        cls.company = "Chittagong Denim Brand BV"
        cls.org = s.company(cls.company, ["textile"])
        cls.secrets = [v.encode() for d in (NAMED, SHARED, FORM) for v in d.values()] + [ANONYMOUS_CONTACT.encode()]
        cls.visible = []
        cls.cases = {}
        # On the socket: named, named and shared with the company, anonymous with a contact.
        for label, complainant in (("named", dict(NAMED, anonymous=False)),
                                   ("shared", dict(SHARED, anonymous=False, share_identity=True)),
                                   ("anonymous", {"anonymous": True, "contact": ANONYMOUS_CONTACT})):
            summary = "Visible summary %s socket" % label
            cls.visible.append(summary.encode())
            got = s.ok("complaints", "complaint.submit",
                       {"covenant": "textile", "respondent": cls.org, "summary": summary,
                        "description": "Wages withheld for three months", "complainant": complainant},
                       key="at-rest-" + label)
            cls.cases[label] = got["case_id"]
        # Through the portal's form: the portal seals her before it queues her.
        cls.start_portal()
        cls.cases["form"] = cls.file_by_form()
        # Attachments (issue 20, E): each with bytes of its own (a marker that occurs nowhere
        # else), in one call and in parts; every test below checks the AOF and the dump for them
        # as for the names.
        whole = b"Evidence-whole-7f3a: payslip of March, 4000 taka for 60 hours a week\n" * 3
        part0 = b"Evidence-part0-91c2: the gate was locked at 23:00\n" * 2
        part1 = b"Evidence-part1-c05e: and again at 02:00\n"
        cls.secrets += [whole[:60], part0[:50], part1[:40]]
        s.ok("complaints", "complaint.attach", {"case_id": cls.cases["named"], "name": "payslip.txt",
                                                "content_type": "text/plain", "data": whole})
        upload = s.ok("complaints", "complaint.attach", {"case_id": cls.cases["named"], "name": "gate.txt",
                                                         "content_type": "text/plain", "data": part0, "part": 0})["upload"]
        s.ok("complaints", "complaint.attach", {"upload": upload, "part": 1, "data": part1, "last": True})

    @classmethod
    def start_portal(cls):
        cls.logpath = os.path.join(cls.s.workdir, "portal.log")
        cls.portal, cls.port = start_portal(cls.s, cls.logpath)

    @classmethod
    def file_by_form(cls):
        c = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=10)
        c.request("GET", "/?lang=en&covenant=textile")
        r = c.getresponse()
        page = r.read().decode()
        c.close()
        cookie = re.search(r"csrf=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1)
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
        summary = "Visible summary of the form"
        cls.visible.append(summary.encode())
        fields = dict(hidden, company=cls.company, summary=summary, description="Locked in at night",
                      who="named", name=FORM["name"], contact=FORM["contact"], share="no")
        c = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=10)
        c.request("POST", "/submit", body=urllib.parse.urlencode(fields).encode(),
                  headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": "csrf=" + cookie})
        r = c.getresponse()
        r.read()
        c.close()
        assert r.status == 303, r.status
        outcome = {}

        def done():
            outcome.update(cls.s.ok("complaints", "complaint.intake_result", {"key": hidden["key"]}))
            return outcome["state"] != "pending"
        assert cls.s.wait_for(done), outcome
        assert outcome["state"] == "done", outcome
        return outcome["case_id"]

    @classmethod
    def tearDownClass(cls):
        cls.portal.terminate()
        cls.portal.wait(10)
        cls.s.close()

    def found_in(self, data):
        return [x.decode() for x in self.secrets if x in data]

    def test_the_aof_holds_no_name_or_contact(self):
        files = glob.glob(os.path.join(self.s.redis.dir, "appendonlydir", "*"))
        self.assertTrue(files)
        data = b""
        for name in files:
            with open(name, "rb") as f:
                data += f.read()
        self.assertEqual(self.found_in(data), [])
        for word in self.visible:               # the search finds what is there in plain text
            self.assertIn(word, data)

    def test_a_dump_holds_no_name_or_contact(self):
        # Uncompressed (LZF), so that a plain name would show as it is.
        self.s.redis.cli("CONFIG", "SET", "rdbcompression", "no")
        self.assertIn("OK", self.s.redis.cli("SAVE"))
        with open(os.path.join(self.s.redis.dir, "dump.rdb"), "rb") as f:
            data = f.read()
        self.assertEqual(self.found_in(data), [])
        for word in self.visible:
            self.assertIn(word, data)

    def identity(self, label, **kw):
        got = self.s.ok("complaints", "complaint.get", {"case_id": self.cases[label], "identity": True}, **kw)
        return {k: got["complainant"][k] for k in ("name", "contact") if k in got["complainant"]}

    def test_staff_read_the_identity_with_identity_true(self):
        self.assertEqual(self.identity("named"), NAMED)
        self.assertEqual(self.identity("shared"), SHARED)
        self.assertEqual(self.identity("form"), FORM)
        self.assertEqual(self.identity("anonymous"), {"contact": ANONYMOUS_CONTACT})
        plain = self.s.ok("complaints", "complaint.get", {"case_id": self.cases["named"]})["complainant"]
        self.assertEqual(plain, {"anonymous": False, "identity_hidden": True})

    def test_the_company_reads_only_what_was_shared(self):
        cert = self.s.cert("company-at-rest", "company", org=self.org)
        shared = self.s.ok("complaints", "complaint.get", {"case_id": self.cases["shared"]}, cert=cert)
        self.assertEqual({k: shared["complainant"].get(k) for k in ("name", "contact")}, SHARED)
        for label in ("named", "form", "anonymous"):
            got = self.s.ok("complaints", "complaint.get", {"case_id": self.cases[label]}, cert=cert)
            self.assertEqual(set(got["complainant"]) & {"name", "contact", "sealed", "sealed_for"}, set(), label)

    def test_the_intake_stream_keeps_no_settled_entry(self):
        stream = "imvo:complaints:intake"
        self.assertTrue(self.s.wait_for(lambda: self.s.redis.cli("XLEN", stream).strip() == "0"))
        # An entry sealed to another key fails naming the field, and goes too.
        sealed = bytes(range(88))           # not crypto_box_seal to complaints' key
        body = {"covenant": "textile", "respondent": self.org, "summary": "s", "description": "d",
                "complainant": {"sealed": sealed}}
        env = msgpack.packb({"v": 1, "id": "x" * 8, "type": "complaint.submit", "key": "at-rest-wrong-key",
                             "body": body}, use_bin_type=True)
        self.s.redis.pipe([["XADD", stream, "*", "msg", env]])
        outcome = {}

        def settled():
            outcome.update(self.s.ok("complaints", "complaint.intake_result", {"key": "at-rest-wrong-key"}))
            return outcome["state"] != "pending"
        self.assertTrue(self.s.wait_for(settled), outcome)
        self.assertEqual(outcome["state"], "failed")
        self.assertEqual(outcome["error"]["field"], "complainant.sealed")
        self.assertTrue(self.s.wait_for(lambda: self.s.redis.cli("XLEN", stream).strip() == "0"))

    def test_without_its_key_neither_complaints_nor_the_portal_starts(self):
        for name, var in (("complaints", "IMVO_DATA_KEY_FILE"), ("portal", "IMVO_DATA_PUBLIC_KEY_FILE")):
            with self.subTest(name=name):
                env = dict(self.s.env(), IMVO_PORTAL_LISTEN="127.0.0.1:0")
                if name == "portal":
                    env["IMVO_CERT"] = os.path.join(self.s.certs, "portal.txt_secret")
                env.pop(var)
                out = subprocess.run([daemon_path(name)], env=env, capture_output=True, text=True, timeout=15)
                self.assertNotEqual(out.returncode, 0)
                self.assertIn(var + " is not set", out.stdout + out.stderr)


if __name__ == "__main__":
    unittest.main()

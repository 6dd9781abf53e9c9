"""Evidence (issue 20, E): complaint.attach and complaint.attachment over the socket, imvoctl's
commands and the mail gateway. Files are read back byte for byte; their types are what their
bytes say (libmagic); 10 MiB a file and 25 MiB a case; Redis holds them sealed; the respondent
company reads only what the complainant shared."""
import email.message
import hashlib
import http.client
import os
import tempfile
import unittest
import uuid

from harness import SharedSystem
from test_console import ConsoleSystem

COMPLAINANT = {"role": "complainant"}
MIB = 1024 * 1024


def jpeg(size=200, fill=b"\0"):
    """A JPEG as libmagic reads one: its start of image, a JFIF header, then fill, then its end."""
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    body = (fill * (size // len(fill) + 1))[:max(0, size - len(head) - 2)]
    return head + body + b"\xff\xd9"


def pdf(text="Payslip March: 4,000 taka for 60 hours a week"):
    return ("%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n%% %s\ntrailer << /Root 1 0 R >>\n%%%%EOF\n"
            % text).encode()


class Evidence(SharedSystem):
    SERVICES = ["membership", "complaints"]

    def file(self, share=False, anonymous=False):
        complainant = {"anonymous": True} if anonymous else {
            "anonymous": False, "name": "Rahima", "contact": "rahima@example.org", "share_identity": share}
        return self.s.ok("complaints", "complaint.submit", {
            "covenant": "textile", "respondent": self.s.respondent, "summary": "Unpaid overtime",
            "description": "We work 60 hours and are paid for 48.", "complainant": complainant}, actor=False)

    def attach(self, body, actor=None, key=None):
        return self.s.call("complaints", "complaint.attach", body, actor=actor, key=key)

    def read(self, body, actor=None):
        return self.s.call("complaints", "complaint.attachment", body, actor=actor)

    def listed(self, case_id, actor=None):
        return self.s.ok("complaints", "complaint.get", {"case_id": case_id}, actor=actor)["attachments"]

    def test_a_photo_and_a_payslip_come_back_as_they_went_in_and_are_sealed_at_rest(self):
        case = self.file()
        photo, payslip = jpeg(3 * MIB // 2, os.urandom(64)), pdf()
        # The complainant's photo by receipt (in three sealed parts), staff's PDF by case id.
        a = self.attach({"receipt": case["receipt"], "name": "exit.jpg", "content_type": "image/jpeg", "data": photo},
                        actor=COMPLAINANT)
        self.assertTrue(a["ok"], a)
        self.assertEqual(a["body"]["sha256"], hashlib.sha256(photo).hexdigest())
        self.assertEqual(a["body"]["size"], len(photo))
        b = self.attach({"case_id": case["case_id"], "name": "payslip.pdf", "content_type": "application/pdf",
                         "data": payslip})
        self.assertTrue(b["ok"], b)
        got = self.read({"case_id": case["case_id"], "attachment_id": a["body"]["attachment_id"]})["body"]
        self.assertEqual((got["data"], got["name"], got["content_type"], got["size"], got["parts"]),
                         (photo, "exit.jpg", "image/jpeg", len(photo), 3))
        # A part alone, for a reader that streams.
        part = self.read({"case_id": case["case_id"], "attachment_id": a["body"]["attachment_id"], "part": 1})["body"]
        self.assertEqual(part["data"], photo[512 * 1024:1024 * 1024])
        # The complainant reads her own, not staff's.
        mine = self.read({"receipt": case["receipt"], "attachment_id": a["body"]["attachment_id"]}, actor=COMPLAINANT)
        self.assertEqual(mine["body"]["data"], photo)
        theirs = self.read({"receipt": case["receipt"], "attachment_id": b["body"]["attachment_id"]}, actor=COMPLAINANT)
        self.assertEqual(theirs["error"]["code"], "not_found")
        listed = self.listed(case["case_id"])
        self.assertEqual([(x["name"], x["content_type"], x["size"], x["from"], x["sha256"]) for x in listed],
                         [("exit.jpg", "image/jpeg", len(photo), "complainant", hashlib.sha256(photo).hexdigest()),
                          ("payslip.pdf", "application/pdf", len(payslip), "secretariat",
                           hashlib.sha256(payslip).hexdigest())])
        # Redis holds the parts sealed: not a byte of the PDF's text, nor the photo's fill.
        key = "imvo:complaints:{textile}:case:%s:attachment:%s" % (case["case_id"], b["body"]["attachment_id"])
        stored = self.s.redis.cli("LRANGE", key, 0, -1)
        self.assertTrue(stored.strip())
        self.assertNotIn("Payslip March", stored)

    def test_a_renamed_executable_or_a_type_not_allowed_is_refused_and_nothing_is_kept(self):
        case = self.file()
        with open("/bin/true", "rb") as f:
            program = f.read()
        r = self.attach({"case_id": case["case_id"], "name": "photo.jpg", "content_type": "image/jpeg", "data": program})
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "content_type"), r)
        self.assertIn("not image/jpeg", r["error"]["message"])
        r = self.attach({"case_id": case["case_id"], "name": "a.exe", "content_type": "application/x-msdownload",
                         "data": program})
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", "content_type"), r)
        # A PDF said to be a photo is refused as well: the bytes decide.
        r = self.attach({"case_id": case["case_id"], "name": "x.jpg", "content_type": "image/jpeg", "data": pdf()})
        self.assertEqual(r["error"]["field"], "content_type", r)
        self.assertEqual(self.listed(case["case_id"]), [])
        # Each field of the call is checked, and named.
        for body, field in (({"name": "a", "content_type": "text/plain", "data": b"x"}, "case_id"),
                            ({"case_id": case["case_id"], "content_type": "text/plain", "data": b"x"}, "name"),
                            ({"case_id": case["case_id"], "name": "a", "content_type": "text/plain", "data": b""}, "data"),
                            ({"case_id": case["case_id"], "name": "a", "content_type": "text/plain", "data": b"x",
                              "part": 2}, "upload")):
            with self.subTest(field=field):
                r = self.attach(body)
                self.assertEqual((r["error"]["code"], r["error"]["field"]), ("invalid_argument", field), r)
        r = self.attach({"case_id": case["case_id"], "name": "a", "content_type": "text/plain", "data": b"x"},
                        actor=COMPLAINANT)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("forbidden", "case_id"), r)

    def test_ten_mib_a_file_and_twenty_five_a_case(self):
        case = self.file()
        for n in range(2):
            r = self.attach({"case_id": case["case_id"], "name": "video%d.jpg" % n, "content_type": "image/jpeg",
                             "data": jpeg(10 * MIB)})
            self.assertTrue(r["ok"], r)
        r = self.attach({"case_id": case["case_id"], "name": "more.jpg", "content_type": "image/jpeg",
                         "data": jpeg(6 * MIB)})
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("too_large", "data"), r)
        self.assertIn("25 MiB", r["error"]["message"])
        self.assertEqual(len(self.listed(case["case_id"])), 2)
        # One byte over 10 MiB in one call, and a streamed upload that grows past it.
        other = self.file()
        r = self.attach({"case_id": other["case_id"], "name": "big.jpg", "content_type": "image/jpeg",
                         "data": jpeg(10 * MIB + 1)})
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("too_large", "data"), r)
        big, part = jpeg(10 * MIB + 1), 512 * 1024
        first = self.attach({"case_id": other["case_id"], "name": "big.jpg", "content_type": "image/jpeg",
                             "data": big[:part], "part": 0})
        upload, n = first["body"]["upload"], 1
        while n * part < len(big):
            r = self.attach({"upload": upload, "part": n, "data": big[n * part:(n + 1) * part],
                             "last": (n + 1) * part >= len(big)})
            if not r["ok"]:
                break
            n += 1
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("too_large", "data"), r)
        self.assertIn("10 MiB", r["error"]["message"])
        self.assertEqual(self.listed(other["case_id"]), [])
        # Nothing of it stays behind.
        self.assertEqual(self.s.redis.cli("EXISTS", "imvo:complaints:{textile}:case:%s:upload:%s"
                                          % (other["case_id"], upload.split(".")[-1])).strip(), "0")

    def test_a_file_in_parts_in_order_once_each_by_whoever_began_it(self):
        case = self.file(share=True)
        photo, part = jpeg(1200 * 1024, os.urandom(32)), 512 * 1024
        first = self.attach({"receipt": case["receipt"], "name": "yard.jpg", "content_type": "image/jpeg",
                             "data": photo[:part], "part": 0}, actor=COMPLAINANT)
        upload = first["body"]["upload"]
        self.assertEqual(set(first["body"]), {"upload"})
        self.assertTrue(upload.startswith(case["case_id"] + "."))
        # Out of order: conflict; someone else: forbidden; neither changes the upload.
        r = self.attach({"upload": upload, "part": 2, "data": photo[2 * part:]}, actor=COMPLAINANT)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("conflict", "part"), r)
        r = self.attach({"upload": upload, "part": 1, "data": photo[part:2 * part]})
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("forbidden", "upload"), r)
        key = uuid.uuid4().hex
        one = self.attach({"upload": upload, "part": 1, "data": photo[part:2 * part]}, actor=COMPLAINANT, key=key)
        again = self.attach({"upload": upload, "part": 1, "data": photo[part:2 * part]}, actor=COMPLAINANT, key=key)
        self.assertEqual(one["body"], again["body"])            # a retry gets the first reply
        r = self.attach({"upload": upload, "part": 1, "data": photo[part:2 * part]}, actor=COMPLAINANT)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("conflict", "part"), r)
        last = self.attach({"upload": upload, "part": 2, "data": photo[2 * part:], "last": True}, actor=COMPLAINANT)
        self.assertEqual(last["body"]["sha256"], hashlib.sha256(photo).hexdigest(), last)
        got = self.read({"case_id": case["case_id"], "attachment_id": last["body"]["attachment_id"]})["body"]
        self.assertEqual((got["data"], got["parts"]), (photo, 3))
        r = self.attach({"upload": upload, "part": 3, "data": b"x"}, actor=COMPLAINANT)
        self.assertEqual((r["error"]["code"], r["error"]["field"]), ("not_found", "upload"), r)

    def test_the_company_sees_only_what_the_complainant_shared(self):
        company = {"role": "company", "org": self.s.respondent}
        shared, anonymous = self.file(share=True), self.file(anonymous=True)
        ids = {}
        for name, case in (("shared", shared), ("anonymous", anonymous)):
            r = self.attach({"receipt": case["receipt"], "name": name + ".pdf", "content_type": "application/pdf",
                             "data": pdf()}, actor=COMPLAINANT)
            ids[name] = r["body"]["attachment_id"]
        # Staff's own evidence is not the company's unless they say so.
        staff = self.attach({"case_id": shared["case_id"], "name": "visit.txt", "content_type": "text/plain",
                             "data": b"Visited the factory on 3 March.\n"})["body"]["attachment_id"]
        told = self.attach({"case_id": shared["case_id"], "name": "letter.txt", "content_type": "text/plain",
                            "data": b"To the company: please answer.\n", "shared": True})["body"]["attachment_id"]
        self.assertEqual({x["attachment_id"] for x in self.listed(shared["case_id"], actor=company)},
                         {ids["shared"], told})
        self.assertEqual(self.listed(anonymous["case_id"], actor=company), [])
        self.assertEqual(len(self.listed(shared["case_id"])), 3)
        self.assertEqual(self.read({"case_id": shared["case_id"], "attachment_id": ids["shared"]},
                                   actor=company)["body"]["data"], pdf())
        for case, aid in ((anonymous, ids["anonymous"]), (shared, staff)):
            r = self.read({"case_id": case["case_id"], "attachment_id": aid}, actor=company)
            self.assertEqual((r["error"]["code"], r["error"]["field"]), ("not_found", "attachment_id"), r)
        other = {"role": "company", "org": "org-someone-else"}
        r = self.read({"case_id": shared["case_id"], "attachment_id": ids["shared"]}, actor=other)
        self.assertEqual(r["error"]["code"], "forbidden", r)

    def test_imvoctl_attach_and_attachment(self):
        case = self.file()
        with tempfile.TemporaryDirectory() as d:
            src, out = os.path.join(d, "payslip.pdf"), os.path.join(d, "back.pdf")
            with open(src, "wb") as f:
                f.write(pdf())
            r = self.s.imvoctl("--json", "complaint", "attach", case["case_id"], src)
            self.assertEqual(r.returncode, 0, r.stderr)
            aid = __import__("json").loads(r.stdout)["attachment_id"]
            r = self.s.imvoctl("complaint", "attachment", case["case_id"], aid, "--out", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("content_type: application/pdf", r.stdout)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), pdf())
            # The type is read from the bytes; a wrong one given is refused, naming the field.
            r = self.s.imvoctl("complaint", "attach", case["case_id"], src, "--content-type", "image/png")
            self.assertEqual(r.returncode, 2)
            self.assertIn("content_type", r.stderr)

    def test_a_mail_keeps_its_attachments(self):
        mail = email.message.EmailMessage()
        mail["From"] = "Rahima <rahima@example.org>"
        mail["To"] = "complaints@imvo.example"
        mail["Subject"] = "Unpaid overtime at the dye house"
        mail["Message-ID"] = "<%s@example.org>" % uuid.uuid4().hex
        mail.set_content("We work 60 hours a week and are paid for 48. The photo and my payslip are attached.")
        mail.add_attachment(jpeg(4000, os.urandom(16)), maintype="image", subtype="jpeg", filename="photo.jpg")
        mail.add_attachment(pdf(), maintype="application", subtype="pdf", filename="payslip.pdf")
        with open("/bin/true", "rb") as f:
            mail.add_attachment(f.read(), maintype="application", subtype="octet-stream", filename="tool.exe")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "mail.eml")
            with open(path, "wb") as f:
                f.write(mail.as_bytes())
            r = self.s.imvoctl("complaint", "from-mail", "--covenant", "textile", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("not attached: tool.exe", r.stderr)
            case_id = next(l.split(": ", 1)[1] for l in r.stdout.splitlines() if l.startswith("case_id: "))
            listed = self.listed(case_id)
            self.assertEqual(sorted((x["name"], x["content_type"]) for x in listed),
                             [("payslip.pdf", "application/pdf"), ("photo.jpg", "image/jpeg")])
            # The same mail again: the same case, nothing attached twice.
            r = self.s.imvoctl("complaint", "from-mail", "--covenant", "textile", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(len(self.listed(case_id)), 2)
            got = self.read({"case_id": case_id, "attachment_id": next(x["attachment_id"] for x in listed
                                                                       if x["name"] == "payslip.pdf")})
            self.assertEqual(got["body"]["data"], pdf())


class EvidenceConsole(ConsoleSystem):
    """The staff console's case page lists the attachments; each downloads as a file only."""

    def download(self, b, path):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        c.request("GET", path, headers={"Cookie": "; ".join("%s=%s" % kv for kv in b.cookies.items())})
        r = c.getresponse()
        r.data = r.read()
        c.close()
        return r

    def test_the_case_page_lists_the_files_and_each_downloads_as_an_attachment(self):
        case_id = self.complaint()
        photo = jpeg(5000, os.urandom(16))
        mine = self.s.ok("complaints", "complaint.attach", {"case_id": case_id, "name": "fire exit \"north\".jpg",
                                                              "content_type": "image/jpeg", "data": photo})
        told = self.s.ok("complaints", "complaint.attach", {"case_id": case_id, "name": "letter.pdf",
                                                              "content_type": "application/pdf", "data": pdf(),
                                                              "shared": True})
        b = self.signed_in()
        page = b.get("/staff/case/%s" % case_id).page
        self.assertIn("fire exit &quot;north&quot;.jpg", page)
        link = "/staff/case/%s/attachment/%s" % (case_id, mine["attachment_id"])
        self.assertIn('href="%s?lang=en"' % link, page)
        r = self.download(b, link)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.data, photo)
        self.assertEqual(r.getheader("Content-Type"), "image/jpeg")
        self.assertEqual(r.getheader("Content-Disposition"), 'attachment; filename="fire_exit__north_.jpg"')
        self.assertEqual(r.getheader("X-Content-Type-Options"), "nosniff")
        # The company's person: only what was shared, on the page and as a download.
        company = self.signed_in(role="company", org=self.brand)
        page = company.get("/staff/case/%s" % case_id).page
        self.assertIn("letter.pdf", page)
        self.assertNotIn("north", page)
        self.assertEqual(self.download(company, "/staff/case/%s/attachment/%s" % (case_id, told["attachment_id"])).data,
                         pdf())
        self.assertEqual(self.download(company, link).status, 404)
        self.assertEqual(self.download(b, "/staff/case/%s/attachment/nothing-here" % case_id).status, 404)


if __name__ == "__main__":
    unittest.main()

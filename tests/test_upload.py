"""Files through the portal (issue 20, P): the form's multipart/form-data with files in the field
evidence, over HTTP against the real daemons with CURVE (test_portal.PortalSystem): a JPEG and a
PDF (one of several 512 KiB parts) filed with the complaint reach the case as attachments, byte
for byte; the receipt page lists them; a file too large, files too large together and a type not
taken are refused with a page naming the limit, nothing filed; a renamed executable is filed
without it (complaints reads its bytes) and the page says so; the status page adds files later by
receipt; while an upload streams, the portal's temporary file holds no plain text of it; files
without the form's CSRF token before them are not written."""
import http.client
import os
import re
import socket
import unittest
import uuid

import test_portal

MiB = 1024 * 1024


def jpeg(size):
    """Bytes libmagic takes for a JPEG, of the given size."""
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    body = bytes((i * 7 + 3) % 251 for i in range(size - len(head) - 2))
    return head + body + b"\xff\xd9"


def pdf(size):
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%"
    tail = b"\n%%EOF\n"
    return head + bytes(97 + i % 26 for i in range(size - len(head) - len(tail))) + tail


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"PE\x00\x00" + b"\x00" * 500


def multipart(fields, files):
    """A multipart/form-data body: fields (name, value) first, then files (name, filename, type,
    bytes), as a browser sends the form."""
    boundary = "----imvo" + uuid.uuid4().hex
    out = []
    for name, value in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                    % (boundary, name, value)).encode())
    for name, filename, ctype, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: %s\r\n\r\n" % (boundary, name, filename, ctype)).encode())
        out.append(data)
        out.append(b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


class Upload(test_portal.PortalSystem):

    def send(self, path, fields, files, cookie, source="127.0.0.1", extra_cookie=""):
        body, ctype = multipart(fields, files)
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(source, 0))
        c.request("POST", path, body=body, headers={"Content-Type": ctype,
                                                    "Cookie": "csrf=%s%s" % (cookie, extra_cookie)})
        r = c.getresponse()
        page = r.read().decode(errors="replace")
        c.close()
        return r, page

    def received(self, intake, source):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(source, 0))
        c.request("GET", "/received?lang=en", headers={"Cookie": "intake=%s" % intake})
        r = c.getresponse()
        page = r.read().decode(errors="replace")
        c.close()
        return r, page

    def file(self, source, files, summary="Wages withheld"):
        """Files the form with files; (the submit's response, its page, the receipt page)."""
        cookie, hidden, page = self.form(source=source)
        self.assertIn('enctype="multipart/form-data"', page)
        self.assertIn('name="evidence"', page)
        fields = [("csrf", hidden["csrf"])] + [(k, v) for k, v in hidden.items() if k != "csrf"]
        fields += [("company", self.company), ("summary", summary), ("description", "See the files"),
                   ("who", "anonymous")]
        r, page = self.send("/submit", fields, files, cookie, source=source)
        if r.status != 303:
            return r, page, None
        intake = re.search(r"intake=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1)
        got = {}

        def receipt():
            _, p = self.received(intake, source)
            got["page"] = p
            return 'id="receipt"' in p and 'data-outcome="sending"' not in p

        self.assertTrue(self.s.wait_for(receipt, timeout=30, interval=0.2), got.get("page"))
        return r, page, got["page"]

    def case_of(self, receipt_page):
        receipt = re.search(r'id="receipt">([^<]+)<', receipt_page).group(1)
        case_id = self.s.ok("complaints", "complaint.status", {"receipt": receipt})["case_id"]
        return receipt, case_id

    def attachments(self, case_id):
        got = self.s.ok("complaints", "complaint.get", {"case_id": case_id})
        return {a["name"]: a for a in got.get("attachments", [])}

    def read_back(self, case_id, attachment_id):
        got = self.s.ok("complaints", "complaint.attachment", {"case_id": case_id, "attachment_id": attachment_id})
        return got["data"]

    def test_jpeg_and_pdf_reach_the_case(self):
        photo, payslip = jpeg(200 * 1024), pdf(1300 * 1024)       # the PDF goes in three parts
        r, _, page = self.file("127.0.0.11", [("evidence", "photo.jpg", "image/jpeg", photo),
                                              ("evidence", "C:\\Users\\r\\payslip.pdf", "application/pdf", payslip)])
        self.assertEqual(r.status, 303)
        self.assertEqual(page.count('data-outcome="received"'), 2, page)
        self.assertIn("payslip.pdf: received", page)
        _, case_id = self.case_of(page)
        got = self.attachments(case_id)
        self.assertEqual(set(got), {"photo.jpg", "payslip.pdf"})
        self.assertEqual(got["payslip.pdf"]["content_type"], "application/pdf")
        self.assertEqual(got["payslip.pdf"]["size"], len(payslip))
        self.assertEqual(self.read_back(case_id, got["photo.jpg"]["attachment_id"]), photo)
        self.assertEqual(self.read_back(case_id, got["payslip.pdf"]["attachment_id"]), payslip)

    def test_limits_name_themselves_and_nothing_is_filed(self):
        source = "127.0.0.12"
        before = self.cases()
        for files, status, words in (
                ([("evidence", "big.jpg", "image/jpeg", jpeg(10 * MiB + 1))], 413, "larger than 10 MiB"),
                ([("evidence", "p%d.pdf" % i, "application/pdf", pdf(9 * MiB)) for i in range(3)], 413,
                 "larger than 25 MiB"),
                ([("evidence", "tool.exe", "application/x-msdownload", EXE)], 400, "is not a JPEG")):
            with self.subTest(words=words):
                r, page, _ = self.file(source, files)
                self.assertEqual(r.status, status, page)
                self.assertIn(words, page)
                self.assertIn("Nothing was filed", page)
                # The form comes back with what was typed.
                self.assertIn("See the files", page)
        self.assertEqual(self.cases(), before)

    def test_a_nul_in_a_field_is_refused_not_cut(self):
        # A NUL in the description would end it as a C string: "Before" filed, "After" lost.
        source = "127.0.0.16"
        before = self.cases()
        cookie, hidden, _ = self.form(source=source)
        fields = [("csrf", hidden["csrf"])] + [(k, v) for k, v in hidden.items() if k != "csrf"]
        fields += [("company", self.company), ("summary", "Wages withheld"), ("description", "Before\x00After"),
                   ("who", "anonymous")]
        r, page = self.send("/submit", fields, [], cookie, source=source)
        self.assertEqual(r.status, 400, page)
        self.assertRegex(page, r'class="error" role="alert">[^<]*What happened\?', "the error names the description")
        self.assertIn("After</textarea>", page)        # the form keeps all she typed
        self.assertEqual(self.cases(), before)

    def test_a_renamed_executable_is_not_taken(self):
        r, _, page = self.file("127.0.0.13", [("evidence", "photo.jpg", "image/jpeg", EXE),
                                              ("evidence", "note.txt", "text/plain", b"The gate was locked.\n")])
        self.assertEqual(r.status, 303)
        self.assertIn('data-outcome="refused">photo.jpg: not received (its content is not a JPEG', page)
        self.assertIn("note.txt: received", page)
        _, case_id = self.case_of(page)
        self.assertEqual(set(self.attachments(case_id)), {"note.txt"})

    def test_the_status_page_adds_files(self):
        source = "127.0.0.14"
        r, _, page = self.file(source, [])
        self.assertNotIn('id="files"', page)
        receipt, case_id = self.case_of(page)
        cookie, hidden, _ = self.form(source=source)
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        c.request("POST", "/status", body="csrf=%s&lang=en&receipt=%s" % (hidden["csrf"], receipt),
                  headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": "csrf=" + cookie})
        status = c.getresponse().read().decode()
        c.close()
        self.assertIn('enctype="multipart/form-data"', status)
        later = jpeg(700 * 1024)
        r, page = self.send("/status", [("csrf", hidden["csrf"]), ("receipt", receipt), ("lang", "en")],
                            [("evidence", "later.jpg", "image/jpeg", later)], cookie, source=source)
        self.assertEqual(r.status, 200, page)
        self.assertIn("later.jpg: received", page)
        self.assertIn('id="status"', page)
        got = self.attachments(case_id)
        self.assertEqual(self.read_back(case_id, got["later.jpg"]["attachment_id"]), later)
        # A wrong receipt: the page says so, as for any wrong receipt.
        r, page = self.send("/status", [("csrf", hidden["csrf"]), ("receipt", "TEXTILE-AAAA-BBBB-CCCC-DDDD"),
                                        ("lang", "en")], [("evidence", "x.jpg", "image/jpeg", later)], cookie,
                            source=source)
        self.assertEqual(r.status, 404, page)
        self.assertIn("We do not know this receipt", page)

    def open_temp_files(self):
        """The portal's open temporary files (nameless: O_TMPFILE, or unlinked)."""
        out = []
        fd_dir = "/proc/%d/fd" % self.portal.pid
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target.startswith("/tmp") and "(deleted)" in target:
                out.append(os.path.join(fd_dir, fd))
        return out

    def test_the_temporary_file_holds_no_plain_text(self):
        source = "127.0.0.15"
        cookie, hidden, _ = self.form(source=source)
        marker = b"RAHIMA-PAYSLIP-MARKER-" * 4000        # 88 KB, more than one record
        fields = [("csrf", hidden["csrf"]), ("key", hidden["key"]), ("covenant", "textile"), ("lang", "en"),
                  ("company", self.company), ("summary", "Half"), ("description", "Half"), ("who", "anonymous")]
        body, ctype = multipart(fields, [("evidence", "note.txt", "text/plain", marker * 3)])
        half = len(body) - 1000
        before = set(self.open_temp_files())
        s = socket.create_connection(("127.0.0.1", self.port), source_address=(source, 0))
        try:
            s.sendall(("POST /submit HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nCookie: csrf=%s\r\n"
                       "Content-Length: %d\r\n\r\n" % (ctype, cookie, len(body))).encode() + body[:half])
            held = []

            def written():
                for path in set(self.open_temp_files()) - before:
                    with open(path, "rb") as f:
                        data = f.read()
                    if len(data) > 2 * len(marker):
                        held.append(data)
                return bool(held)

            self.assertTrue(self.s.wait_for(written, timeout=5, interval=0.05))
            self.assertNotIn(b"RAHIMA-PAYSLIP", held[0])
            s.sendall(body[half:])
            head = s.recv(64)
            self.assertRegex(head, rb"^HTTP/1\.1 303")
        finally:
            s.close()

    def test_files_without_the_token_are_not_written(self):
        source = "127.0.0.16"
        cookie, hidden, _ = self.form(source=source)
        before = set(self.open_temp_files())
        body, ctype = multipart([("key", hidden["key"]), ("covenant", "textile")],
                                [("evidence", "a.jpg", "image/jpeg", jpeg(3 * MiB))])
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        c.putrequest("POST", "/submit")
        c.putheader("Content-Type", ctype)
        c.putheader("Cookie", "csrf=" + cookie)
        c.putheader("Content-Length", str(len(body)))
        c.endheaders()
        grew = []
        for i in range(0, len(body), 256 * 1024):
            c.send(body[i:i + 256 * 1024])
            grew += list(set(self.open_temp_files()) - before)
        r = c.getresponse()
        r.read()
        c.close()
        self.assertEqual(r.status, 403)
        self.assertEqual(grew, [])


if __name__ == "__main__":
    unittest.main()

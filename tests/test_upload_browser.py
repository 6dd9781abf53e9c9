"""Files from the portal's form in a real browser (issue 20, P): Debian's Chromium driven by
playwright-core (tests/portal/evidence.mjs), against the real daemons with CURVE (as
test_portal_browser). A worker attaches a JPEG and a PDF to her complaint, the receipt page lists both as received, complaints holds them byte for byte, and she adds
a photo later from the status page. Screenshots (phone and desktop) of the form with its files,
the receipt and the status page go to <build>/screenshots; axe-core finds nothing on them."""
import os
import subprocess
import json
import tempfile

import test_portal
from test_portal import CACHE, SHOTS
from test_upload import jpeg, pdf


class UploadBrowser(test_portal.PortalSystem):

    def test_files_from_the_form_and_the_status_page(self):
        script = os.path.join(CACHE, "evidence.mjs")
        with tempfile.TemporaryDirectory() as tmp:
            files = {"photo.jpg": jpeg(300 * 1024), "payslip.pdf": pdf(900 * 1024), "notice.jpg": jpeg(40 * 1024)}
            for name, data in files.items():
                with open(os.path.join(tmp, name), "wb") as f:
                    f.write(data)
            for lang in ("en",):
                with self.subTest(lang=lang):
                    out = subprocess.run(["node", script, self.base, SHOTS, lang, "textile", self.company]
                                         + [os.path.join(tmp, n) for n in ("photo.jpg", "payslip.pdf", "notice.jpg")],
                                         capture_output=True, text=True, timeout=120)
                    self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                    got = json.loads(out.stdout.strip().splitlines()[-1])
                    self.assertEqual(got["files"], [["photo.jpg", "received"], ["payslip.pdf", "received"]])
                    self.assertEqual(got["added"], [["notice.jpg", "received"]])
                    self.assertEqual({page: v for page, v in got["axe"].items() if v}, {})
                    self.assertEqual(len(got["axe"]), 6)
                    case_id = self.s.ok("complaints", "complaint.status", {"receipt": got["receipt"]})["case_id"]
                    listed = self.s.ok("complaints", "complaint.get", {"case_id": case_id}).get("attachments", [])
                    self.assertEqual(sorted(a["name"] for a in listed), ["notice.jpg", "payslip.pdf", "photo.jpg"])
                    for a in listed:
                        data = self.s.ok("complaints", "complaint.attachment",
                                         {"case_id": case_id, "attachment_id": a["attachment_id"]})["data"]
                        self.assertEqual(data, files[a["name"]])
        for name in ("evidence-form", "evidence-receipt", "evidence-status"):
            for size in ("phone", "desktop"):
                self.assertGreater(os.path.getsize(os.path.join(SHOTS, "%s-%s.png" % (name, size))), 10000)


if __name__ == "__main__":
    import unittest
    unittest.main()

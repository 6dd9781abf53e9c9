"""Benchmark: a file through the portal's form (issue 20, P), 10 MiB beside 1 MiB.

    /usr/bin/python3 tests/bench_upload.py            (after building into ./build;
                                                     IMVO_BUILD_DIR for another)

For each size, a fresh system (Redis, membership, complaints, notify with CURVE, and the portal
filing through the intake queue as the Redis user intake): a warm-up complaint with a 64 KiB file
(connections, CURVE sessions, scripts and buffers made once), then one complaint with a JPEG of
the size: the time of the POST (the body streamed to the portal, into its encrypted temporary
file, until its 303) and of the sending (complaint.attach by receipt, 512 KiB a part, until the
receipt page lists the file as received), and the peak RSS (VmHWM, /proc/<pid>/status) of the
portal and of complaints before and after that complaint. Neither may grow with the file's size
beyond a fixed buffer: exit status 1 when a process grew more than LIMIT_MIB more for the 10 MiB
file than for the 1 MiB one.
"""
import http.client
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import System, start_portal  # noqa: E402
from test_upload import jpeg, multipart  # noqa: E402

MiB = 1024 * 1024
LIMIT_MIB = 2.0


def hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))


def request(port, method, path, body=b"", headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    page = r.read().decode(errors="replace")
    c.close()
    return r, page


def file_one(port, company, data):
    """Files a complaint with one JPEG: (seconds to the 303, seconds until it is received)."""
    r, page = request(port, "GET", "/?lang=en&covenant=textile")
    cookie = re.search(r"csrf=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    fields = [("csrf", hidden["csrf"])] + [(k, v) for k, v in hidden.items() if k != "csrf"]
    fields += [("company", company), ("summary", "Wages"), ("description", "The payslip"), ("who", "anonymous")]
    body, ctype = multipart(fields, [("evidence", "photo.jpg", "image/jpeg", data)])
    t0 = time.monotonic()
    r, page = request(port, "POST", "/submit", body, {"Content-Type": ctype, "Cookie": "csrf=" + cookie})
    posted = time.monotonic()
    if r.status != 303:
        raise SystemExit("the submit answered %d: %s" % (r.status, page[-500:]))
    intake = re.search(r"intake=([0-9a-f]{32})", r.getheader("Set-Cookie")).group(1)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        _, page = request(port, "GET", "/received?lang=en", headers={"Cookie": "intake=" + intake})
        if 'data-outcome="received"' in page:
            return posted - t0, time.monotonic() - posted
        if 'data-outcome="refused"' in page:
            raise SystemExit("the file was not received: " + page[-800:])
    raise SystemExit("the file was not received in time")


def run(size):
    with System(["complaints", "notify"], curve=True) as s:
        company = "Dhaka Knitwear Brand BV"
        s.company(company, ["textile"])
        portal, port = start_portal(s, os.path.join(s.workdir, "portal.log"))
        try:
            complaints = s.procs["complaints"].pid
            file_one(port, company, jpeg(64 * 1024))
            before = hwm_kib(portal.pid), hwm_kib(complaints)
            upload, sending = file_one(port, company, jpeg(size))
            after = hwm_kib(portal.pid), hwm_kib(complaints)
            return upload, sending, before, after
        finally:
            portal.terminate()
            portal.wait(10)


def main():
    grown = {}
    print("%-8s %10s %10s   %-28s %-28s" % ("file", "upload s", "attach s", "portal VmHWM KiB (+grew)",
                                             "complaints VmHWM KiB (+grew)"))
    for size in (1 * MiB, 10 * MiB):
        upload, sending, before, after = run(size)
        grown[size] = [a - b for a, b in zip(after, before)]
        print("%-8s %10.2f %10.2f   %8d -> %8d (+%6d)   %8d -> %8d (+%6d)"
              % ("%d MiB" % (size // MiB), upload, sending, before[0], after[0], grown[size][0], before[1], after[1],
                 grown[size][1]))
    worst = 0
    for i, name in enumerate(("portal", "complaints")):
        extra = (grown[10 * MiB][i] - grown[1 * MiB][i]) / 1024
        worst = max(worst, extra)
        print("%s: the 10 MiB file grew the peak %.2f MiB more than the 1 MiB one (limit %.1f)" % (name, extra, LIMIT_MIB))
    if worst > LIMIT_MIB:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

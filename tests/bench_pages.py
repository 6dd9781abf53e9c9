"""Benchmark: every other page of the staff console, each by signed-in visitors of its role, in one run.

    /usr/bin/python3 tests/bench_pages.py [SECONDS]      (after building into ./build;
                                                        IMVO_BUILD_DIR for another)

bench_console.py measures sign-in, the queue, search and the case page on 100,000 cases;
bench_round.py the monitoring round's results and report on 10,000 companies. This one is for
the rest, the pages a person of each role opens day to day, so that none of them goes
unmeasured: the home page of each role, the inbox, the committee's stages, members, accounts,
terms, disclosures, the steering overview, collective work, meetings, the monitoring
committee's framework, appeals and verification, disputes, audit trail, locations, and a
company's own pages (plan, results, assessment, locations, notices, memberships, accounts, a
case of its own). Not here: the CSV export (a download sent in chunks, which bench_portal.Conn
does not read) and a plan's documents.

Redis and the four daemons with CURVE on, as ./run.sh runs them, and the portal in front of
them with its gateway certificate. gold is seeded with a few hundred of everything
(tests/pages_seed.py: 300 company parties and a completed round, 600 complaints, 120
disputes, 50 appeals, locations, meetings, projects). Then VISITORS persons of each role sign
in, and for SECONDS (default 2) per page VISITORS of them, each on its own kept-alive
connection, ask for the page as fast as the portal answers. Every answer must be 200 and carry
the page's own h1 (a sign-in page or an error page is also 200 or has an h1: both are errors
here). Per page, all measured in this run on this machine: requests/s, p50 and p99 latency,
KiB, the ratio of requests/s to the same web server's constant page (/staff/style.css, asked
by the same visitors with their session cookie), and CPU microseconds per request of the
portal, each daemon and Redis (/proc/<pid>/stat before and after), and of the load generator
(Python asyncio, one thread, on the same cores). Not a test: it prints figures; exit status 1
when any page answered anything but itself.
"""
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_console import accounts, machine_busy, run, sign_in_all  # noqa: E402
from bench_portal import Conn, cpu_seconds, pct  # noqa: E402
from harness import SERVICES, System, start_portal  # noqa: E402
from pages_seed import COVENANT, LOCATIONS, YEAR, seed_pages  # noqa: E402

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
VISITORS = 8
ROLES = ("secretariat", "committee", "monitoring", "steering", "company")


def pages(seeded):
    """(role, label, path, how the page's h1 begins) of every page measured, references first."""
    g, y, org = "covenant=%s" % COVENANT, "year=%d" % YEAR, seeded["orgs"][7]
    t = "covenant=" + LOCATIONS
    out = [("secretariat", "/healthz (constant)", "/healthz", None),
           ("secretariat", "/staff/style.css (constant)", "/staff/style.css", None)]
    for role in ROLES:
        out.append((role, "home", "/staff/", "Home"))
    out += [("secretariat", "inbox", "/staff/inbox?" + g, "Inbox"),
            ("secretariat", "members", "/staff/members?" + g, "Members: " + COVENANT),
            ("secretariat", "my account", "/staff/account", "My account"),
            ("secretariat", "accounts", "/staff/accounts", "Accounts"),
            ("secretariat", "terms", "/staff/terms", "Covenant terms"),
            ("secretariat", "disclosures", "/staff/disclosures?%s&%s" % (t, y),
             "Production locations %d: %s" % (YEAR, LOCATIONS)),
            ("secretariat", "locations (flags)", "/staff/locations?" + t, "Production locations: " + LOCATIONS),
            ("secretariat", "collective work", "/staff/collective?%s&%s" % (g, y), "Collective work"),
            ("secretariat", "meetings", "/staff/meetings?" + g, "Meetings and steering group"),
            ("secretariat", "disputes", "/staff/disputes?" + g, "File a dispute"),
            ("secretariat", "audit trail", "/staff/audit?" + g, "Audit trail"),
            ("secretariat", "steering overview", "/staff/steering", "Steering group overview"),
            ("steering", "steering overview", "/staff/steering", "Steering group overview"),
            ("committee", "committee", "/staff/committee?" + g, "Complaints committee: "),
            ("monitoring", "framework", "/staff/monitoring/frameworks?" + g, "Assessment framework – " + COVENANT),
            ("monitoring", "appeals", "/staff/monitoring/appeals?%s&%s" % (g, y), "Appeals %s %d" % (COVENANT, YEAR)),
            ("monitoring", "verification, list", "/staff/assessor?%s&%s" % (g, y), "The committee's verification"),
            ("monitoring", "verification, a company", "/staff/assessor?%s&%s&org=%s" % (g, y, org),
             "The committee's verification"),
            ("company", "plan", "/staff/company/plan?%s&%s" % (g, y), "Action plan %d: %s" % (YEAR, COVENANT)),
            ("company", "results", "/staff/company/results?%s&%s" % (g, y), "Results %d: %s" % (YEAR, COVENANT)),
            ("company", "assessment (review)", "/staff/review?%s&%s" % (g, y), "Your assessment"),
            ("company", "locations", "/staff/company/locations?" + t, "Production locations"),
            ("company", "notices", "/staff/company/subscriptions", "Notices"),
            ("company", "memberships", "/staff/company/memberships", "Memberships"),
            ("company", "accounts", "/staff/company/accounts", "Your company's accounts"),
            ("company", "disputes", "/staff/disputes?" + g, "File a dispute"),
            ("company", "a case of its own", "/staff/case/%s" % seeded["case_id"], "Complaint " + seeded["case_id"])]
    return [(role, label, path + ("&" if "?" in path else "?") + "lang=en" if path.startswith("/staff/")
             and not path.endswith(".css") else path, h1) for role, label, path, h1 in out]


async def first_look(port, path, session, expect):
    """One GET before the load: None when it is the page, else what it said (for the end's list)."""
    conn = Conn(port)
    try:
        status, data, _, location = await conn.request("GET", path, headers=["Cookie: imvo_staff=" + session])
    finally:
        conn.close()
    if status == 200 and expect in data:
        return None
    head = data.split(b"<h1>", 1)[-1][:160].decode(errors="replace") if b"<h1>" in data else data[:160].decode(
        errors="replace")
    return "%d%s: %s" % (status, " to " + location if location else "", head)


def main():
    with System(SERVICES, curve=True) as s:
        s.redis.cli("CONFIG", "SET", "auto-aof-rewrite-percentage", "0")     # no fork while measuring
        seeded = seed_pages(s)
        persons = {role: accounts(s, VISITORS, role, seeded["company"] if role == "company" else None)
                   for role in ROLES}
        portal, port = start_portal(s, os.path.join(s.workdir, "portal.log"))
        pids = dict({"portal": portal.pid, "redis": s.redis.proc.pid},
                    **{name: s.procs[name].pid for name in SERVICES})
        failed = []
        try:
            sessions = {role: [r[1] for r in asyncio.run(sign_in_all(port, persons[role], 4))] for role in ROLES}
            print("%d visitors of the page's role (each a person signed in), %.1f s per page, CURVE on"
                  % (VISITORS, SECONDS))
            cols = ("portal",) + tuple(SERVICES) + ("redis", "loadgen")
            print("   %-40s %9s %7s %7s %6s %7s | %s | %5s"
                  % ("", "", "", "", "", "/ style", "CPU us per request".center(8 * len(cols) - 1), "cores"))
            print("   %-40s %9s %7s %7s %6s %7s | %s | %5s" % ("page (role)", "requests/s", "p50 ms", "p99 ms", "KiB",
                                                             ".css", " ".join("%7s" % c[:7] for c in cols), "busy"))
            reference = None
            for role, label, path, h1 in pages(seeded):
                expect = ("<h1>" + h1).encode() if h1 else b""
                expect = expect.replace(b"'", b"&#39;")         # as the page escapes it
                looked = asyncio.run(first_look(port, path, sessions[role][0], expect))
                asyncio.run(run(port, path, sessions[role], VISITORS, 0.3, expect))      # warm up: connections
                before = {k: cpu_seconds(pid) for k, pid in pids.items()}
                own0, t0, busy0 = time.process_time(), time.monotonic(), machine_busy()
                latencies, errors, sizes = asyncio.run(run(port, path, sessions[role], VISITORS, SECONDS, expect))
                took, own, busy1 = time.monotonic() - t0, time.process_time() - own0, machine_busy()
                busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
                count = len(latencies)
                cpu = {k: (cpu_seconds(pid) - before[k]) * 1e6 / count for k, pid in pids.items()}
                cpu["loadgen"] = own * 1e6 / count
                rps = count / took
                if path == "/staff/style.css":
                    reference = rps
                print("   %-40s %9.0f %7.2f %7.2f %6.1f %7s | %s | %4.0f%%%s"
                      % ("%s (%s)" % (label, role) if "constant" not in label else label, rps, pct(latencies, 50),
                         pct(latencies, 99), sum(sizes) / len(sizes) / 1024,
                         "%.3f" % (rps / reference) if reference else "", " ".join("%7.0f" % cpu[c] for c in cols),
                         busy * 100, "  (%d errors: %s)" % (len(errors), sorted(set(map(str, errors))))
                         if errors else ""), flush=True)
                if errors or looked:
                    failed.append("%s (%s): %s" % (label, role, looked or sorted(set(map(str, errors)))))
            with open(os.path.join(s.workdir, "portal.log")) as f:
                threads = f.read().split(" threads", 1)[0].rsplit(" ", 1)[-1]
            print("portal: %s HTTP threads; Redis %s" % (threads, s.redis.cli("INFO", "server")
                                                         .split("redis_version:")[1].split()[0]))
        finally:
            portal.terminate()
            portal.wait(10)
        if failed:
            print("FAILED: pages that did not answer 200 with their h1:\n   " + "\n   ".join(failed))
            raise SystemExit(1)
        print("every page answered 200 with its h1")


if __name__ == "__main__":
    main()

"""Benchmark: the 4 July list's steps (membership_deadlines.c, lua/disclosure_clock.lua) for a
covenant of N company parties (default 2,000; textile has 93), none of which disclosed: the
reminders, the overdue flags and the publication, each on membership's clock moved to its day
(IMVO_CLOCK_OFFSET_S), and location.disclosures reading the year back.

    /usr/bin/python3 tests/bench_disclosure.py [N]      (after building into ./build)

Prints how long each step took to tell every company (its events counted in the stream), how
long location.disclosures took, and the SLOWLOG (bench_slowlog.py: no command may take over
1 ms; a step goes through the members 16 a call, so its size does not make a call longer;
exits 1 when one did). Not a test.
"""
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_slowlog  # noqa: E402
from harness import System  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
YEAR = datetime.datetime.now(datetime.timezone.utc).year + 1


def offset(month, day):
    now = datetime.datetime.now(datetime.timezone.utc)
    return str(int((datetime.datetime(YEAR, month, day, 12, tzinfo=datetime.timezone.utc) - now).total_seconds()))


def events(s):
    """The textile stream's length (N member.joined first, then N of each step's event)."""
    return int(s.redis.cli("XLEN", "imvo:membership:{textile}:events"))


def main():
    with System(["membership"], env={"IMVO_CLOCK_OFFSET_S": offset(4, 1)}) as s:
        t = time.time()
        for i in range(N):
            o = s.ok("membership", "org.register", {"name": "Bench %d BV" % i, "kind": "company", "country": "NL"})["org_id"]
            s.ok("membership", "member.join", {"covenant": "textile", "org_id": o, "role": "party"})
        print("%d textile company parties joined in %.1f s" % (N, time.time() - t))
        bench_slowlog.start(s.redis)
        for step, ((month, day), kind) in enumerate((((5, 5), "location.disclosure_reminder"),
                                                      ((6, 2), "location.disclosure_overdue")), 2):
            s.stop("membership")
            s.extra_env["IMVO_CLOCK_OFFSET_S"] = offset(month, day)
            t = time.time()
            s.start("membership")
            if not s.wait_for(lambda: events(s) >= step * N, timeout=120, interval=0.1):
                print("FAIL: %s reached %d of %d companies" % (kind, events(s) - (step - 1) * N, N))
                return 1
            print("%s on %d-%02d-%02d: %d companies in %.2f s (from the daemon's start)"
                  % (kind, YEAR, month, day, events(s) - (step - 1) * N, time.time() - t))
        t = time.time()
        got = s.ok("membership", "location.disclosures", {"covenant": "textile"})
        print("location.disclosures: %d companies, %d overdue, in %.0f ms"
              % (len(got["companies"]), sum(c["overdue"] for c in got["companies"]), (time.time() - t) * 1000))
        bench_slowlog.report(s.redis, "the steps and the read")
    return 1 if bench_slowlog.failed() else 0


if __name__ == "__main__":
    sys.exit(main())

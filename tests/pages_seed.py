"""One covenant with a few hundred of everything, seeded in seconds: the data behind the staff
console's pages for tests/bench_pages.py, so that each page has lists of a realistic length.

gold gets COMPANIES company parties (round_seed: nine in ten with a plan), its round run to the
end, an appeal of one company in six, complaints against the first fifty companies, disputes
between parties, meetings with votes, a steering group and collective projects; a third of the
companies are parties of textile too (gold publishes no list of locations) and disclose their
production locations there, some of them places another company disclosed, written
differently. Each step is pipelined over one connection (round_seed.pipeline) where the daemon
takes it in bulk; the few that a single person would do are plain calls.
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_cases import text  # noqa: E402
from round_seed import pipeline, seed  # noqa: E402
from test_scoring import FRAMEWORK  # noqa: E402

COVENANT = "gold"
LOCATIONS = "textile"
YEAR = 2026


def all_ok(replies, what):
    bad = [r for r in replies if not r.get("ok")]
    assert not bad, "%s: %s" % (what, bad[:2])
    return [r["body"] for r in replies]


def seed_pages(s, companies=300, cases=600, disputes=120, meetings=24):
    """Returns {"orgs": [...], "company": the org whose person signs in, "case_id": one of its cases}."""
    rng = random.Random(22)
    counts, t = {}, time.time()
    monitor = s.cert("monitoring", "monitoring")
    s.ok("scoring", "framework.put", dict(FRAMEWORK, covenant=COVENANT))
    orgs = seed(s, COVENANT, companies, YEAR, FRAMEWORK, prefix="Bench")
    s.ok("scoring", "assessment.start", {"covenant": COVENANT, "year": YEAR}, cert=monitor)
    key = "imvo:scoring:{%s}:round:%d" % (COVENANT, YEAR)
    assert s.wait_for(lambda: s.redis.cli("HGET", key, "status").strip() == "completed", timeout=120, interval=0.1), \
        s.log("scoring")[-2000:]
    company = orgs[1]
    appealing = orgs[1::6]
    for org in appealing:           # each as its own company: the actor is the appellant
        s.ok("scoring", "assessment.appeal", {"round_id": "%s-%d" % (COVENANT, YEAR), "org_id": org,
                                              "reason": "Appeal of %s: %s." % (org, text(rng, 20))},
             actor={"role": "company", "org": org})
    counts["appeals"] = len(appealing)

    # complaints hears of the parties from membership's events: wait before filing against them.
    members = "imvo:complaints:{%s}:members" % COVENANT
    assert s.wait_for(lambda: int(s.redis.cli("HLEN", members)) >= companies, timeout=60), "complaints lags"
    filed = all_ok(pipeline(s, "complaints", [
        ("complaint.submit", {"covenant": COVENANT, "respondent": orgs[i % 50], "summary": text(rng, 6),
                              "description": text(rng, 40), "complainant": {"anonymous": True}})
        for i in range(cases)]), "complaint.submit")
    counts["cases"] = len(filed)
    all_ok(pipeline(s, "complaints", [
        ("complaint.submit", {"covenant": COVENANT, "kind": "dispute", "claimant_org": orgs[i % companies],
                              "respondent": orgs[(i * 7 + 1) % companies], "summary": text(rng, 6),
                              "description": text(rng, 40),
                              "complainant": {"anonymous": False, "name": "Bench Person", "contact": "b@example.org"}})
        for i in range(disputes) if i % companies != (i * 7 + 1) % companies]), "dispute")
    counts["disputes"] = disputes

    # gold publishes no list of production locations: textile does, and a third of the
    # companies (the one that signs in among them) are its parties too.
    rows = "name,address,city,country\n"
    located = orgs[1::3]
    all_ok(pipeline(s, "membership", [("member.join", {"covenant": LOCATIONS, "org_id": o, "role": "party"})
                                      for o in located]), "member.join")
    all_ok(pipeline(s, "membership", [
        ("location.import", {"covenant": LOCATIONS, "org_id": o, "year": YEAR, "csv": rows + "".join(
            "Mine %d-%d,Road %d,Kampala,UG\n" % (i, j, j) for j in range(8))
        # and two places of the company before, written differently: flags for the secretariat
        + "".join("MINE %d-%d,Road %d.,KAMPALA,UG\n" % (i - 1, j, j) for j in range(2) if i)})
        for i, o in enumerate(located)], 8),
        "location.import")
    counts["locations"] = 10 * len(located)
    for m in range(meetings):
        attendees = orgs[m % 3::3]
        votes = [{"motion": "motion %d" % v, "for": attendees[v:], "against": attendees[:v]} for v in range(3)]
        s.ok("membership", "meeting.record", {
            "covenant": COVENANT, "date": "%d-%02d-%02d" % (2020 + m // 12, 1 + m % 12, 10), "attendees": attendees,
            "source": "minutes %d" % m, "votes": votes})
    counts["meetings"] = meetings
    reps = [{"name": "Rep %d" % i, "org_id": o} for i, o in enumerate(orgs[:12])]
    s.ok("membership", "steering.put", {"covenant": COVENANT, "chair": "A. Chair", "chair_independent": True,
                                        "members": reps, "source": "minutes"})
    for p in range(6):
        s.ok("scoring", "project.put", {"covenant": COVENANT, "code": "project-%d" % p, "name": "Project %d" % p,
                                        "from_year": 2020, "to_year": 2030, "participants": orgs[p::6][:40],
                                        "source": "minutes"})
    counts["projects"] = 6
    # notify files every complaint's events into the inboxes: done before anything is timed.
    assert s.wait_for(lambda: s.drained("notify"), timeout=120, interval=0.2), "notify did not catch up"
    print("seeded %s: %d company parties (round run, %s) in %.1f s" % (
        COVENANT, companies, ", ".join("%d %s" % (v, k) for k, v in counts.items()), time.time() - t))
    return {"orgs": orgs, "company": company, "case_id": filed[1]["case_id"]}       # a complaint against company

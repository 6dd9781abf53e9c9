"""The case indexes kept behind the submit (issue 21, 6; docs/ARCHITECTURE.md, "The case indexes
behind the commit"): complaint.submit writes the case, its number, its event and its idempotency
record, and a step (imvo_cases_index, common/lua/prelude.lua) puts the new cases into :cases, the
status and respondent indexes, :deadlines and :receipts. A client still reads its own writes at
once; a move made before the step leaves the indexes as the case is; no deadline falls due twice;
and a covenant whose cases an earlier version indexed at submit gets its marks at start.

The step runs on complaints' timer every 200 ms: a move sent right after the submit, as here,
comes before it nearly always, and the indexes must be the same in either order."""
import os
import re
import signal
import unittest

from harness import Redis, System, member

SEC = {"role": "secretariat"}
DAY = 86400
P = "imvo:complaints:{textile}"


def submit(s, n):
    return s.ok("complaints", "complaint.submit", {
        "covenant": "textile", "respondent": s.respondent, "summary": "Locked exits %d" % n,
        "description": "The exits were locked in week %d." % n, "complainant": {"anonymous": True}})


def move(s, case_id, to):
    return s.ok("complaints", "complaint.transition", {"case_id": case_id, "to": to, "reason": "checked"}, actor=SEC)


def moved_cases(s, n=10):
    """n cases, each moved to admissibility right after its submit (before the step, nearly always)."""
    ids = []
    for k in range(n):
        cid = submit(s, k)["case_id"]
        move(s, cid, "admissibility")
        ids.append(cid)
    return ids


def events(s, etype):
    return s.redis.cli("XRANGE", P + ":events", "-", "+").split("\n").count(etype)


class CaseIndexes(unittest.TestCase):

    def test_every_read_right_after_the_submit_sees_the_case(self):
        with System(["complaints"]) as s:
            for n in range(15):
                case = submit(s, n)
                cid = case["case_id"]
                self.assertEqual(s.ok("complaints", "complaint.status", {"receipt": case["receipt"]},
                                      actor={"role": "complainant"})["case_id"], cid)
                listed = s.ok("complaints", "complaint.list", {"covenant": "textile", "limit": 1}, actor=SEC)
                self.assertEqual([c["case_id"] for c in listed["cases"]], [cid])
                mine = s.ok("complaints", "complaint.list", {"covenant": "textile", "respondent": s.respondent,
                                                             "status": "received", "limit": 1}, actor=SEC)
                self.assertEqual([c["case_id"] for c in mine["cases"]], [cid])
                opened = s.ok("complaints", "complaint.open", {"covenant": "textile", "respondent": s.respondent})
                self.assertIn(cid, [c["case_id"] for c in opened["cases"]])
            exported = s.ok("complaints", "complaint.export", {"covenant": "textile"}, actor=SEC)["csv"]
            self.assertEqual(exported.count("TEXTILE-"), 15)
            self.assertEqual(s.ok("complaints", "complaint.stats", {"covenant": "textile"})["cases"], 15)

    def test_a_move_before_the_step_leaves_the_indexes_as_the_case_is(self):
        with System(["complaints"]) as s:
            ids = moved_cases(s)
            self.assertEqual(sorted(s.cases("textile")), sorted(ids))
            # complaint.stats counts from these indexes.
            stats = s.ok("complaints", "complaint.stats", {"covenant": "textile"})
            self.assertEqual((stats["cases"], stats["per_status"]), (10, {"admissibility": 10}))
            for cid in ids:
                self.assertEqual(s.redis.cli("ZSCORE", P + ":status:received", cid).strip(), "", cid)
                self.assertNotEqual(s.redis.cli("ZSCORE", P + ":status:admissibility", cid).strip(), "", cid)
                self.assertNotEqual(s.redis.cli("ZSCORE", P + ":respondent:" + s.respondent, cid).strip(), "", cid)
                due = {d["deadline"] for d in s.ok("complaints", "complaint.get", {"case_id": cid})["deadlines"]}
                self.assertNotIn("acknowledge", due)
                for name in ("acknowledge", "admissibility", "feedback", "decision"):
                    indexed = s.redis.cli("ZSCORE", P + ":deadlines", "%s|%s" % (cid, name)).strip() != ""
                    self.assertEqual(indexed, name in due, (cid, name))

    def test_deadlines_of_cases_moved_before_the_step_fall_due_once(self):
        with System(["complaints"]) as s:
            ids = moved_cases(s)
            open_deadlines = sum(len(s.ok("complaints", "complaint.get", {"case_id": cid})["deadlines"]) for cid in ids)
            self.assertGreater(open_deadlines, len(ids))
            # Two years later (the clock moved for the test) every deadline has passed.
            s.stop("complaints")
            s.extra_env["IMVO_CLOCK_OFFSET_S"] = str(800 * DAY)
            s.start("complaints")
            self.assertTrue(s.wait_for(lambda: events(s, "complaint.deadline_due") >= open_deadlines))
            self.assertEqual(sorted(s.cases("textile")), sorted(ids))
            self.assertTrue(s.wait_for(lambda: s.redis.cli("ZCARD", P + ":deadlines").strip() == "0"))
            self.assertEqual(events(s, "complaint.deadline_due"), open_deadlines)
            self.assertEqual(int(s.redis.cli("ZCARD", P + ":overdue")), open_deadlines)

    def test_a_covenant_indexed_by_an_earlier_version_gets_its_marks_at_start(self):
        with System(["complaints"]) as s:
            first = [submit(s, n)["case_id"] for n in range(3)]
            self.assertEqual(sorted(s.cases("textile")), sorted(first))
            year = first[0].split("-")[1]
            # An earlier version wrote the indexes in its submit and kept no marks.
            s.stop("complaints")
            s.redis.cli("DEL", P + ":indexed")
            s.start("complaints")
            self.assertEqual(s.redis.cli("HGET", P + ":indexed", year).strip(), "3")
            # A case filed now (the year's fourth: no first case of a year to add the mark) is
            # indexed and listed.
            fourth = submit(s, 4)["case_id"]
            listed = s.ok("complaints", "complaint.list", {"covenant": "textile", "limit": 1}, actor=SEC)
            self.assertEqual([c["case_id"] for c in listed["cases"]], [fourth])
            self.assertEqual(sorted(s.cases("textile")), sorted(first + [fourth]))

    def test_an_earlier_versions_disputes_reach_their_claimant_after_the_upgrade(self):
        # An earlier version kept no :claimant:<org> (complaint.open's disputes a party filed):
        # the start that gives such a covenant its marks also has its disputes looked at, in
        # steps (imvo_claimants_backfill), into :claimant:<org> with the index step's score.
        with System(["membership", "complaints"]) as s:
            ngo = member(s, "textile", "Clean Clothes NGO", kind="ngo")
            union = member(s, "textile", "Textile Union", kind="union")
            brand = member(s, "textile", "Brand Party BV")

            def dispute(claimant, n):
                return s.ok("complaints", "complaint.submit", {
                    "covenant": "textile", "kind": "dispute", "claimant_org": claimant, "respondent": brand,
                    "summary": "Audit reports not delivered %d" % n, "description": "The agreed reports are missing.",
                    "complainant": {"anonymous": False, "name": "Jan de Vries", "contact": "jan@example.org"}},
                    actor={"role": "company", "org": claimant})["case_id"]
            mine = [dispute(ngo, 1), dispute(ngo, 2)]
            closed = dispute(ngo, 3)
            theirs = dispute(union, 4)
            complaint = submit(s, 5)["case_id"]
            move(s, closed, "withdrawn")
            self.assertEqual(len(s.cases("textile")), 5)
            year = complaint.split("-")[1]
            s.stop("complaints")
            # The earlier version: no marks and no :claimant:<org>; and more cases than one step
            # looks at (the year's counter past numbers that were erased: 200 a step).
            s.redis.cli("DEL", P + ":indexed", "%s:claimant:%s" % (P, ngo), "%s:claimant:%s" % (P, union))
            s.redis.cli("SET", "%s:seq:%s" % (P, year), "450")
            s.start("complaints")
            self.assertEqual(s.redis.cli("HGET", P + ":indexed", year).strip(), "450")
            # Behind the reads (which wait for the cases indexed, not for this): the timer's
            # steps, 200 cases each, have them within a second.

            def claimed(org):
                opened = s.ok("complaints", "complaint.open", {"covenant": "textile", "respondent": org})["cases"]
                return [(c["case_id"], c["respondent"]) for c in opened if c.get("side") == "claimant"]
            self.assertTrue(s.wait_for(lambda: s.redis.cli("EXISTS", P + ":claimants_backfill").strip() == "0"))
            self.assertEqual(sorted(case for case, _ in claimed(ngo)), sorted(mine))
            self.assertEqual(claimed(union), [(theirs, brand)])
            # The withdrawn one is in the index too, as the step puts it; open filters it out.
            for case, org in [(mine[0], ngo), (mine[1], ngo), (closed, ngo), (theirs, union)]:
                self.assertEqual(s.redis.cli("ZSCORE", "%s:claimant:%s" % (P, org), case).strip(),
                                 s.redis.cli("HGET", "%s:case:%s" % (P, case), "received_at").strip())
            self.assertEqual(s.redis.cli("EXISTS", P + ":claimants_backfill").strip(), "0")

    def test_reads_do_not_wait_for_the_backfill_of_disputes(self):
        # A covenant of many cases from an earlier version: its disputes are looked at 200 a
        # step behind the reads; neither the start nor a read waits for all of them (the
        # reads answered `unavailable` until the last step).
        with System(["membership", "complaints"]) as s:
            member(s, "textile", "Brand Party BV")
            year = submit(s, 1)["case_id"].split("-")[1]
            s.stop("complaints")
            s.redis.cli("DEL", P + ":indexed")
            s.redis.cli("SET", "%s:seq:%s" % (P, year), "100000")
            s.start("complaints")
            listed = s.call("complaints", "complaint.list", {"covenant": "textile", "limit": 1}, actor=SEC)
            self.assertTrue(listed["ok"], listed)
            self.assertGreater(int(s.redis.cli("HGET", P + ":claimants_backfill", year)), 90000)

    def test_reads_and_the_start_wait_for_no_replica(self):
        # IMVO_REDIS_WAIT_REPLICAS=1 (docs/CLUSTER.md): what the step writes is made again from
        # the cases after a failover, so it needs no WAIT. A read that caught up with a WAIT
        # answered `unavailable` (after IMVO_REDIS_WAIT_MS) while a replica was gone or slow:
        # the console's queue and a company's open cases, though they need no replica. And
        # complaints did not start at all then (its start's catch-up waited for the replica).
        with System(["complaints"]) as s:
            s.redis.cli("CONFIG", "SET", "repl-diskless-sync-delay", "0", "repl-ping-replica-period", "1")
            os.makedirs(os.path.join(s.workdir, "replica"))
            replica = Redis(os.path.join(s.workdir, "replica"))
            replica.start()
            try:
                replica.cli("REPLICAOF", "127.0.0.1", s.redis.port)
                self.assertTrue(s.wait_for(lambda: re.search(r"state=online,offset=[1-9]",
                                                             s.redis.cli("INFO", "replication"))))
                s.stop("complaints")
                s.extra_env.update({"IMVO_REDIS_WAIT_REPLICAS": "1", "IMVO_REDIS_WAIT_MS": "500"})
                s.start("complaints")
                first = submit(s, 1)["case_id"]
                self.assertEqual(s.cases("textile"), [first])
                replica.proc.send_signal(signal.SIGSTOP)
                try:
                    # Filed on the master, not confirmed: the reads below index it.
                    self.assertFalse(s.call("complaints", "complaint.submit", {
                        "covenant": "textile", "respondent": s.respondent, "summary": "Locked exits 2",
                        "description": "The exits were locked.", "complainant": {"anonymous": True}})["ok"])
                    for _ in range(3):
                        listed = s.ok("complaints", "complaint.list", {"covenant": "textile"}, actor=SEC)
                        self.assertIn(first, [c["case_id"] for c in listed["cases"]])
                        opened = s.ok("complaints", "complaint.open", {"covenant": "textile",
                                                                       "respondent": s.respondent})
                        self.assertIn(first, [c["case_id"] for c in opened["cases"]])
                    s.stop("complaints")
                    s.start("complaints")
                    listed = s.ok("complaints", "complaint.list", {"covenant": "textile"}, actor=SEC)
                    self.assertIn(first, [c["case_id"] for c in listed["cases"]])
                finally:
                    replica.proc.send_signal(signal.SIGCONT)
            finally:
                replica.stop()


if __name__ == "__main__":
    unittest.main()

"""complaints: what staff need (issue 19, C): the complainant's identity only on request
(recorded and audited), assignment, internal notes, the queue's filters and word search, the
indexes built for older cases, and the CSV export."""
import csv
import io
import unittest

from harness import SharedSystem

STAFF = {"role": "secretariat", "person": "sam"}


class Staff(SharedSystem):
    SERVICES = ["membership", "complaints"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A case goes only to an account of the secretariat or the committee (complaint.assign).
        cls.account("lena", "committee")

    @classmethod
    def account(cls, username, role, org=None):
        body = {"username": username, "name": username.title(), "email": username + "@example.org", "role": role}
        if org:
            body["org"] = org
        cls.s.ok("membership", "account.create", body)
        return username

    def submit(self, covenant, summary, description="Doors were locked.", anonymous=False, respondent=None):
        complainant = {"anonymous": True} if anonymous else \
            {"anonymous": False, "name": "Asha", "contact": "asha@example.org", "kind": "worker"}
        body = {"covenant": covenant, "respondent": respondent or self.s.respondent, "summary": summary,
                "description": description, "complainant": complainant}
        return self.s.ok("complaints", "complaint.submit", body, actor=False)["case_id"]

    def listed(self, **body):
        return [c["case_id"] for c in self.s.ok("complaints", "complaint.list", body)["cases"]]

    def test_identity_only_on_request_and_recorded(self):
        cid = self.submit("textile", "Unpaid overtime")
        got = self.s.ok("complaints", "complaint.get", {"case_id": cid}, actor=STAFF)
        self.assertEqual(got["complainant"], {"anonymous": False, "kind": "worker", "identity_hidden": True})
        self.assertEqual(got["identity_reads"], [])
        got = self.s.ok("complaints", "complaint.get", {"case_id": cid, "identity": True}, actor=STAFF)
        self.assertEqual((got["complainant"]["name"], got["complainant"]["contact"]), ("Asha", "asha@example.org"))
        self.assertEqual(len(got["identity_reads"]), 1)
        self.assertIn("sam", got["identity_reads"][0]["by"])
        # A company never sees it, with or without identity (the complainant did not share it).
        owner = {"role": "company", "org": self.s.respondent}
        got = self.s.ok("complaints", "complaint.get", {"case_id": cid, "identity": True}, actor=owner)
        self.assertNotIn("name", got["complainant"])
        self.assertNotIn("notes", got)
        self.assertEqual(len(self.s.ok("complaints", "complaint.get", {"case_id": cid})["identity_reads"]), 1)

    def test_assign_and_notes(self):
        cid = self.submit("textile", "Blocked exits")
        r = self.s.ok("complaints", "complaint.assign", {"case_id": cid, "person": "lena"}, actor=STAFF, key="a1")
        self.assertEqual((r["assigned"]["person"], r["assigned"]["by"]), ("lena", "secretariat"))
        self.assertIn(cid, self.listed(covenant="textile", assigned="lena"))
        self.s.ok("complaints", "complaint.note", {"case_id": cid, "text": "Called the union."}, actor=STAFF)
        self.s.ok("complaints", "complaint.note", {"case_id": cid, "text": "Second note."},
                  actor={"role": "committee", "person": "kim"})
        got = self.s.ok("complaints", "complaint.get", {"case_id": cid}, actor=STAFF)
        self.assertEqual(got["assigned"]["person"], "lena")
        self.assertEqual([(n["text"], n["person"], n["role"]) for n in got["notes"]],
                         [("Called the union.", "sam", "secretariat"), ("Second note.", "kim", "committee")])
        row = [c for c in self.s.ok("complaints", "complaint.list", {"covenant": "textile", "limit": 1000})["cases"]
               if c["case_id"] == cid][0]
        self.assertEqual((row["assigned"], row["overdue"]), ("lena", False))
        # Unassigned: out of the index, no assigned in the case.
        r = self.s.ok("complaints", "complaint.assign", {"case_id": cid, "person": ""}, actor=STAFF)
        self.assertNotIn("assigned", r)
        self.assertNotIn(cid, self.listed(covenant="textile", assigned="lena"))
        self.assertNotIn("assigned", self.s.ok("complaints", "complaint.get", {"case_id": cid})) 
        # Notes are staff's: never in the messages, and a company may not write one.
        self.assertEqual(self.s.ok("complaints", "complaint.messages", {"case_id": cid})["messages"], [])
        r = self.s.call("complaints", "complaint.note", {"case_id": cid, "text": "x"},
                        actor={"role": "company", "org": self.s.respondent})
        self.assertEqual(r["error"]["code"], "forbidden")

    def test_a_case_goes_only_to_an_account_of_staff(self):
        # Before, any username was taken: a case given to nobody or to a company's person.
        cid = self.submit("textile", "Given to whom")
        company = self.account("assign.company", "company", self.s.respondent)
        self.account("assign.monitor", "monitoring")
        gone = self.account("assign.gone", "secretariat")
        self.s.ok("membership", "account.disable", {"username": gone})
        for person, code in [("nobody.here", "not_found"), (company, "invalid_argument"),
                             ("assign.monitor", "invalid_argument"), (gone, "invalid_argument")]:
            with self.subTest(person=person):
                r = self.s.call("complaints", "complaint.assign", {"case_id": cid, "person": person}, actor=STAFF)
                self.assertFalse(r["ok"], r)
                self.assertEqual((r["error"]["code"], r["error"]["field"]), (code, "person"), r)
                self.assertNotIn("assigned", self.s.ok("complaints", "complaint.get", {"case_id": cid}))
                self.assertNotIn(cid, self.listed(covenant="textile", assigned=person))
        # A secretariat account not yet enrolled (pending) may be given a case.
        new = self.account("assign.new", "secretariat")
        self.assertEqual(self.s.ok("complaints", "complaint.assign", {"case_id": cid, "person": new},
                                   actor=STAFF)["assigned"]["person"], new)
        # Membership away: not assigned blindly, unavailable; the case keeps its person.
        self.s.stop("membership")
        try:
            r = self.s.call("complaints", "complaint.assign", {"case_id": cid, "person": "lena"}, actor=STAFF)
            self.assertEqual((r["error"]["code"], r["error"]["field"]), ("unavailable", "person"), r)
            # Unassigning needs no account.
            r = self.s.call("complaints", "complaint.assign", {"case_id": cid, "person": ""}, actor=STAFF)
            self.assertTrue(r["ok"], r)
        finally:
            self.s.start("membership")
        self.assertNotIn("assigned", self.s.ok("complaints", "complaint.get", {"case_id": cid}))
        self.s.ok("complaints", "complaint.assign", {"case_id": cid, "person": "lena"}, actor=STAFF)

    def test_bad_input_is_named_and_changes_nothing(self):
        cid = self.submit("textile", "Something")
        for mtype, body, field in [
                ("complaint.assign", {"case_id": cid, "person": "Has Space"}, "person"),
                ("complaint.assign", {"case_id": cid}, "person"),
                ("complaint.note", {"case_id": cid, "text": ""}, "text"),
                ("complaint.note", {"case_id": cid, "text": "x" * 4001}, "text"),
                ("complaint.note", {"case_id": "TEXTILE-2020-9999", "text": "x"}, "case_id"),
                ("complaint.list", {"q": "!"}, "q"),
                ("complaint.list", {"q": "a b c d e f g h i j"}, "q"),
                ("complaint.list", {"assigned": "A!"}, "assigned"),
                ("complaint.list", {"overdue": "yes"}, "overdue"),
                ("complaint.export", {"covenant": "textile", "cursor": "nope"}, "cursor"),
                ("complaint.export", {}, "covenant")]:
            with self.subTest(mtype=mtype, body=body):
                r = self.s.call("complaints", mtype, body)
                self.assertFalse(r["ok"], r)
                self.assertEqual(r["error"]["field"], field, r)
        got = self.s.ok("complaints", "complaint.get", {"case_id": cid})
        self.assertEqual((got.get("assigned"), got["notes"]), (None, []))

    def test_words_respondent_status_and_case_id(self):
        brand = self.s.company("Zeeland Weverij Straße BV", ["natural-stone"])
        a = self.submit("natural-stone", "Quarry DUST everywhere", "Workers breathe silica dust daily.")
        b = self.submit("natural-stone", "Child labour at the quarry", "Children cut stones.", respondent=brand)
        c = self.submit("natural-stone", "Wages", "Paid late, dust in the halls.")
        self.assertEqual(self.listed(covenant="natural-stone", q="dust"), [c, a])
        self.assertEqual(self.listed(covenant="natural-stone", q="Dust quarry"), [a])
        self.assertEqual(self.listed(covenant="natural-stone", q="weverij"), [b])      # the respondent's name
        self.assertEqual(self.listed(covenant="natural-stone", q="STRASSE"), [b])      # case-folded
        self.assertEqual(self.listed(covenant="natural-stone", q="nowhere"), [])
        self.assertEqual(self.listed(covenant="natural-stone", respondent=brand), [b])
        self.assertEqual(self.listed(q=b.lower()), [b])                               # a case id
        self.assertEqual(self.listed(covenant="textile", q=b), [])
        self.s.ok("complaints", "complaint.transition", {"case_id": a, "to": "admissibility", "reason": "complete"})
        self.assertEqual(self.listed(covenant="natural-stone", status="admissibility"), [a])
        self.assertEqual(self.listed(covenant="natural-stone", status="received", q="dust"), [c])
        # Pages: limit and cursor over a filtered list.
        page = self.s.ok("complaints", "complaint.list", {"covenant": "natural-stone", "q": "dust", "limit": 1})
        self.assertEqual([x["case_id"] for x in page["cases"]], [c])
        nxt = self.s.ok("complaints", "complaint.list", {"covenant": "natural-stone", "q": "dust", "limit": 1,
                                                          "cursor": page["next_cursor"]})
        self.assertEqual([x["case_id"] for x in nxt["cases"]], [a])

    def test_overdue_filter(self):
        cid = self.submit("gold", "Mercury in the river")
        other = self.submit("gold", "Another one")
        # The acknowledge deadline passes (moved into the past in Redis, as the clock would),
        # once the case is in the deadline index (kept behind the submit: harness cases()).
        self.s.cases("gold")
        key = "imvo:complaints:{gold}:deadlines"
        self.s.redis.cli("ZADD", key, "1", cid + "|acknowledge")
        self.assertTrue(self.s.wait_for(lambda: cid in self.listed(covenant="gold", overdue=True)))
        self.assertNotIn(other, self.listed(covenant="gold", overdue=True))
        self.assertIn(other, self.listed(covenant="gold", overdue=False))
        self.assertNotIn(cid, self.listed(covenant="gold", overdue=False))
        # Acknowledged: no longer late.
        self.s.ok("complaints", "complaint.transition", {"case_id": cid, "to": "admissibility", "reason": "ok"})
        self.assertNotIn(cid, self.listed(covenant="gold", overdue=True))

    def test_export(self):
        ids = [self.submit("metals", "Case, \"quoted\" %d" % i) for i in range(3)]
        self.s.ok("complaints", "complaint.assign", {"case_id": ids[0], "person": "lena"})
        r = self.s.ok("complaints", "complaint.export", {"covenant": "metals"}, actor=STAFF)
        self.assertNotIn("cursor", r)
        rows = list(csv.DictReader(io.StringIO(r["csv"])))
        self.assertEqual([x["case_id"] for x in rows], ids[::-1])
        self.assertEqual(rows[-1]["assigned"], "lena")
        self.assertEqual(rows[0]["summary"], 'Case, "quoted" 2')
        self.assertRegex(rows[0]["received_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertNotIn("Asha", r["csv"])
        r = self.s.call("complaints", "complaint.export", {"covenant": "metals"},
                        actor={"role": "committee"})
        self.assertEqual(r["error"]["code"], "forbidden")

    def test_indexes_are_built_for_older_cases(self):
        # Cases from before the indexes: the marks and index sets gone, as an older version
        # left them; the daemon builds them again at its next start.
        a = self.submit("food", "Flooded mine shaft")
        self.submit("food", "Other")
        keys = self.s.redis.cli("KEYS", "imvo:complaints:{food}:*").split()
        dropped = [k for k in keys if ":word:" in k or ":status:" in k or k.endswith(":index_version")]
        self.s.redis.cli("DEL", *dropped)
        r = self.s.call("complaints", "complaint.list", {"covenant": "food", "q": "flooded"})
        self.assertEqual(r["error"]["code"], "unavailable")
        self.assertEqual(len(self.listed(covenant="food", status="received")), 2)    # read case by case
        self.s.stop("complaints")
        self.s.start("complaints")
        self.assertTrue(self.s.wait_for(lambda: self.s.call("complaints", "complaint.list",
                                                            {"covenant": "food", "q": "flooded"})["ok"], timeout=20))
        self.assertEqual(self.listed(covenant="food", q="SHAFT"), [a])


if __name__ == "__main__":
    unittest.main()

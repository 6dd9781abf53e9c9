"""Every reply holds what the catalogue says it holds: each entry's `.reply` (imvoctl --json
catalogue) names the reply body's top-level fields, '?' after one that may be absent. One system
of the four daemons; the data each message needs is made first (a company joined as a party, a
complaint taken through to a decision, a framework and a completed round, an ambiguous location);
then every message type is sent with a valid body by an actor with the right role, and each
reply must hold every field its entry does not mark optional. A type that cannot be sent here is
listed in CANNOT_CALL with the reason."""
import json
import subprocess
import unittest
import uuid

import msgpack

from harness import System, imvoctl_path, totp

SECRETARIAT = {"role": "secretariat"}
COMMITTEE = {"role": "committee"}
MONITORING = {"role": "monitoring"}
PUBLIC = False                  # no actor at all
YEAR = 2026
DAEMONS = ("membership", "complaints", "scoring", "notify")

# Message types this test does not send, each with the reason. Empty: it sends them all.
CANNOT_CALL = {}

FRAMEWORK = {"covenant": "gold", "version": 1, "due": "12-31", "name": "replies framework",
             "parts": [{"code": "a", "name": "Part A", "weight": 60,
                        "criteria": [{"id": "a1", "text": "a1", "max": 4}, {"id": "a2", "text": "a2", "max": 6}]},
                       {"code": "c", "name": "Part C", "weight": 40, "criteria": [{"id": "c1", "text": "c1", "max": 10}]}],
             "bands": [{"code": "low", "min": 0}, {"code": "high", "min": 50}]}
CSV = ("name,address,city,region,country,workers,product_type\n"
       "Replies Mill One,Road 1,Accra,,GH,120,bars\n"
       "Replies Mill Two,Road 2,Accra,,GH,80,bars\n")


def catalogue():
    """The catalogue's messages, by type (imvoctl --json catalogue)."""
    out = subprocess.run([imvoctl_path(), "--json", "catalogue"], capture_output=True, text=True, check=True).stdout
    return {m["type"]: m for m in json.loads(out)["messages"]}


def reply_fields(spec):
    """(required, optional) field names of a `.reply` string."""
    names = (spec or "").split()
    return [n for n in names if not n.endswith("?")], [n[:-1] for n in names if n.endswith("?")]


def missing(spec, body):
    """The required fields of spec that body lacks (all of them when body is no map)."""
    required, _ = reply_fields(spec)
    if not isinstance(body, dict):
        return required
    return [n for n in required if n not in body]


class Replies(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.catalogue = catalogue()
        cls.replies = {}            # type -> [(daemon, reply body), ...]
        cls.s = System(list(DAEMONS))
        cls.s.__enter__()
        try:
            cls.make_and_call()
        except BaseException:
            cls.s.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.s.__exit__(None, None, None)

    @classmethod
    def call(cls, daemon, mtype, body, actor=None, idem=None):
        """Sends one message (with a new idempotency key when the entry keeps keys) that must
        succeed; keeps the reply body for the checks and returns it."""
        if idem is None:
            idem = bool(cls.catalogue[mtype]["idem_ttl"])
        kw = {"key": uuid.uuid4().hex} if idem else {}
        reply = cls.s.call(daemon, mtype, body, actor=actor, **kw)
        assert reply is not None, "no reply from %s to %s" % (daemon, mtype)
        assert reply.get("ok"), "%s to %s failed: %r" % (mtype, daemon, reply)
        cls.replies.setdefault(mtype, []).append((daemon, reply["body"]))
        return reply["body"]

    @classmethod
    def make_and_call(cls):
        s, call = cls.s, cls.call
        for d in DAEMONS:
            call(d, "ping", {}, actor=PUBLIC)
            call(d, "stats", {}, actor=PUBLIC)

        # --- membership: a company that is a party of gold, one that joins and leaves ------
        call("membership", "covenant.list", {}, actor=PUBLIC)
        call("membership", "covenant.get", {"code": "gold"}, actor=PUBLIC)
        call("membership", "covenant.get", {"code": "metals"}, actor=PUBLIC)       # with its term
        call("membership", "covenant.term_record", {"covenant": "metals", "decision": "extended",
                                                    "until": "2029-05-23", "source": "replies test"})
        call("membership", "location.disclosures", {"covenant": "textile", "year": 2021})
        org = call("membership", "org.register", {"name": "Replies Party BV", "kind": "company", "country": "NL",
                                                  "contacts": {"email": "csr@replies.example"},
                                                  "market_share_bp": 120})["org_id"]
        company = {"role": "company", "org": org}
        call("membership", "member.join", {"covenant": "gold", "org_id": org, "role": "party"})
        call("membership", "org.update", {"org_id": org, "name": "Replies Party B.V."}, actor=company)
        call("membership", "org.get", {"org_id": org})
        call("membership", "org.get", {"org_id": org}, actor=company)
        call("membership", "org.list", {"kind": "company", "limit": 5})
        call("membership", "member.list", {"covenant": "gold"}, actor=PUBLIC)
        call("membership", "member.get", {"covenant": "gold", "org_id": org})
        call("membership", "member.unpaid", {"covenant": "gold", "year": YEAR})
        call("membership", "member.pay", {"covenant": "gold", "org_id": org, "year": YEAR, "amount_eur": 2500})
        # A trade association that lists its member companies, and a supporter's contribution.
        assoc = call("membership", "org.register", {"name": "Replies Association", "kind": "trade_association",
                                                    "country": "NL"})["org_id"]
        call("membership", "member.join", {"covenant": "gold", "org_id": assoc, "role": "party"})
        call("membership", "member.associates", {"covenant": "gold", "org_id": assoc, "companies": [org]})
        call("membership", "member.associated", {"covenant": "gold"}, actor=MONITORING)
        supporter = call("membership", "org.register", {"name": "Replies Supporter", "kind": "ngo",
                                                        "country": "NL"})["org_id"]
        call("membership", "member.join", {"covenant": "gold", "org_id": supporter, "role": "supporter"})
        call("membership", "member.contribute", {"covenant": "gold", "org_id": supporter, "kind": "financial",
                                                 "year": YEAR, "amount_eur": 500, "activity": "Uganda project"})
        leaver = call("membership", "org.register", {"name": "Replies Leaver BV", "kind": "company",
                                                     "country": "BE"})["org_id"]
        call("membership", "member.join", {"covenant": "gold", "org_id": leaver, "role": "supporter"})
        call("membership", "member.leave", {"covenant": "gold", "org_id": leaver, "reason": "merged"})

        # --- locations: one added, two imported, an ambiguous match flagged and resolved ------
        base = {"covenant": "gold", "org_id": org, "year": 2020, "city": "Kampala", "country": "UG"}
        # x and y are distinct; z is within reach of both (tests/test_membership.py).
        x = call("membership", "location.add", {**base, "name": "Kampala Gold Refinery",
                                                "address": "Plot 12 Industrial Area Jinja Road East"}, actor=company)
        call("membership", "location.add", {**base, "name": "Kampala Gold Refinery",
                                            "address": "Plot 12 Industrial Area Port Bell West"}, actor=company)
        z = call("membership", "location.add", {**base, "name": "Kampala Gold Refinery",
                                                "address": "Plot 12 Industrial Area Jinja Bell West"}, actor=company)
        assert z["match"] == "flagged", z
        call("membership", "location.import", {"covenant": "gold", "org_id": org, "year": 2021, "csv": CSV},
             actor=company)
        call("membership", "location.flags", {"covenant": "gold"})
        call("membership", "location.resolve", {"covenant": "gold", "flag_id": z["flag_id"], "decision": "confirm",
                                                "location_id": x["location_id"]})
        call("membership", "location.publish", {"covenant": "gold", "year": 2020})
        call("membership", "location.list", {"covenant": "gold", "year": 2020}, actor=PUBLIC)
        call("membership", "location.export", {"covenant": "gold", "year": 2020}, actor=PUBLIC)
        call("membership", "location.list", {"covenant": "gold", "year": 2021})          # the draft, for staff
        call("membership", "location.counts", {"covenant": "gold"}, actor=PUBLIC)
        call("membership", "location.sourcing", {"location_id": x["location_id"]})
        call("membership", "location.search", {"covenant": "gold", "q": "kampala"}, actor=PUBLIC)

        # --- accounts: one created by the company for itself, enrolled, signed in, reset, disabled ---
        person = call("membership", "account.create", {"username": "replies." + uuid.uuid4().hex[:8], "name": "Ria",
                                                        "email": "ria@replies.example", "role": "company", "org": org},
                      actor=company)
        enrolled = call("membership", "account.enroll", {"enroll_token": person["enroll_token"],
                                                         "password": "replies password"}, actor=PUBLIC)
        gateway = {"role": "gateway"}
        signed_in = call("membership", "account.login", {"username": person["username"], "password": "replies password",
                                                         "totp": totp(enrolled["totp_secret"])}, actor=gateway)
        call("membership", "account.session", {"session": signed_in["session"]}, actor=gateway)
        call("membership", "account.password", {"username": person["username"], "password": "replies password",
                                                "new_password": "replies password 2", "session": signed_in["session"]},
             actor={"role": "company", "org": org, "person": person["username"]})
        call("membership", "account.logout", {"session": signed_in["session"]}, actor=gateway)
        call("membership", "account.list", {"org": org}, actor=company)
        call("membership", "account.get", {"username": person["username"]})
        call("membership", "account.get", {"username": person["username"]}, actor={"role": "service"})
        call("membership", "account.create", {"username": "lena", "name": "Lena", "email": "lena@replies.example",
                                              "role": "committee"})
        call("membership", "account.reset", {"username": person["username"], "what": "totp"})
        call("membership", "account.disable", {"username": person["username"]}, actor=company)

        # --- complaints: one case taken to a decision, one without a respondent, the queue ---
        respondent = s.respondent       # a supporter of every covenant, known to complaints
        owner = {"role": "company", "org": respondent}
        complaint = {"covenant": "textile", "respondent": respondent, "summary": "Locked fire exits",
                     "description": "The fire exits are locked during night shifts.",
                     "complainant": {"anonymous": True}, "country": "BD"}
        case = call("complaints", "complaint.submit", complaint, actor=PUBLIC)
        case_id, receipt = case["case_id"], case["receipt"]
        call("complaints", "complaint.status", {"receipt": receipt}, actor=PUBLIC)
        call("complaints", "complaint.get", {"case_id": case_id})
        call("complaints", "complaint.get", {"case_id": case_id}, actor=owner)
        call("complaints", "complaint.open", {"covenant": "textile", "respondent": respondent})
        call("complaints", "complaint.list", {"covenant": "textile", "limit": 10})
        call("complaints", "complaint.message", {"receipt": receipt, "text": "Any news?"},
             actor={"role": "complainant"})
        call("complaints", "complaint.message", {"case_id": case_id, "text": "We are looking into it."})
        call("complaints", "complaint.messages", {"case_id": case_id})
        call("complaints", "complaint.messages", {"receipt": receipt}, actor={"role": "complainant"})
        # Evidence: a photo in one call by receipt, a note in two parts by case id, both read back.
        jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"
        photo = call("complaints", "complaint.attach", {"receipt": receipt, "name": "exit.jpg", "content_type": "image/jpeg",
                                                        "data": jpeg}, actor={"role": "complainant"})
        upload = call("complaints", "complaint.attach", {"case_id": case_id, "name": "visit.txt", "content_type": "text/plain",
                                                         "data": b"The exits were locked at 23:00.\n", "part": 0})["upload"]
        call("complaints", "complaint.attach", {"upload": upload, "part": 1, "data": b"And at 02:00.\n", "last": True})
        call("complaints", "complaint.attachment", {"case_id": case_id, "attachment_id": photo["attachment_id"]})
        call("complaints", "complaint.attachment", {"receipt": receipt, "attachment_id": photo["attachment_id"], "part": 0},
             actor={"role": "complainant"})
        call("complaints", "complaint.transition", {"case_id": case_id, "to": "admissibility", "reason": "complete"})
        call("complaints", "complaint.transition", {"case_id": case_id, "to": "response", "reason": "admissible"},
             actor=COMMITTEE)
        call("complaints", "complaint.respond", {"case_id": case_id, "text": "The exits are open now."}, actor=owner)
        call("complaints", "complaint.transition", {"case_id": case_id, "to": "ruling", "reason": "no settlement"},
             actor=COMMITTEE)
        call("complaints", "complaint.transition", {"case_id": case_id, "to": "decided", "reason": "heard both",
                                                    "outcome": "partly_founded", "decision": "Keep the exits open."},
             actor=COMMITTEE)
        call("complaints", "complaint.publish", {"case_id": case_id, "statement": "The exits must stay open."},
             actor=COMMITTEE)
        call("complaints", "complaint.get", {"case_id": case_id})                  # with outcome, decision, statement
        call("complaints", "complaint.decisions", {"covenant": "textile"}, actor=PUBLIC)
        call("complaints", "complaint.overdue", {"covenant": "textile"})
        call("complaints", "complaint.stats", {"covenant": "textile"})
        call("complaints", "audit.list", {"covenant": "textile", "limit": 5})     # the changes above
        # Staff's work on a case: identity on request, assignment, notes, filters, export.
        call("complaints", "complaint.get", {"case_id": case_id, "identity": True})
        call("complaints", "complaint.assign", {"case_id": case_id, "person": "lena"})
        call("complaints", "complaint.note", {"case_id": case_id, "text": "Called the union."})
        call("complaints", "complaint.translate", {"case_id": case_id, "lang": "en", "summary": "Locked fire exits",
                                                   "description": "The fire exits are locked during night shifts."})
        call("complaints", "complaint.get", {"case_id": case_id})                  # assigned, notes, translations
        call("complaints", "complaint.list", {"covenant": "textile", "q": "fire exits", "assigned": "lena",
                                              "overdue": False, "respondent": respondent})
        call("complaints", "complaint.export", {"covenant": "textile"})
        loose = call("complaints", "complaint.submit", {k: v for k, v in complaint.items() if k != "respondent"},
                     actor=PUBLIC)
        call("complaints", "complaint.update", {"case_id": loose["case_id"], "respondent": respondent})
        call("complaints", "complaint.intake_result", {"key": "never-queued-" + uuid.uuid4().hex})     # pending
        key = "replies-" + uuid.uuid4().hex
        env = {"v": 1, "id": uuid.uuid4().hex, "type": "complaint.submit", "key": key, "body": complaint}
        s.redis.pipe([["XADD", "imvo:complaints:intake", "*", "msg", msgpack.packb(env)]])
        assert s.wait_for(lambda: s.ok("complaints", "complaint.intake_result", {"key": key})["state"] != "pending",
                          timeout=20), s.log("complaints")
        call("complaints", "complaint.intake_result", {"key": key})                                # done

        # --- notify ---------------------------------------------------------------------------
        inbox = "org:" + respondent
        call("notify", "subscription.put", {"recipient": inbox, "channel": "inbox", "lang": "en"}, actor=owner)
        call("notify", "subscription.list", {"recipient": inbox}, actor=owner)
        # The company hears of the case (complaint.received, status changes) once notify read them.
        s.wait_for(lambda: s.ok("notify", "inbox.list", {"recipient": inbox}, actor=owner)["items"])
        items = call("notify", "inbox.list", {"recipient": inbox, "limit": 1}, actor=owner)["items"]
        call("notify", "inbox.list", {"recipient": "secretariat:textile"})
        ids = [i["event_id"] for i in items if isinstance(i, dict) and "event_id" in i] or ["no-such-event"]
        call("notify", "inbox.mark_read", {"recipient": inbox, "event_ids": ids}, actor=owner)
        call("notify", "inbox.by_receipt", {"receipt": receipt}, actor=PUBLIC)
        call("notify", "notify.failures", {})

        # --- scoring: a framework, the party's plan, a completed round, an appeal ------------
        call("scoring", "framework.put", FRAMEWORK, actor=MONITORING)
        call("scoring", "framework.get", {"covenant": "gold"}, actor=PUBLIC)
        call("scoring", "framework.get", {"covenant": "textile"}, actor=PUBLIC)       # the seed framework
        call("scoring", "submission.put", {"covenant": "gold", "org_id": org, "year": YEAR,
                                           "answers": {"a1": 2, "a2": 3, "c1": 5},
                                           "risks": [{"theme": "mercury", "country": "PE", "severity": 2},
                                                     {"theme": "child_labour", "country": "CD", "severity": 3}],
                                           "public_report_url": "https://replies.example/dd"},
             actor=company)
        doc = call("scoring", "submission.attach", {"covenant": "gold", "org_id": org, "year": YEAR, "name": "plan.txt",
                                                    "content_type": "text/plain", "data": b"Our plan, in words.\n"},
                   actor=company)
        call("scoring", "submission.get", {"covenant": "gold", "org_id": org, "year": YEAR}, actor=company)
        call("scoring", "submission.document", {"covenant": "gold", "org_id": org, "year": YEAR,
                                                "doc_id": doc["doc_id"]}, actor=company)
        round_id = call("scoring", "assessment.start", {"covenant": "gold", "year": YEAR},
                        actor=MONITORING)["round_id"]
        assert s.wait_for(lambda: s.ok("scoring", "assessment.get", {"round_id": round_id},
                                       actor=MONITORING)["status"] == "completed", timeout=30), s.log("scoring")
        call("scoring", "assessment.get", {"round_id": round_id}, actor=MONITORING)
        call("scoring", "assessment.get", {"round_id": round_id}, actor=company)
        appeal = call("scoring", "assessment.appeal", {"round_id": round_id, "org_id": org, "reason": "c1 missed"},
                      actor=company)
        call("scoring", "assessment.get", {"round_id": round_id}, actor=company)      # with its appeal
        call("scoring", "assessment.appeal_decide", {"appeal_id": appeal["appeal_id"], "accept": True,
                                                     "answers": {"c1": 9}, "reason": "c1 was evidenced"},
             actor=MONITORING)
        call("scoring", "assessment.round", {"covenant": "gold", "year": YEAR}, actor=MONITORING)
        call("scoring", "assessment.round", {"covenant": "gold", "year": YEAR, "q": "a", "status": "submitted",
                                             "offset": 0, "limit": 10}, actor=MONITORING)
        call("scoring", "assessment.report", {"round_id": round_id}, actor=PUBLIC)
        call("scoring", "assessment.report", {"round_id": round_id, "format": "html"}, actor=MONITORING)
        # Collective work and the assessor's step (tests/test_collective.py): the working group's
        # choice, a project, a verdict and a comment; the window does not let the results out yet.
        call("scoring", "collective.choose", {"round_id": round_id, "working_group": "wg", "note": "n",
                                              "risks": [{"theme": "mercury", "country": "PE"},
                                                        {"theme": "child_labour", "country": "CD"}]})
        call("scoring", "project.put", {"covenant": "gold", "code": "replies", "name": "Replies project",
                                        "from_year": 2020, "participants": [org], "source": "replies test"})
        call("scoring", "project.list", {"covenant": "gold"}, actor=PUBLIC)
        call("scoring", "project.list", {"covenant": "textile"}, actor=PUBLIC)         # the seeded ones
        call("scoring", "assessment.verify", {"round_id": round_id, "org_id": org, "criterion": "a1",
                                              "verdict": "adjusted", "score": 1, "comment": "a draft"}, actor=MONITORING)
        call("scoring", "assessment.comment", {"round_id": round_id, "org_id": org, "criterion": "a1",
                                               "comment": "adopted since"}, actor=company)
        call("scoring", "assessment.review", {"round_id": round_id, "org_id": org}, actor=company)
        # Published only after the two weeks: the committee and the public get their replies once
        # scoring's clock has moved on (as the appeal window in test_scoring).
        s.stop("scoring")
        s.extra_env["IMVO_CLOCK_OFFSET_S"] = str(15 * 86400)
        s.start("scoring")
        call("scoring", "assessment.publish", {"round_id": round_id}, actor=MONITORING)
        call("scoring", "assessment.results", {"round_id": round_id}, actor=PUBLIC)
        s.stop("scoring")
        del s.extra_env["IMVO_CLOCK_OFFSET_S"]
        s.start("scoring")
        # --- membership: the SRA sectors, a general meeting, the steering group -------------
        call("membership", "sector.list", {}, actor=PUBLIC)
        call("membership", "meeting.record", {"covenant": "gold", "date": "2021-05-01", "attendees": [org],
                                              "votes": [{"motion": "annual plan", "for": [org]}], "source": "minutes"})
        call("membership", "meeting.list", {"covenant": "gold"})
        call("membership", "steering.get", {"covenant": "metals"}, actor=PUBLIC)       # the seeded chair
        call("membership", "steering.put", {"covenant": "gold", "chair": "A. Chair", "chair_independent": True,
                                            "members": [{"name": "B. Rep", "org_id": org}], "source": "minutes"})
        call("membership", "steering.get", {"covenant": "gold"}, actor=PUBLIC)

    def test_every_entry_names_its_reply(self):
        for mtype, m in sorted(self.catalogue.items()):
            with self.subTest(type=mtype):
                self.assertTrue(m["reply"], "%s has no .reply in the catalogue" % mtype)

    def test_every_type_is_called_or_listed_as_not_callable(self):
        called = set(self.replies)
        self.assertEqual(sorted(set(self.catalogue) - called - set(CANNOT_CALL)), [],
                         "catalogue types neither called nor listed in CANNOT_CALL")
        self.assertEqual(sorted(set(CANNOT_CALL) - set(self.catalogue)), [], "CANNOT_CALL lists unknown types")
        self.assertEqual(sorted(set(CANNOT_CALL) & called), [], "CANNOT_CALL lists types the test calls")

    def test_each_reply_holds_the_fields_its_entry_requires(self):
        for mtype, got in sorted(self.replies.items()):
            spec = self.catalogue[mtype]["reply"]
            for daemon, body in got:
                with self.subTest(type=mtype, daemon=daemon):
                    self.assertEqual(missing(spec, body), [],
                                     "%s from %s lacks required reply fields (catalogue: %r); got %r"
                                     % (mtype, daemon, spec, sorted(body) if isinstance(body, dict) else body))

    def test_each_reply_holds_only_fields_its_entry_names(self):
        # The other way round: a top-level field the entry does not name is a gap in the catalogue.
        for mtype, got in sorted(self.replies.items()):
            required, optional = reply_fields(self.catalogue[mtype]["reply"])
            for daemon, body in got:
                with self.subTest(type=mtype, daemon=daemon):
                    self.assertEqual(sorted(set(body) - set(required) - set(optional)), [],
                                     "%s from %s holds fields its catalogue entry does not name" % (mtype, daemon))

    def test_a_missing_field_is_caught(self):
        # The check itself: a required field absent fails, an optional one does not.
        self.assertEqual(missing("case_id status receipt?", {"case_id": "TEXTILE-2026-0001"}), ["status"])
        self.assertEqual(missing("case_id status receipt?", {"case_id": "X", "status": "received"}), [])
        self.assertEqual(missing("cases", None), ["cases"])


if __name__ == "__main__":
    unittest.main()

"""The cases that name a place wait in their covenant's queue (:to_link) until the companies that
disclosed the place are linked (issue 21, 6: complaints no longer reads every complaint.received
of its own with a consumer group to find them; services/complaints/complaints_link_queue.c)."""
import unittest

from harness import SharedSystem

PLACE = {"name": "Karim Spinning Mills", "address": "Plot 7, Savar EPZ", "city": "Dhaka", "country": "BD"}
GROUPS = "XINFO", "GROUPS"


class LinkQueue(SharedSystem):
    SERVICES = ["complaints"]

    def groups(self, covenant):
        return self.s.redis.cli(*GROUPS, "imvo:complaints:{%s}:events" % covenant).split("\n")

    def test_a_complaint_without_a_place_adds_nothing_to_read_for_complaints_itself(self):
        s = self.s
        org = s.company("Epsilon Mining BV", ["gold"])
        s.ok("complaints", "complaint.submit", {"covenant": "gold", "respondent": org, "summary": "Mercury",
                                                "description": "Mercury in the river.",
                                                "complainant": {"anonymous": True}})
        self.assertEqual(s.redis.cli("ZCARD", "imvo:complaints:{gold}:to_link").strip(), "0")
        self.assertNotIn("complaints", self.groups("gold"))

    def test_an_upgrade_links_the_cases_the_former_consumer_group_had_not_settled(self):
        s = self.s
        org = s.company("Zeta Garments BV", ["textile"])
        place = s.ok("membership", "location.add", dict(PLACE, covenant="textile", org_id=org, year=2026))["location_id"]
        case_id = s.ok("complaints", "complaint.submit", {
            "covenant": "textile", "location_id": place, "summary": "Wages unpaid", "description": "Three months.",
            "complainant": {"anonymous": True}})["case_id"]

        def linked():
            return s.ok("complaints", "complaint.get", {"case_id": case_id}).get("linked")
        self.assertEqual([x["org_id"] for x in s.wait_for(linked)], [org])
        self.assertEqual(s.redis.cli("ZCARD", "imvo:complaints:{textile}:to_link").strip(), "0")
        # The state an earlier version left: its group on the stream, the event not yet read.
        s.stop("complaints")
        s.redis.cli("HDEL", "imvo:complaints:{textile}:case:" + case_id, "linked")
        s.redis.cli("XGROUP", "CREATE", "imvo:complaints:{textile}:events", "complaints", "0")
        s.start("complaints")
        self.assertEqual([x["org_id"] for x in s.wait_for(linked)], [org])
        self.assertNotIn("complaints", self.groups("textile"))
        self.assertEqual(s.redis.cli("ZCARD", "imvo:complaints:{textile}:to_link").strip(), "0")


if __name__ == "__main__":
    unittest.main()

"""Daemons ask each other through clients each thread keeps (imvo_ctx_client, common/imvo_client.c):
one socket and CURVE session a thread, not one a request. A daemon that started again on other
ports is found at the next call: the client looks the endpoint up at each call
(IMVO_<NAME>_ENDPOINT=@<ready file> here) and never asks the old port, which another process
may hold by then."""
import socket
import unittest

from harness import System


class KeptClients(unittest.TestCase):
    def test_a_restarted_daemon_is_found_at_the_next_call(self):
        with System(["membership", "complaints", "notify"]) as s:
            receipt = s.ok("complaints", "complaint.submit", {
                "covenant": "textile", "respondent": s.respondent, "summary": "Wages withheld",
                "description": "Three months of wages were not paid.", "complainant": {"anonymous": True}},
                key="kept-1")["receipt"]
            # notify asks complaints whether the receipt is a case's (inbox.by_receipt), and
            # membership asks it for a company's open cases (org.get): both keep their client.
            s.ok("notify", "inbox.by_receipt", {"receipt": receipt}, actor=False)
            before = s.ok("membership", "org.get", {"org_id": s.respondent})["open_cases"]
            # complaints starts again while another process holds its old port (the kernel
            # would often give it the same one back): it gets another.
            old = s.bound("complaints")[0]
            s.stop("complaints")
            with socket.socket() as holder:
                holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    holder.bind(("127.0.0.1", old))
                    holder.listen()
                except OSError:
                    pass            # another test's process took it first: held all the same
                s.start("complaints")
                self.assertNotEqual(s.bound("complaints")[0], old)
                r = s.call("notify", "inbox.by_receipt", {"receipt": receipt}, actor=False)
                self.assertTrue(r["ok"], r)
                self.assertEqual(s.ok("membership", "org.get", {"org_id": s.respondent})["open_cases"], before)
            self.assertTrue(before)


if __name__ == "__main__":
    unittest.main()

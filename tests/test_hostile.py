"""Hostile frames against the real daemons: each gets the right error reply (or, over the
size limit, is refused by the socket), and the daemon keeps serving."""
import random
import unittest

import msgpack

from harness import System

VALID = {"v": 1, "id": "good", "type": "complaint.submit", "body": {
    "covenant": "textile", "respondent": "org-1", "summary": "s", "description": "d",
    "complainant": {"anonymous": True}}}


def env(**over):
    e = {"v": 1, "id": "h1", "type": "ping", "body": {}}
    e.update(over)
    return msgpack.packb(e)


CORPUS = [
    ("empty", b"", "bad_request", None),
    ("garbage", b"\xc1\xc1\xc1", "bad_request", None),
    ("not a map", msgpack.packb([1, 2, 3]), "bad_request", None),
    ("truncated", env()[:-3], "bad_request", None),
    ("huge array32", b"\xdd\xff\xff\xff\xff\x01", "bad_request", None),
    ("huge map32", b"\xdf\xff\xff\xff\xff", "bad_request", None),
    ("huge str32", b"\x81\xa2id\xdb\xff\xff\xff\xf0abc", "bad_request", None),
    ("deep nesting", b"\x91" * 3000 + b"\x01", "bad_request", None),
    ("version 2", env(v=2), "bad_request", "h1"),
    ("version string", env(v="1"), "bad_request", "h1"),
    ("id int", env(id=5), "bad_request", None),
    ("body array", env(body=[1]), "bad_request", "h1"),
    ("body missing", msgpack.packb({"v": 1, "id": "h1", "type": "ping"}), "bad_request", "h1"),
    ("actor int", env(actor=3), "bad_request", "h1"),
    ("key too long", env(key="k" * 129), "bad_request", "h1"),
    ("unknown type", env(type="complaint.explode"), "unknown_type", "h1"),
    ("bad field", env(type="complaint.submit", body={"covenant": 7}), "invalid_argument", "h1"),
    ("bad nested", env(type="complaint.submit", body={**VALID["body"], "complainant": {"anonymous": "x"}}),
     "invalid_argument", "h1"),
]


class Hostile(unittest.TestCase):
    def test_corpus_then_still_serving(self):
        with System(["complaints", "notify"], env={"IMVO_MAX_MSG_BYTES": "4096"}) as s:
            for name, frame, code, rid in CORPUS:
                for daemon in ("complaints", "notify"):
                    with self.subTest(name=name, daemon=daemon):
                        r = s.send_raw(daemon, frame)
                        self.assertIsNotNone(r, "no reply")
                        self.assertFalse(r["ok"])
                        expected = "unknown_type" if daemon == "notify" and code == "invalid_argument" else code
                        self.assertEqual(r["error"]["code"], expected, r)
                        self.assertEqual(r["id"], rid)
            # Over the size limit: the socket refuses it, no reply, daemon unharmed.
            big = env(type="complaint.submit", body={**VALID["body"], "description": "x" * 10000})
            self.assertIsNone(s.send_raw("complaints", big, timeout=500))
            # REQ clients and multi-frame DEALER requests are answered too.
            self.assertTrue(s.send_raw("complaints", [env()], req=True)["ok"])
            self.assertTrue(s.send_raw("complaints", [b"extra", env()])["ok"])
            # Random bytes and mutations of a valid request: always a reply, never a crash.
            rng = random.Random(20261123)
            good = msgpack.packb(VALID)
            for i in range(1000):
                frame = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
                self.assertIsNotNone(s.send_raw("complaints", frame), frame)
            for i in range(1000):
                b = bytearray(good)
                for _ in range(rng.randrange(1, 4)):
                    b[rng.randrange(len(b))] = rng.randrange(256)
                r = s.send_raw("complaints", bytes(b))
                self.assertIsNotNone(r, bytes(b))
            self.assertTrue(s.ok("complaints", "ping", {}))
            self.assertIn("case_id", s.ok("complaints", "complaint.submit", VALID["body"]))
            stats = s.ok("complaints", "stats", {})
            self.assertGreaterEqual(stats["errors"]["bad_request"], 15)
            self.assertGreaterEqual(stats["errors"]["unknown_type"], 1)
            self.assertGreaterEqual(stats["errors"]["invalid_argument"], 2)


if __name__ == "__main__":
    unittest.main()

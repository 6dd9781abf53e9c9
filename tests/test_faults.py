"""Faults: submits with retries by key while complaints is killed twice and Redis once; every
acknowledged case exists once, no key made two cases, each case is in the inbox once
(tests/faults.py; bench_faults.py runs the same with 10,000 submits)."""
import unittest

import faults


class Faults(unittest.TestCase):
    def test_kills_lose_and_double_nothing(self):
        figures = faults.run(1500, log=lambda f: None)
        self.assertEqual(figures["cases"], 1500)
        self.assertEqual(figures["inbox_items"], 1500)


if __name__ == "__main__":
    unittest.main()

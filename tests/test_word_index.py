"""complaints: the word index kept behind the submit (complaints_word_index.c, issue 21, 6). The
submit script no longer writes a ZADD per word; a timer indexes the new cases (by the year's case
counter and :words_at), and complaint.list's q brings the index up to date first, so a case
acknowledged a moment ago is found at once."""
import unittest

from harness import SharedSystem


class WordIndex(SharedSystem):
    SERVICES = ["membership", "complaints"]

    def submit(self, covenant, summary, description):
        body = {"covenant": covenant, "respondent": self.s.respondent, "summary": summary,
                "description": description, "complainant": {"anonymous": True}}
        return self.s.ok("complaints", "complaint.submit", body, actor=False)["case_id"]

    def found(self, covenant, q):
        return [c["case_id"] for c in self.s.ok("complaints", "complaint.list", {"covenant": covenant, "q": q})["cases"]]

    def key(self, covenant, rest):
        return "imvo:complaints:{%s}:%s" % (covenant, rest)

    def cli(self, *args):
        return self.s.redis.cli(*args).strip()

    def test_the_timer_indexes_new_cases_without_a_search(self):
        cid = self.submit("gold", "Mercury in the river", "Miners handle mercury without gloves.")
        year = cid.split("-")[1]
        seq = self.cli("GET", self.key("gold", "seq:" + year))
        self.assertTrue(self.s.wait_for(lambda: self.cli("HGET", self.key("gold", "words_at"), year) == seq))
        for word in ("mercury", "river", "gloves", "miners"):
            self.assertNotEqual(self.cli("ZSCORE", self.key("gold", "word:" + word), cid), "", word)
        # The respondent's name is indexed with the case too (member_words).
        names = self.cli("HGET", self.key("gold", "member_words"), self.s.respondent).split()
        self.assertTrue(names)
        self.assertNotEqual(self.cli("ZSCORE", self.key("gold", "word:" + names[0]), cid), "")

    def test_a_search_right_after_the_submit_finds_the_case(self):
        cid = self.submit("metals", "Cobalt dust", "Dust from the cobalt refinery.")
        self.assertEqual(self.found("metals", "cobalt refinery"), [cid])

    def test_a_search_catches_up_when_the_index_lags(self):
        # The index made to lag behind: the case's words gone and its mark set back, as if the
        # timer had not reached it yet. The search indexes it first, then answers.
        cid = self.submit("textile", "Flooded warehouse", "The warehouse flooded twice.")
        year, number = cid.split("-")[1], int(cid.split("-")[2])
        self.assertTrue(self.s.wait_for(lambda: self.cli("HGET", self.key("textile", "words_at"), year)
                                        == str(number)))
        for word in ("flooded", "warehouse", "twice"):
            self.cli("ZREM", self.key("textile", "word:" + word), cid)
        self.cli("HSET", self.key("textile", "words_at"), year, str(number - 1))
        self.assertEqual(self.found("textile", "twice"), [cid])
        self.assertEqual(self.cli("HGET", self.key("textile", "words_at"), year), str(number))

    def test_many_cases_in_one_step_share_a_zadd_per_word(self):
        ids = [self.submit("food", "Loan case%02d" % i, "Eviction for the plantation.") for i in range(30)]
        self.assertEqual(sorted(self.found("food", "plantation eviction")), sorted(ids))
        self.assertEqual(self.found("food", "loan case07"), [ids[7]])


if __name__ == "__main__":
    unittest.main()

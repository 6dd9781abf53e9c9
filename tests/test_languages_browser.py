"""Her language in a real browser (tests/portal/languages.mjs, Debian's Chromium): the complaint
form in each of the nine languages at phone and desktop size, screenshots into
<build>/screenshots/lang-<code>-<size>.png (the Noto fonts draw the scripts), axe-core clean on
each, and the menu of languages followed from the Dutch form to each language."""
import os
import unittest

import test_portal
from test_languages import LANGS, NAMES, tr
from test_portal import SHOTS


class LanguagesBrowser(test_portal.PortalSystem):

    def test_the_form_in_every_language(self):
        self.script = os.path.join(os.path.dirname(self.script), "languages.mjs")
        out = self.browser("languages")
        for lang in LANGS:
            with self.subTest(lang=lang):
                page = out["pages"][lang]
                self.assertEqual(page["lang"], lang)
                self.assertEqual(page["title"], tr(lang, "File a complaint with an IMVO covenant"))
                self.assertEqual(page["menu"], [list(x) for x in zip(LANGS, NAMES)])
                for size in ("phone", "desktop"):
                    self.assertGreater(os.path.getsize(os.path.join(SHOTS, "lang-%s-%s.png" % (lang, size))), 10000)
        self.assertEqual(out["followed"], LANGS)
        self.assertEqual({page: v for page, v in out["axe"].items() if v}, {})
        self.assertEqual(len(out["axe"]), 2 * len(LANGS))


if __name__ == "__main__":
    unittest.main()

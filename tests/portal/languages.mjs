// Her language in a real browser (Debian's Chromium through playwright-core, JavaScript off): the
// complaint form in each of the nine languages, a screenshot at phone and desktop size
// (SHOTS/lang-<code>-<size>.png: the Noto fonts must draw Bengali, Devanagari, Chinese and
// Vietnamese, not boxes), axe-core on each; and the menu of languages followed from the Dutch
// form to each other language. tests/test_languages_browser.py runs it. Prints one JSON line:
//   node languages.mjs languages BASE SHOTS -> {pages: {code: {lang, title, menu}}, followed: [codes], axe: {page-size: [violations]}}
import { axeBoth, click, axeViolations, launch, shoot as pagesShoot, sizes } from './pages.mjs';

const [, base, shots] = process.argv.slice(2);     // languages BASE SHOTS
const langs = ['nl', 'en', 'fr', 'es', 'bn', 'hi', 'zh', 'tr', 'vi'];
const browser = await launch();
const out = { pages: {}, followed: [], axe: {} };

const context = await browser.newContext({ viewport: sizes.desktop, javaScriptEnabled: false });
const p = await context.newPage();
// axe is a script: a context of its own runs it on the same page, past the page's CSP.
const checker = await (await browser.newContext({ bypassCSP: true })).newPage();
for (const lang of langs) {
  const url = `${base}/?lang=${lang}&covenant=textile`;
  await p.goto(url);
  out.pages[lang] = {
    lang: await p.getAttribute('html', 'lang'),
    title: await p.title(),
    menu: await p.$$eval('nav.langs a', els => els.map(e => [e.getAttribute('lang'), e.textContent])),
  };
  await pagesShoot(p, shots, `lang-${lang}`);
  await checker.goto(url);
  await axeBoth(checker, `form-${lang}`, out.axe);
}
// The menu, as she would use it: from the Dutch form, each language's link.
for (const lang of langs) {
  await p.goto(`${base}/?covenant=textile`);
  await click(p, `nav.langs a[lang=${lang}]`);
  out.followed.push(await p.getAttribute('html', 'lang'));
}
await browser.close();
console.log(JSON.stringify(out));

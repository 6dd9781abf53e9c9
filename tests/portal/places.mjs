// The factory she knows, in a real browser (Debian's Chromium through playwright-core, JavaScript
// off): a worker finds her workplace by a word of its name, picks it from the radio buttons and
// files without naming a company; axe-core checks every page of the way at phone and desktop
// size. tests/test_places.py runs it. Prints one JSON line:
//   node places.mjs BASE SHOTS -> {found: [labels], receipt, axe: {page-size: [violations]}}
import { axeBoth, click, axeViolations, launch, shoot as pagesShoot, sizes } from './pages.mjs';

const [base, shots] = process.argv.slice(2);
const browser = await launch();
const out = { axe: {} };

const shoot = (p, name) => pagesShoot(p, shots, name);

// axe is a script: a context of its own runs it on the same page, past the page's CSP.
const checker = await (await browser.newContext({ bypassCSP: true, locale: 'en-GB' })).newPage();
async function check (name, url) {
  await checker.goto(url);
  await axeBoth(checker, name, out.axe);
}

const context = await browser.newContext({ viewport: sizes.desktop, locale: 'en-GB', javaScriptEnabled: false });
const p = await context.newPage();
await p.goto(`${base}/?lang=en&covenant=textile`);
await check('places-form', p.url());
await p.fill('#place_q', 'rahman');
await click(p, 'form[role=search] button');
await check('places-found', p.url());
out.found = await p.$$eval('input[name=location_id]', els => els.map(e => e.closest('label').textContent.trim()));
await p.check('input[name=location_id] >> nth=0');
await p.fill('#summary', 'Locked fire exits');
await p.fill('#description', 'The fire exits of hall 2 are locked during the night shift.');
await p.check('input[name=who][value=anonymous]');
await shoot(p, 'places');
await click(p, 'form[action="/submit"] button');
out.receipt = (await p.textContent('#receipt')).trim();
await check('places-none', `${base}/?lang=en&covenant=textile&place_q=zzzz`);
await browser.close();
console.log(JSON.stringify(out));

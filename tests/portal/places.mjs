// The factory she knows, in a real browser (Debian's Chromium through playwright-core, JavaScript
// off): a worker finds her workplace by a word of its name, picks it from the radio buttons and
// files without naming a company; axe-core checks every page of the way at phone and desktop
// size. tests/test_places.py runs it. Prints one JSON line:
//   node places.mjs BASE SHOTS -> {found: [labels], receipt, axe: {page-size: [violations]}}
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const [base, shots] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const sizes = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };
const out = { axe: {} };
const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function shoot (p, name) {
  for (const [size, viewport] of Object.entries(sizes)) {
    await p.setViewportSize({ width: viewport.width, height: 1800 });
    const height = Math.max(viewport.height, Math.ceil((await p.locator('body').boundingBox()).height));
    await p.setViewportSize({ width: viewport.width, height });
    await p.screenshot({ path: `${shots}/${name}-${size}.png` });
  }
}

// axe is a script: a context of its own runs it on the same page, past the page's CSP.
const checker = await (await browser.newContext({ bypassCSP: true, locale: 'en-GB' })).newPage();
async function check (name, url) {
  await checker.goto(url);
  for (const [size, viewport] of Object.entries(sizes)) {
    await checker.setViewportSize(viewport);
    await checker.addScriptTag({ path: axe });
    const result = await checker.evaluate(() => axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] }));
    out.axe[`${name}-${size}`] = result.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target).join(' ')}`);
  }
}

const context = await browser.newContext({ viewport: sizes.desktop, locale: 'en-GB', javaScriptEnabled: false });
const p = await context.newPage();
await p.goto(`${base}/?lang=en&covenant=textile`);
await check('places-form', p.url());
await p.fill('#place_q', 'rahman');
await p.click('form[role=search] button');
await check('places-found', p.url());
out.found = await p.$$eval('input[name=location_id]', els => els.map(e => e.closest('label').textContent.trim()));
await p.check('input[name=location_id] >> nth=0');
await p.fill('#summary', 'Locked fire exits');
await p.fill('#description', 'The fire exits of hall 2 are locked during the night shift.');
await p.check('input[name=who][value=anonymous]');
await shoot(p, 'places');
await p.click('form[action="/submit"] button');
out.receipt = (await p.textContent('#receipt')).trim();
await check('places-none', `${base}/?lang=en&covenant=textile&place_q=zzzz`);
await browser.close();
console.log(JSON.stringify(out));

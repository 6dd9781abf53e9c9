// The secretariat's dates in a real browser (Debian's Chromium through playwright-core):
// tests/test_terms_browser.py runs it and checks the system after it (it computes the TOTP
// code). The secretariat signs in, lets an organisation join with its real signing date and
// source, records a covenant's extended term, and reads who disclosed for the 4 July list.
// Every page is shot at phone and desktop size (SHOTS/terms-<page>-<size>.png) and checked by
// axe-core at both (out[`${page}-${size}`]: the violations). Prints one JSON line.
//   node terms.mjs BASE SHOTS USER PASSWORD TOTP ORG_ID
import { axeBoth, click, launch, shoot, signIn } from './pages.mjs';

const [base, shots, user, password, code, org] = process.argv.slice(2);
const browser = await launch();
const out = {};
// bypassCSP: axe is a script, and the console's pages allow none of their own.
const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
const p = await context.newPage();
const look = async (name) => {
  await shoot(p, shots, `terms-${name}`);
  await axeBoth(p, name, out);
};
const text = async (selector) => (await p.textContent(selector)).trim();

await signIn(p, base, user, password, code);
await look('home');

// Join with the real signing date.
await p.goto(`${base}/staff/members?lang=en&covenant=textile`);
await p.selectOption('#join-org', org);
await p.selectOption('#join-role', 'party');
await p.fill('#join-since', '2016-09-01');
await p.fill('#join-source', 'SER signing list 2016');
await look('members');
await click(p, 'form[action="/staff/members/join"] button');
out.joined = p.url();

// The terms: gold's run out; record its extension.
await p.goto(`${base}/staff/?lang=en`);
await click(p, '#terms');
out.before = await text('#state-gold');
await look('terms');
const gold = p.locator('form[action="/staff/terms/record"]:has(input[name="covenant"][value="gold"])');
await gold.locator('select[name="decision"]').selectOption('extended');
await gold.locator('input[name="until"]').fill('2031-06-19');
await gold.locator('input[name="source"]').fill('Steering group minutes, 10 May 2022');
await click(p, gold.locator('button'));
out.after = await text('#state-gold');
await look('terms-recorded');
await p.goto(`${base}/staff/terms?lang=nl`);
await look('terms-nl');

// The 4 July list, from the locations page.
await p.goto(`${base}/staff/locations?lang=en&covenant=textile`);
await click(p, '#disclosures');
out.companies = await p.locator('#disclosures tbody tr').count();
out.overdue = await p.locator('#disclosures td.late').count();
await look('disclosures');
await browser.close();
console.log(JSON.stringify(out));

// Filing a dispute in the console in a real browser (Debian's Chromium through playwright-core):
// a party's person (an NGO of textile) signs in, goes from the home page to /staff/disputes,
// picks the other party by name, sends the form once without a subject (the page names the
// field and keeps what was typed), then files it, reads the case id and opens the case; the
// page in Dutch; then the secretariat files one for a party from its covenant's card. Every
// page is shot at phone and desktop size (SHOTS/disputes-<page>-<size>.png) and checked by
// axe-core at both (out.axe[`${page}-${size}`]). tests/test_disputes_browser.py runs it and
// checks the system after. Prints one JSON line.
//   node disputes.mjs BASE SHOTS PASSWORD PARTY_USER PARTY_SECRET SEC_USER SEC_SECRET RESPONDENT CLAIMANT
import { axeBoth, click, launch, shoot, signIn, sizes, totp } from './pages.mjs';

const [base, shots, password, partyUser, partySecret, secUser, secSecret, respondent, claimant] = process.argv.slice(2);
const browser = await launch();
const out = { axe: {} };

// bypassCSP: axe is a script, and the console's pages allow none of their own.
async function person (user, secret) {
  const context = await browser.newContext({ viewport: sizes.desktop, locale: 'en-GB', bypassCSP: true });
  const p = await context.newPage();
  await signIn(p, base, user, password, totp(secret));
  return p;
}
const look = async (p, name) => {
  await shoot(p, shots, `disputes-${name}`);
  await axeBoth(p, name, out.axe);
};
const text = async (p, selector) => (await p.textContent(selector)).trim();

// The party.
const p = await person(partyUser, partySecret);
await look(p, 'home');
await click(p, '#disputes');
await look(p, 'form');
out.parties = await p.$$eval('#respondent option', els => els.map(e => e.textContent));
await p.selectOption('#respondent', respondent);
const description = 'The agreed audit reports of 2025 were not shared with the working group, although we asked twice.';
await p.fill('#description', description);
await p.fill('#contact', 'eva@ngo.example.org');
// Past the browser's own check: the portal names the missing subject.
await p.$eval('#summary', e => e.removeAttribute('required'));
await click(p, 'form[action="/staff/disputes/file"] button');
out.error = await text(p, '#form-error');
out.kept = await p.inputValue('#description');
out.keptRespondent = await p.inputValue('#respondent');
out.focusTarget = await p.getAttribute('#form-error a', 'href');
await look(p, 'form-error');
await p.fill('#summary', 'Audit reports not shared');
await click(p, 'form[action="/staff/disputes/file"] button');
out.filed = await text(p, '#filed strong');
out.listed = await p.$$eval('#disputes li', els => els.map(e => e.textContent.replace(/\s+/g, ' ').trim()));
await look(p, 'filed');
await click(p, '#filed a');
out.caseTitle = await text(p, 'h1');
await look(p, 'case');
await p.goto(`${base}/staff/disputes?lang=nl`);
await look(p, 'form-nl');

// The secretariat, for a party.
const s = await person(secUser, secSecret);
await click(s, 'a[href="/staff/disputes?lang=en&covenant=textile"]');
await s.selectOption('#claimant_org', claimant);
await s.selectOption('#respondent', respondent);
await s.fill('#summary', 'The wage agreement of the covenant is not kept');
await s.fill('#description', 'The union asks the committee to rule on the living wage clause of 2024.');
await s.fill('#name', 'Piet Bakker');
await s.fill('#contact', '+31 20 123 4567');
await look(s, 'secretariat-form');
await click(s, 'form[action="/staff/disputes/file"] button');
out.secFiled = await text(s, '#filed strong');
await look(s, 'secretariat-filed');
await click(s, '#filed a');
out.secCase = s.url();
await look(s, 'secretariat-case');
await browser.close();
console.log(JSON.stringify(out));

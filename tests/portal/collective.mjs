// The secretariat's pages for collective work and meetings in a real browser (Debian's
// Chromium through playwright-core); tests/test_collective_browser.py runs it and checks the
// system after. Every page is shot at phone and desktop size (SHOTS/collective-<page>-<size>.png)
// and checked by axe-core at both (out[`${page}-${size}`]: the violations). Prints one JSON line.
//   node collective.mjs secretariat BASE SHOTS USER PASSWORD TOTP YEAR PARTY_A PARTY_B
//   node collective.mjs assessor    BASE SHOTS USER PASSWORD TOTP YEAR ORG    (the monitoring committee)
//   node collective.mjs company     BASE SHOTS USER PASSWORD TOTP YEAR ORG    (the company assessed)
import { axeBoth, click, launch, shoot, signIn } from './pages.mjs';

const [step, base, shots, user, password, code, year, partyA, partyB] = process.argv.slice(2);
const browser = await launch();
const out = {};
const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
const p = await context.newPage();
const look = async (name) => {
  await shoot(p, shots, `collective-${name}`);
  await axeBoth(p, name, out);
};
const text = async (selector) => (await p.textContent(selector)).trim();

await signIn(p, base, user, password, code);
if (step === 'secretariat') {
await click(p, 'a[href="/staff/collective?lang=en&covenant=gold"]');
await p.goto(`${base}/staff/collective?lang=en&covenant=gold&year=${year}`);
out.ranked = await p.locator('#ranking tbody tr').count();
await look('collective');
// The working group chose the third and the fourth of the ranking.
await p.selectOption('#risk-1', { index: 2 });
await p.selectOption('#risk-2', { index: 3 });
await p.fill('#wg', 'collective-action');
await p.fill('#note', 'Chosen at the working group of 3 March.');
await click(p, 'form[action="/staff/collective/choose"] button');
out.chosen = await p.locator('#ranking tbody tr td:last-child:text("yes")').count();
out.notice = await text('p.note');
await look('collective-chosen');
// A new project with a participant.
await click(p, 'summary:text("New project")');
const form = p.locator('form[action="/staff/collective/project"]').last();
await form.locator('input[name=code]').fill('gold-refiners');
await form.locator('input[name=name]').fill('Responsible refiners');
await form.locator('input[name=from_year]').fill('2021');
await form.locator('input[type=checkbox]').first().check();
await click(p, form.locator('button'));
out.projects = await p.locator('article.project').count();
await look('collective-project');
// A general meeting: both parties attend and vote; the supporter attends without a vote.
await p.goto(`${base}/staff/meetings?lang=en&covenant=metals`);
out.chair = await text('#chair');
await look('meetings');
await p.fill('#m-date', '2021-03-04');
for (const box of await p.locator('input[name^="a."]').all())
  await box.check();
await p.fill('#m-motion', 'Adopt the annual plan');
await p.check(`input[name="v.${partyA}"][value=for]`);
await p.check(`input[name="v.${partyB}"][value=against]`);
await click(p, 'form[action="/staff/meetings/record"] button');
out.meeting = await text('article.meeting li');
await look('meetings-recorded');
await p.goto(`${base}/staff/meetings?lang=nl&covenant=metals`);
await look('meetings-nl');
await p.goto(`${base}/staff/collective?lang=nl&covenant=gold&year=${year}`);
await look('collective-nl');
} else if (step === 'assessor') {
  // The committee adjusts one criterion of a company's plan, with its comment.
  await click(p, 'a[href="/staff/assessor?lang=en&covenant=gold"]');
  await p.goto(`${base}/staff/assessor?lang=en&covenant=gold&year=${year}`);
  await look('assessor');
  await click(p, `#companies a[href*="org=${partyA}"]`);
  await click(p, 'article.criterion summary >> nth=0');
  const form = p.locator('form[action="/staff/assessor/verify"]').first();
  await form.locator('input[value=adjusted]').check();
  await form.locator('input[name=score]').fill('1');
  await form.locator('textarea[name=comment]').fill('The policy shown is a draft.');
  await click(p, form.locator('button'));
  out.verdict = await text('article.criterion p');
  await look('assessor-company');
  await p.goto(`${base}/staff/assessor?lang=nl&covenant=gold&year=${year}&org=${partyA}`);
  await look('assessor-company-nl');
} else if (step === 'company') {
  await click(p, '#review');
  await p.goto(`${base}/staff/review?lang=en&covenant=gold&year=${year}`);
  out.verdicts = await p.locator('#verdicts li').count();
  await look('review');
  await p.fill('#rc-crit', 'a1');
  await p.fill('#rc-text', 'The policy was adopted in March.');
  await click(p, 'form[action="/staff/review/comment"] button');
  out.comment = await text('#comments li');
  await look('review-commented');
}
await browser.close();
console.log(JSON.stringify(out));

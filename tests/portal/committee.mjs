// The complaints committee in a real browser (Debian's Chromium through playwright-core), one
// step per run; tests/test_committee_browser.py prepares the cases, runs the steps and checks the
// system between them. The test computes the TOTP codes and passes them in. Prints one JSON line.
//   node committee.mjs journey BASE SHOTS USER PASSWORD TOTP CASE_ID RECEIPT -> {counts, status, statement, public, status_page, ...}
//   node committee.mjs axe     BASE SHOTS USER PASSWORD TOTP CASE_IDS RECEIPT -> {page-size: [violations]} for every page
//     (CASE_IDS: case ids joined by commas, each page checked as case-1, case-2, ...)
import { axeBoth, click, launch, shoot as pagesShoot, signIn as signInAs, sizes } from './pages.mjs';

const [step, base, shots, ...args] = process.argv.slice(2);
const [user, password, code, caseId, receipt] = args;
const browser = await launch();
const out = {};
const shoot = (p, name) => pagesShoot(p, shots, name);
const STATEMENT = 'The committee found that the fire exits of the hall were locked at night. ' +
                  'The company has agreed to unlock them and to check them every week.';

const signIn = (p) => signInAs(p, base, user, password, code, '/staff/login?lang=en');

// The complainant's status page, by her receipt (the public form).
async function statusPage (p) {
  await p.goto(`${base}/status?lang=en`);
  await p.fill('#receipt', receipt);
  await click(p, 'form[action="/status"] button');
}

if (step === 'journey') {
  // No JavaScript: the console works without it.
  const context = await browser.newContext({ viewport: sizes.desktop, locale: 'en-GB', javaScriptEnabled: false });
  const p = await context.newPage();
  await signIn(p);
  out.home = p.url();
  await shoot(p, 'committee-home');
  // The stages of the covenant, from the home page's link.
  await click(p, 'a[href="/staff/committee?lang=en&covenant=textile"]');
  await shoot(p, 'committee-stages');
  out.counts = Object.fromEntries(await p.$$eval('[id^=count-]', els => els.map(e => [e.id.slice(6), e.textContent])));
  out.tabs = await p.$$eval('nav.tabs a', els => els.map(e => e.getAttribute('href')));
  // The case in ruling: open it from its stage, and decide with outcome and text.
  await click(p, `#stage-ruling a[href^="/staff/case/${caseId}"]`);
  await shoot(p, 'committee-case-ruling');
  await p.fill('#reason-decided', 'The committee heard both sides and visited the factory.');
  await p.selectOption('#outcome', 'founded');
  await p.fill('#decision', 'The complaint is founded: the fire exits were locked during the night shift.');
  await click(p, 'button[name=go][value=decided]');
  out.status = await p.getAttribute('#case-status', 'data-status');
  out.decisions = (await p.textContent('section[aria-labelledby=h-decisions]')).replace(/\s+/g, ' ').trim();
  // The public statement, in the committee's own words.
  await p.fill('#statement-text', STATEMENT);
  await click(p, 'form[action$="/publish"] button');
  out.statement = (await p.textContent('#statement')).trim();
  await shoot(p, 'committee-case-published');
  // The public decisions page: the statement, nothing of hers.
  await click(p, 'a[href^="/decisions/textile"]');
  await shoot(p, 'committee-public');
  out.public = (await p.textContent('main')).replace(/\s+/g, ' ').trim();
  // The stages again: nothing left to publish for this case.
  await p.goto(`${base}/staff/committee?lang=en&covenant=textile`);
  out.to_publish = (await p.textContent('#stage-publish')).replace(/\s+/g, ' ').trim();
  await p.goto(`${base}/staff/committee?lang=nl&covenant=textile`);
  await shoot(p, 'committee-stages-nl');
  // The complainant reads the statement on her status page.
  await statusPage(p);
  await shoot(p, 'committee-status');
  out.status_page = (await p.textContent('main')).replace(/\s+/g, ' ').trim();
} else if (step === 'axe') {
  // axe-core on every page of the journey, at both sizes (this context runs it past the CSP).
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
  const p = await context.newPage();
  await signIn(p);
  for (const [name, path] of [['stages', '/staff/committee?lang=en&covenant=textile'],
                              ['choose', '/staff/committee?lang=en'],
                              ...caseId.split(',').map((id, i) => [`case-${i + 1}`, `/staff/case/${id}?lang=en`]),
                              ['public', '/decisions/textile?lang=en']]) {
    await p.goto(`${base}${path}`);
    await axeBoth(p, name, out);
  }
  await statusPage(p);
  await axeBoth(p, 'status', out);
}
await browser.close();
console.log(JSON.stringify(out));

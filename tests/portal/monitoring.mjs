// The monitoring committee's and the steering group's console in a real browser (Debian's
// Chromium through playwright-core), in one run; tests/test_monitoring_browser.py prepares the
// system (its persons' TOTP secrets: the codes are computed when typed) and checks the system after. Every page is shot at phone and
// desktop size (SHOTS/monitoring-<page>-<size>.png) and checked by axe-core at both
// (out[`${page}-${size}`]: the violations). Prints one JSON line.
//   node monitoring.mjs BASE SHOTS USER PASSWORD TOTP_SECRET STEERING_USER STEERING_SECRET COVENANT YEAR APPEALS_COVENANT
import { axeBoth, click, launch, shoot, signIn as signInAs, totp } from './pages.mjs';

const [base, shots, user, password, secret, steeringUser, steeringSecret, covenant, year, appealsCovenant] =
  process.argv.slice(2);
const browser = await launch();
const out = {};
// bypassCSP: axe is a script, and the console's pages allow none of their own.
let context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
let p = await context.newPage();
const look = async (name) => {
  await shoot(p, shots, `monitoring-${name}`);
  await axeBoth(p, name, out);
};
const text = async (selector) => (await p.textContent(selector)).trim();

async function signIn (who, secret) {
  return signInAs(p, base, who, password, totp(secret));
}

out.home = await signIn(user, secret);
{
  await look('home');
  // The covenant's frameworks, from the home page.
  await click(p, `a[href="/staff/monitoring/frameworks?lang=en&covenant=${covenant}"]`);
  out.version = await text('#fw-version');
  await look('frameworks');
  // The round of the year: not started; the plans so far.
  await p.goto(`${base}/staff/monitoring/round?lang=en&covenant=${covenant}&year=${year}`);
  out.before = await text('#round-status');
  await look('round-before');
  await click(p, 'form[action="/staff/monitoring/round/start"] button');
  // Watched as it runs: the page again until the round is completed (no script needed).
  for (let i = 0; i < 80 && (await text('#round-status')) !== 'Completed'; i++) {
    await p.waitForTimeout(250);
    await p.reload();
  }
  out.status = await text('#round-status');
  out.scored = await text('#count-scored');
  await look('round');
  // A search by company.
  await p.fill('#q', 'Gold 00001');
  await click(p, 'form[role="search"] button');
  out.found = await text('#shown');
  await look('round-search');
  await p.goto(`${base}/staff/monitoring/round?lang=nl&covenant=${covenant}&year=${year}`);
  await look('round-nl');
  // The appeal to decide (against the round of another covenant, completed before), then decided.
  await p.goto(`${base}/staff/monitoring/appeals?lang=en&covenant=${appealsCovenant}&year=${year}`);
  await look('appeals');
  await p.check('input[name=decision][value=reject]');
  await p.fill('textarea[name=reason]', 'The policy was adopted after the due date.');
  await click(p, 'form[action="/staff/monitoring/appeals/decide"] button');
  out.appeal = await text('.appeal .pill');
  await look('appeals-decided');
  // The sector report of the round just run: its chart inline, the collective risks.
  await p.goto(`${base}/staff/monitoring/round?lang=en&covenant=${covenant}&year=${year}`);
  await click(p, 'a[href^="/staff/monitoring/report?"]');
  out.report = await text('h1');
  out.chart = await p.locator('figure.chart svg[role="img"] title').first().textContent();
  out.risks = await p.locator('#risks tbody tr').count();
  await click(p, 'figure.chart summary');
  out.table = await p.locator('figure.chart table.figures tbody tr').count();
  await look('report');
  const download = p.waitForEvent('download');
  await click(p, 'a[href*="format=html"]');
  out.download = (await download).suggestedFilename();
  // Bad input explained: a year that cannot be.
  await p.goto(`${base}/staff/monitoring/round?lang=en&covenant=${covenant}&year=1999`);
  out.bad = await text('.error');
  await look('bad-year');
}
{
  // The steering group, in a browser of its own.
  await context.close();
  context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
  p = await context.newPage();
  out.steering_home = await signIn(steeringUser, steeringSecret);
  await look('steering-home');
  await click(p, '#steering');
  out.parties = await text(`#parties-${covenant}`);
  out.round = await text(`#round-${covenant}`);
  out.charts = await p.locator('figure.chart svg[role="img"]').count();
  await look('steering');
  await p.goto(`${base}/staff/steering?lang=nl&covenant=${covenant}&year=${year}`);
  await look('steering-one-nl');
}
await browser.close();
console.log(JSON.stringify(out));

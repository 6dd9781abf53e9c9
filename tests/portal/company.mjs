// A company's console in a real browser (Debian's Chromium through playwright-core): its person
// signs in, submits the year's action plan against the framework, waits for its result (the
// test starts the round once the plan is in), appeals it, answers a complaint, uploads the
// locations CSV through its preview, subscribes a webhook, reads its memberships and makes an
// account for a colleague. Every page is shot at phone and desktop size and checked by axe-core.
// tests/test_company_browser.py runs it and checks the system after. Prints one JSON line.
//   node company.mjs journey BASE SHOTS USER PASSWORD TOTP CASE_ID CSV_PATH PDF_PATH
import { axeBoth, click, launch, shoot as pagesShoot, signIn, sizes } from './pages.mjs';

const [step, base, shots, user, password, code, caseId, csvPath, pdfPath] = process.argv.slice(2);
const browser = await launch();
const out = { axe: {} };
const shoot = (p, name) => pagesShoot(p, shots, name);

async function look (p, name) {
  await shoot(p, `company-${name}`);
  await axeBoth(p, name, out.axe);
}

if (step === 'journey') {
  // No script of the pages' own; axe needs bypassCSP to be injected.
  const context = await browser.newContext({ viewport: sizes.desktop, locale: 'en-GB', bypassCSP: true });
  const p = await context.newPage();
  out.home = await signIn(p, base, user, password, code);
  await look(p, 'home');
  // The action plan against the framework.
  await click(p, 'a[href^="/staff/company/plan"]');
  await p.selectOption('#covenant', 'gold');
  await click(p, 'form[action="/staff/company/plan"][method="get"] button');
  await look(p, 'plan');
  out.fields = await p.$$eval('input[name^="a."]', els => els.map(e => e.name));
  await p.fill('input[name="a.a1"]', '2');
  await p.fill('input[name="a.a2"]', '3');
  await p.fill('input[name="a.b1"]', '5');
  await p.fill('#risk-0-theme', 'child_labour');
  await p.fill('#risk-0-country', 'BD');
  await p.selectOption('#risk-0-severity', '3');
  await p.fill('#report-url', 'https://brand.example.org/due-diligence-2026');
  await click(p, 'form[action="/staff/company/plan"][method="post"] button');
  out.plan = (await p.textContent('[role=status]')).trim();
  out.plan_status = (await p.textContent('#plan-status')).trim();
  await look(p, 'plan-submitted');
  // A document with the plan (its type is checked against its bytes).
  await p.setInputFiles('#doc-file', pdfPath);
  await click(p, 'form[action="/staff/company/plan/document"] button');
  out.documents = (await p.textContent('#documents')).trim();
  await look(p, 'plan-document');
  // The result, once the monitoring committee's round has scored it (the test starts it).
  const results = `${base}/staff/company/results?lang=en&covenant=gold`;
  const until = Date.now() + 60000;
  await p.goto(results);
  while (!(await p.$('#score')) && Date.now() < until) {
    await p.waitForTimeout(250);
    await p.goto(results);
  }
  out.score = (await p.textContent('#score')).trim();
  await look(p, 'results');
  await p.fill('#reason', 'Our grievance mechanism (b1) was counted on last year\'s list.');
  await click(p, 'form[action="/staff/company/appeal"] button');
  out.appealed = (await p.textContent('[role=status]')).trim();
  out.appeal = (await p.textContent('#appeal')).trim();
  await look(p, 'appealed');
  // A complaint in response: answer it.
  await p.goto(`${base}/staff/?lang=en`);
  await click(p, `a[href^="/staff/case/${caseId}"]`);
  await look(p, 'case');
  await p.fill('#respond-text', 'We have met the union and paid the overtime on 1 March.');
  await click(p, 'form[action$="/respond"] button');
  out.responded = (await p.textContent('[role=status]')).trim();
  await look(p, 'case-responded');
  // The locations CSV: a preview first, then confirm.
  await p.goto(`${base}/staff/company/locations?lang=en&covenant=gold`);
  await look(p, 'locations');
  await p.setInputFiles('#file', csvPath);
  await click(p, 'form[action="/staff/company/locations/preview"] button');
  out.preview = (await p.textContent('#counts')).trim();
  await look(p, 'locations-preview');
  await click(p, 'form[action="/staff/company/locations/confirm"] button');
  out.saved = (await p.textContent('#saved')).trim();
  // A webhook with its secret.
  await p.goto(`${base}/staff/company/subscriptions?lang=en`);
  await look(p, 'subscriptions');
  await p.fill('#hook-address', 'https://hooks.brand.example.org/imvo');
  await p.fill('#hook-secret', 'a-long-webhook-secret-2026');
  await click(p, 'form[action="/staff/company/subscriptions"] button >> nth=0');
  out.subs = (await p.textContent('#subs')).trim();
  await look(p, 'subscriptions-saved');
  await p.goto(`${base}/staff/company/memberships?lang=en`);
  out.memberships = (await p.textContent('#memberships')).trim();
  await look(p, 'memberships');
  // The company's admin makes a colleague's account.
  await p.goto(`${base}/staff/company/accounts?lang=en`);
  await look(p, 'accounts');
  await p.fill('#username', 'brand.colleague');
  await p.fill('#name', 'Joris Smit');
  await p.fill('#email', 'joris@brand.example.org');
  await click(p, 'form[action="/staff/company/accounts/create"] button');
  out.token = (await p.textContent('#enroll-token')).trim();
  await look(p, 'account-made');
  await p.goto(`${base}/staff/inbox?lang=en`);
  await look(p, 'inbox');
  await p.goto(`${base}/staff/company/plan?lang=nl&covenant=gold`);
  await look(p, 'plan-nl');
  await p.goto(`${base}/staff/?lang=nl`);
  await look(p, 'home-nl');
}

await browser.close();
console.log(JSON.stringify(out));

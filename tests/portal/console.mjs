// The staff console in a real browser (Debian's Chromium through playwright-core), one step per
// run; tests/test_console_browser.py runs the steps and checks the system between them. The test
// computes the TOTP codes and passes them in. Prints one JSON line.
//   node console.mjs journey BASE SHOTS USER PASSWORD TOTP COMPANY ENROLL_TOKEN -> {receipt, case_id, status, identity, note, ...}
//   node console.mjs axe     BASE SHOTS USER PASSWORD TOTP CASE_ID ENROLL_TOKEN -> {page: [violations]} for every page
import { axeBoth, click, axeViolations, launch, shoot as pagesShoot, sizes } from './pages.mjs';

const [step, base, shots, ...args] = process.argv.slice(2);
const browser = await launch();
const out = {};

// Phone and desktop widths, the window as tall as the page (as browser.mjs does).
const shoot = (p, name) => pagesShoot(p, shots, name);

async function signIn (p, user, password, code, lang = 'en') {
  await p.goto(`${base}/staff/?lang=${lang}`);           // sent to the sign-in page
  out.login_url = p.url();
  await p.fill('#username', user);
  await p.fill('#password', password);
  await p.fill('#totp', code);
  await click(p, 'form[action="/staff/login"] button');
}

if (step === 'journey') {
  const [user, password, code, company, enrollToken] = args;
  const context = await browser.newContext({ viewport: sizes.desktop, locale: 'en-GB', javaScriptEnabled: false });
  const p = await context.newPage();
  // A worker files a named complaint through the public form.
  await p.goto(`${base}/?lang=en&covenant=textile`);
  await p.fill('#company', company);
  await p.fill('#summary', 'Locked fire exits in hall 2');
  await p.fill('#description', 'The fire exits of hall 2 are locked during the night shift.');
  await p.fill('#country', 'BD');
  await p.check('input[name=who][value=named]');
  await p.fill('#name', 'Rahima Akter');
  await p.fill('#contact', 'rahima@example.org');
  await click(p, 'form[action="/submit"] button');
  out.receipt = (await p.textContent('#receipt')).trim();
  // The secretariat signs in (a wrong code first: no session, the page says why).
  await p.goto(`${base}/staff/login?lang=en`);
  await shoot(p, 'console-login');
  await p.fill('#username', user);
  await p.fill('#password', password);
  await p.fill('#totp', '000000');
  await click(p, 'form[action="/staff/login"] button');
  out.wrong = (await p.textContent('.error')).trim();
  await shoot(p, 'console-login-failed');
  await signIn(p, user, password, code);
  out.home = p.url();
  await shoot(p, 'console-home');
  // The queue: the complaint is there; open it.
  await click(p, 'a[href^="/staff/cases?lang=en&covenant=textile"]');
  await shoot(p, 'console-cases');
  const row = p.locator('table.list tr', { hasText: 'Locked fire exits in hall 2' }).first();
  await click(p, row.locator('a').first());
  out.case_id = (await p.textContent('h1')).replace(/^Case /, '').trim();
  await shoot(p, 'console-case');
  out.hidden = !(await p.isVisible('#identity'));
  // Acknowledge (the move to admissibility, with its reason).
  await p.fill('#reason-admissibility', 'Received and acknowledged; the committee will assess it.');
  await click(p, 'button[name=go][value=admissibility]');
  out.status = await p.getAttribute('#case-status', 'data-status');
  // Assign to oneself, and an internal note.
  await p.fill('#person', user);
  await click(p, 'form[action$="/assign"] button');
  out.assigned = (await p.textContent('#assigned')).trim();
  await p.fill('#note-text', 'Called the union: two more workers confirm it.');
  await click(p, 'form[action$="/note"] button');
  out.note = (await p.$$eval('.note p:not(.help)', els => els.map(e => e.textContent))).join('\n');
  // Show the identity: a POST, recorded.
  await click(p, 'form[action$="/identity"] button');
  out.identity = (await p.textContent('#identity')).trim();
  await shoot(p, 'console-identity');
  for (const [name, path] of [['inbox', '/staff/inbox?lang=en&covenant=textile'],
                              ['members', '/staff/members?lang=en&covenant=textile'],
                              ['locations', '/staff/locations?lang=en&covenant=textile'],
                              ['audit', `/staff/audit?lang=en&case_id=${out.case_id}`],
                              ['account', '/staff/account?lang=en'],
                              ['accounts', '/staff/accounts?lang=en'],
                              ['home-nl', '/staff/?lang=nl']]) {
    await p.goto(`${base}${path}`);
    await shoot(p, `console-${name}`);
  }
  // A new colleague enrolls with the code the secretariat gave her (a page of its own).
  await p.goto(`${base}/staff/enroll?lang=en`);
  await shoot(p, 'console-enroll');
  await p.fill('#enroll_token', enrollToken);
  await p.fill('#new_password', 'a sentence that is long enough');
  await p.fill('#repeat', 'a sentence that is long enough');
  await click(p, 'form[action="/staff/enroll"] button');
  out.totp_secret = (await p.textContent('#totp-secret')).replace(/ /g, '');
  await shoot(p, 'console-enrolled');
  out.audit = (await p.goto(`${base}/staff/audit?lang=en&case_id=${out.case_id}`), await p.textContent('main'));
  // Keyboard: the first Tab shows the skip link, visibly focused.
  await p.keyboard.press('Tab');
  out.focus = await p.evaluate(() => document.activeElement.className);
  // Sign out: the console is closed again.
  await click(p, 'form[action="/staff/logout"] button');
  out.after_logout = p.url();
} else if (step === 'axe') {
  // axe-core on every console page, at both sizes (this context runs the script past the CSP).
  const [user, password, code, caseId, enrollToken] = args;
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
  const p = await context.newPage();
  const check = async (name) => {
    await axeBoth(p, name, out);
  };
  await p.goto(`${base}/staff/login?lang=en`);
  await check('login');
  await p.goto(`${base}/staff/enroll?lang=en`);
  await check('enroll');
  await p.fill('#enroll_token', enrollToken);
  await p.fill('#new_password', 'a sentence that is long enough');
  await p.fill('#repeat', 'a sentence that is long enough');
  await click(p, 'form[action="/staff/enroll"] button');
  await check('enrolled');
  await p.goto(`${base}/staff/login?lang=en`);
  await p.fill('#username', user);
  await p.fill('#password', 'wrong password!');
  await p.fill('#totp', '000000');
  await click(p, 'form[action="/staff/login"] button');
  await check('login-failed');
  await signIn(p, user, password, code);
  await check('home');
  for (const [name, path] of [['cases', '/staff/cases?lang=en&covenant=textile'],
                              ['case', `/staff/case/${caseId}?lang=en`],
                              ['inbox', '/staff/inbox?lang=en&covenant=textile'],
                              ['members', '/staff/members?lang=en&covenant=textile'],
                              ['locations', '/staff/locations?lang=en&covenant=textile'],
                              ['audit', '/staff/audit?lang=en'],
                              ['account', '/staff/account?lang=en'],
                              ['accounts', '/staff/accounts?lang=en'],
                              ['not-found', '/staff/nothing?lang=en'],
                              ['home-nl', '/staff/?lang=nl']]) {
    await p.goto(`${base}${path}`);
    await check(name);
  }
  await p.goto(`${base}/staff/case/${caseId}?lang=en`);
  await click(p, 'form[action$="/identity"] button');
  await check('identity');
}
await browser.close();
console.log(JSON.stringify(out));

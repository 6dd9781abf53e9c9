// The portal in a real browser (Debian's Chromium through playwright-core), one step per run;
// tests/test_portal.py runs the steps and checks the system between them. Prints one JSON line.
//   node browser.mjs file  BASE SHOTS LANG COVENANT COMPANY   -> {receipt, again, title, registering}
//   node browser.mjs status BASE SHOTS LANG RECEIPT [MESSAGE] -> {status, words, sent, messages}
//   node browser.mjs wrong BASE SHOTS                          -> {wrong, missing}
//   node browser.mjs axe   BASE SHOTS RECEIPT                  -> {page: [violations]} for every page
import { axeBoth, click, axeViolations, launch, shoot as pagesShoot, sizes } from './pages.mjs';

const [step, base, shots, ...args] = process.argv.slice(2);
const browser = await launch();
const out = {};

async function page (lang, size = 'desktop') {
  const context = await browser.newContext({ viewport: sizes[size], locale: lang === 'en' ? 'en-GB' : 'nl-NL',
                                             javaScriptEnabled: false });
  return context.newPage();
}

// Phone and desktop widths; the window as tall as the page, so that headless Chromium paints
// all of it (with JavaScript off it leaves what lies below the first window blank).
const shoot = (p, name) => pagesShoot(p, shots, name);

if (step === 'file') {
  const [lang, covenant, company] = args;
  const p = await page(lang);
  if (lang === 'en') {
    // The page shown when the intake queue has not registered a complaint within the wait (a
    // key it does not know is pending): it says so, with a link to look again.
    await p.context().addCookies([{ name: 'intake', value: '0'.repeat(32), url: `${base}/received` }]);
    await p.goto(`${base}/received?lang=en`);
    out.registering = (await p.textContent('main p')).trim();
    await shoot(p, 'registering');
    await p.context().clearCookies();
  }
  await p.goto(`${base}/`);                             // the language from Accept-Language
  out.title = await p.title();
  await p.selectOption('#covenant', covenant);
  await click(p, 'form[action="/"] button');
  await p.fill('#company', company);
  await p.fill('#summary', lang === 'en' ? 'Locked fire exits' : 'Nooduitgangen op slot');
  await p.fill('#description', lang === 'en' ? 'The fire exits of hall 2 are locked during the night shift.'
                                             : 'De nooduitgangen van hal 2 zijn tijdens de nachtdienst op slot.');
  await p.fill('#place', 'Hall 2, Tejgaon Road 12');
  await p.fill('#country', 'BD');
  await p.check('input[name=who][value=named]');
  await p.fill('#name', 'Rahima Akter');
  await p.fill('#contact', 'rahima@example.org');
  if (lang === 'en')
    await shoot(p, 'form');
  // A double submit: the same form posted twice (as a double click does) files one complaint.
  const form = await p.$$eval('form[action="/submit"] input, form[action="/submit"] textarea',
                              els => els.filter(e => e.type !== 'radio' || e.checked)
                                        .filter(e => e.type !== 'checkbox' || e.checked)
                                        .map(e => [e.name, e.value]));
  // The submit answers at once; the page it leads to waits for the receipt.
  await click(p, 'form[action="/submit"] button');
  out.receipt = (await p.textContent('#receipt')).trim();
  if (lang === 'en')
    await shoot(p, 'receipt');
  const again = await p.request.post(`${base}/submit`, { form: Object.fromEntries(form) });
  out.again = (/id="receipt">([^<]+)</.exec(await again.text()) || [])[1];
} else if (step === 'status') {
  const [lang, receipt, message] = args;
  const p = await page(lang);
  await p.goto(`${base}/status?lang=${lang}`);
  await p.fill('#receipt', receipt);
  await click(p, 'form[action="/status"] button');
  out.status = await p.getAttribute('#status', 'data-status');
  out.words = (await p.textContent('#status')).trim();
  if (message) {
    await p.fill('#text', message);
    await click(p, 'form[action="/status"] button');
    out.sent = await p.isVisible('.ok');
    out.messages = await p.$$eval('.msg p', els => els.map(e => e.textContent));
    await shoot(p, 'status');
  }
} else if (step === 'wrong') {
  const p = await page('en');
  await p.goto(`${base}/status?lang=en`);
  await p.fill('#receipt', 'TEXTILE-0000-0000-0000-0000');
  await click(p, 'form[action="/status"] button');
  out.wrong = (await p.textContent('.error')).trim();
  await p.goto(`${base}/?lang=en&covenant=textile`);
  // Past the browser's own check: the server names what is missing.
  await p.fill('#company', 'x');
  await p.$eval('#summary', e => e.removeAttribute('required'));
  await p.fill('#description', 'something happened');
  await click(p, 'form[action="/submit"] button');
  out.missing = (await p.textContent('.error')).trim();
} else if (step === 'axe') {
  // axe-core on every page, at both sizes. axe is a script: this context runs it (the pages
  // have none of their own) and lets it past the pages' Content-Security-Policy.
  const [receipt] = args;
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
  const p = await context.newPage();
  const check = async (name) => {
    await axeBoth(p, name, out);
  };
  await p.goto(`${base}/?lang=en`);
  await check('covenant');
  await p.goto(`${base}/?lang=en&covenant=textile`);
  await check('form');
  await p.fill('#company', 'x');
  await p.$eval('#summary', e => e.removeAttribute('required'));
  await p.fill('#description', 'something happened');
  await click(p, 'form[action="/submit"] button');
  await check('form-error');
  await context.addCookies([{ name: 'intake', value: '0'.repeat(32), url: `${base}/received` }]);
  await p.goto(`${base}/received?lang=en`);
  await check('registering');
  await context.clearCookies();
  await p.goto(`${base}/received?lang=en`);
  await check('received-expired');
  await p.goto(`${base}/status?lang=en`);
  await check('status-form');
  await p.fill('#receipt', receipt);
  await click(p, 'form[action="/status"] button');
  await check('status');
  await p.goto(`${base}/decisions/textile?lang=en`);
  await check('decisions');
  await p.goto(`${base}/locations/textile/2026?lang=en`);
  await check('locations');
  await p.goto(`${base}/nothing?lang=en`);
  await check('not-found');
}
await browser.close();
console.log(JSON.stringify(out));

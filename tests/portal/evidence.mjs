// Files from the portal's form in a real browser (Debian's Chromium through playwright-core,
// JavaScript off as for the other portal journeys); tests/test_upload_browser.py runs it.
//   node evidence.mjs BASE SHOTS LANG COVENANT COMPANY JPEG PDF LATER
//     -> {receipt, files: [[name, outcome]], added: [[name, outcome]], axe: {page: [violations]}}
// Files the complaint with the JPEG and the PDF, keeps the receipt, adds LATER from the status
// page; screenshots (phone and desktop) of the form with its files, the receipt with their
// list and the status page after adding; axe-core on those pages at both sizes.
import { axeBoth, click, launch, shoot as pagesShoot, sizes } from './pages.mjs';

const [base, shots, lang, covenant, company, jpeg, pdf, later] = process.argv.slice(2);
const browser = await launch();
const out = { axe: {} };

const shoot = (p, name) => pagesShoot(p, shots, name);

// axe in a context of its own that lets it past the Content-Security-Policy, on the same HTML
// (one page, looked at in both sizes).
const axeContext = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
async function axe (name, html) {
  const q = await axeContext.newPage();
  await q.route(`${base}/axe-${name}`, route => route.fulfill({ contentType: 'text/html', body: html }));
  await q.goto(`${base}/axe-${name}`);
  await axeBoth(q, name, out.axe);
  await q.close();
}

const outcomes = async (p) => p.$$eval('#files li', els => els.map(e => [e.textContent.split(':')[0], e.dataset.outcome]));

const context = await browser.newContext({ viewport: sizes.desktop, locale: lang === 'en' ? 'en-GB' : 'nl-NL',
                                           javaScriptEnabled: false });
const p = await context.newPage();
await p.goto(`${base}/?lang=${lang}&covenant=${covenant}`);
await p.fill('#company', company);
await p.fill('#summary', lang === 'en' ? 'Wages paid late' : 'Loon te laat betaald');
await p.fill('#description', lang === 'en' ? 'Our wages for March came six weeks late; the payslip and a photo of the notice are attached.'
                                           : 'Ons loon over maart kwam zes weken te laat; de loonstrook en een foto van het bericht zitten erbij.');
await p.setInputFiles('#evidence', [jpeg, pdf]);
await shoot(p, 'evidence-form');
await axe('evidence-form', await p.content());
await click(p, 'form[action="/submit"] button[type=submit]');
await p.waitForSelector('#receipt');
out.receipt = (await p.textContent('#receipt')).trim();
out.files = await outcomes(p);
await shoot(p, 'evidence-receipt');
await axe('evidence-receipt', await p.content());

await p.goto(`${base}/status?lang=${lang}`);
await p.fill('#receipt', out.receipt);
await click(p, 'form[action="/status"] button');
await p.setInputFiles('#evidence', [later]);
await click(p, `form[action="/status?lang=${lang}"] button`);
out.added = await outcomes(p);
await shoot(p, 'evidence-status');
await axe('evidence-status', await p.content());
await browser.close();
console.log(JSON.stringify(out));

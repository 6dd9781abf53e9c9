// The secretariat's members page in a real browser (Debian's Chromium through playwright-core):
// a trade association's member companies and a supporter's contribution recorded through its
// forms, without JavaScript; screenshots at phone and desktop size, and axe-core's verdict on
// the page in English and Dutch. tests/test_parties_browser.py prepares the members and checks
// the system after. Prints one JSON line.
//   node parties.mjs journey BASE SHOTS USER PASSWORD TOTP COVENANT ASSOC_ID COMPANY_ID SUPPORTER_ID
import { axeBoth, click, launch, shoot as pagesShoot, signIn as signInAs, sizes } from './pages.mjs';

const [step, base, shots, user, password, code, covenant, assoc, company, supporter] = process.argv.slice(2);
const browser = await launch();
const out = {};
const shoot = (p, name) => pagesShoot(p, shots, name);

const signIn = (p) => signInAs(p, base, user, password, code, '/staff/login?lang=en');

if (step === 'journey') {
  const context = await browser.newContext({ viewport: sizes.desktop, locale: 'en-GB', javaScriptEnabled: false });
  const p = await context.newPage();
  await signIn(p);
  await p.goto(`${base}/staff/members?lang=en&covenant=${covenant}`);
  // The association's list of member companies (the whole list, by org id).
  const form = p.locator('form[action="/staff/members/associates"]', { has: p.locator(`input[name=org_id][value="${assoc}"]`) });
  await form.locator('textarea').fill(company);
  await click(p, form.locator('button'));
  out.saved = (await p.textContent('p.ok')).trim();
  out.companies = (await p.textContent('section[aria-labelledby=h-assoc]')).replace(/\s+/g, ' ').trim();
  // A supporter's financial contribution to a named activity.
  await p.selectOption('#c-org', supporter);
  await p.selectOption('#c-kind', 'financial');
  await p.fill('#c-amount', '2500');
  await p.fill('#c-activity', 'Living-wage project in the banana chain');
  await click(p, 'form[action="/staff/members/contribute"] button');
  out.contributions = (await p.textContent('#contributions')).replace(/\s+/g, ' ').trim();
  await p.locator('#h-assoc').scrollIntoViewIfNeeded();
  await shoot(p, 'parties-members');
  await p.goto(`${base}/staff/members?lang=nl&covenant=${covenant}`);
  await shoot(p, 'parties-members-nl');
  const cookies = await context.cookies();
  await context.close();
  // axe-core is a script: a context of its own that lets it in (the session is the same
  // person's; a TOTP code works once, so the cookie is carried over).
  const axeContext = await browser.newContext({ viewport: sizes.desktop, bypassCSP: true });
  await axeContext.addCookies(cookies);
  const q = await axeContext.newPage();
  for (const lang of ['en', 'nl']) {
    await q.goto(`${base}/staff/members?lang=${lang}&covenant=${covenant}`);
    await axeBoth(q, `members-${lang}`, out);
  }
  await axeContext.close();
}
await browser.close();
console.log(JSON.stringify(out));

// What every browser journey of the portal (tests/portal/*.mjs) shares: Debian's Chromium
// through playwright-core, the two sizes a page is looked at, a whole-page screenshot at each,
// axe-core's verdict on a page, a TOTP code and signing in to the console.
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

export const sizes = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };

// Debian's Chromium, never a browser playwright would download. In run.mjs (which runs many
// steps in one process) every step shares one Chromium: launch() gives the step a browser of
// its own contexts, and its close() closes those (endStep closes any a failed step left).
const launchChromium = () => chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
let shared = null;
const stepContexts = new Set();

export function launch () {
  if (!globalThis.imvoSteps)               // set by run.mjs
    return launchChromium();
  return (async () => {
    shared = shared || await launchChromium();
    return {
      async newContext (options) {
        const context = await shared.newContext(options);
        stepContexts.add(context);
        context.on('close', () => stepContexts.delete(context));
        return context;
      },
      close: () => endStep(),
    };
  })();
}

// Closes the contexts of the step that ran; with last, Chromium too (run.mjs, at its end).
export async function endStep (last = false) {
  for (const context of [...stepContexts])
    await context.close();
  if (last && shared)
    await shared.close();
}

// The page as a whole, at phone and desktop width: SHOTS/<name>-<size>.png; then desktop again.
// The body's height is read in the page (a locator's boundingBox costs some 25 ms more, each
// time); no page sizes anything by the window's height (no vh), so it is read at the width's
// usual height and the window made as tall as the page only when the page is taller. It waits
// for the page's load (a click that sends a form returns once the next page is committed: CI
// once found its body null here; click() below waits too).
export async function shoot (p, shots, name) {
  await p.waitForLoadState('load');
  for (const [size, viewport] of Object.entries(sizes)) {
    await p.setViewportSize(viewport);
    const height = Math.ceil(await p.evaluate(() => document.body.getBoundingClientRect().height));
    if (height > viewport.height)
      await p.setViewportSize({ width: viewport.width, height });
    await p.screenshot({ path: `${shots}/${name}-${size}.png` });
  }
  await p.setViewportSize(sizes.desktop);
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// axe-core's violations on the page p shows, at its present size, as "rule: targets" lines.
// axe is a script: p must be in a context made with bypassCSP (the pages have no script of
// their own, and their Content-Security-Policy allows none). The first scan adds it to the page
// and to every page the context opens after (addInitScript: Chromium keeps the script, instead of
// 550 KB sent with each page, some 50 ms of CPU a page less). resultTypes leaves out the details
// of the rules passed (each node's selector), which nobody reads: every rule still runs on every
// node, and the violations are the same, with all their nodes (about half of axe's time).
const axeContexts = new WeakSet();
export async function axeViolations (p) {
  if (!axeContexts.has(p.context())) {
    axeContexts.add(p.context());
    await p.context().addInitScript({ path: axePath });
  }
  if (!await p.evaluate(() => typeof window.axe === 'object'))
    await p.addScriptTag({ path: axePath });
  const result = await p.evaluate(() => axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'],
                                                  resultTypes: ['violations'] }));
  return result.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target).join(' ')}`);
}

// axeViolations at both sizes, into out[`${name}-${size}`].
export async function axeBoth (p, name, out) {
  for (const [size, viewport] of Object.entries(sizes)) {
    await p.setViewportSize(viewport);
    out[`${name}-${size}`] = await axeViolations(p);
  }
}

// The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret, now: a journey that signs in
// late (a second person after a whole journey on a loaded machine) computes its code when it
// types it, not when the test started (a code lives one step either side).
export function totp (secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map(b => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// Clicks target (a selector, or a locator) and, when the click sent a form or followed a link,
// waits for the next page's load: the click returns once that page is committed, when its body
// may not be parsed yet (a count or an $$eval then sees part of it, an evaluate no body).
export async function click (p, target) {
  await (typeof target === 'string' ? p.click(target) : target.click());
  await p.waitForLoadState('load');
}

// Signs in through the console's form, starting at START (/staff/ sends the browser to the
// sign-in page; /staff/login is the page itself); the URL it lands on, once that page is loaded.
export async function signIn (p, base, user, password, code, start = '/staff/?lang=en') {
  await p.goto(`${base}${start}`);
  await p.fill('#username', user);
  await p.fill('#password', password);
  await p.fill('#totp', code);
  await click(p, 'form[action="/staff/login"] button');
  return p.url();
}

// What every browser journey of the portal shares (browser.mjs, console.mjs, evidence.mjs,
// places.mjs, languages.mjs): Debian's Chromium through playwright-core, the two sizes a page
// is looked at, a whole-page screenshot at each, and axe-core's verdict on a page.
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

export const sizes = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };

// Debian's Chromium, never a browser playwright would download.
export function launch () {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}

// The page as a whole, at phone and desktop width: SHOTS/<name>-<size>.png; then desktop again.
export async function shoot (p, shots, name) {
  for (const [size, viewport] of Object.entries(sizes)) {
    await p.setViewportSize({ width: viewport.width, height: 1800 });
    const height = Math.max(viewport.height, Math.ceil((await p.locator('body').boundingBox()).height));
    await p.setViewportSize({ width: viewport.width, height });
    await p.screenshot({ path: `${shots}/${name}-${size}.png` });
  }
  await p.setViewportSize(sizes.desktop);
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// axe-core's violations on the page p shows, at its present size, as "rule: targets" lines.
// axe is a script: p must be in a context made with bypassCSP (the pages have no script of
// their own, and their Content-Security-Policy allows none).
export async function axeViolations (p) {
  await p.addScriptTag({ path: axePath });
  const result = await p.evaluate(() => axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] }));
  return result.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target).join(' ')}`);
}

// axeViolations at both sizes, into out[`${name}-${size}`].
export async function axeBoth (p, name, out) {
  for (const [size, viewport] of Object.entries(sizes)) {
    await p.setViewportSize(viewport);
    out[`${name}-${size}`] = await axeViolations(p);
  }
}

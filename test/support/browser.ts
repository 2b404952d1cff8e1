// A real browser for tests that look at cairn as a person does: Debian's chromium driven
// by playwright-core (no browser download). Serve the app over HTTP, open the dashboard
// with its token, take screenshots into test-results/ (git-ignored), and run the basic
// accessibility checks a reviewer would (landmarks, names, labels, contrast, no sideways
// scroll on a phone). Suites that need it skip by name where /usr/bin/chromium is absent.
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { repoRoot } from './fixtures.ts';

// The page's globals, for the functions that run inside the browser (page.evaluate):
// declared here, in this module only, so the project's types stay free of the DOM.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const getComputedStyle: (
  e: unknown,
) => Record<string, string> & { color: string; backgroundColor: string };
type El = any;
declare const Node: { TEXT_NODE: number };
/* eslint-enable @typescript-eslint/no-explicit-any */

export const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
/** Where screenshots go (git-ignored). */
export const SCREENSHOTS = join(repoRoot, 'test-results/dashboard');

/** A phone: the width of the smallest common one, with touch. */
export const PHONE = {
  viewport: { width: 360, height: 740 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};
export const DESKTOP = { viewport: { width: 1280, height: 900 } };

/** `describe` that runs only where chromium is installed, and says so by name elsewhere. */
export function describeWithChromium(name: string, fn: () => void): void {
  if (haveChromium) {
    describe(name, fn);
    return;
  }
  process.stderr.write(`SKIP "${name}": ${CHROMIUM} not found (apt-get install -y chromium)\n`);
  describe.skip(name, () => {
    it.skip(`needs ${CHROMIUM}`, () => {});
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespaces for the sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves a fetch handler (the Hono app with its env) on 127.0.0.1, a random port, over real HTTP. */
export async function serveHttp(fetch: (req: Request) => Response | Promise<Response>): Promise<Served> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/**
 * A browser tab signed in to the dashboard as a person would: `/?token=` sets the
 * session cookie and redirects to `/`, which must then answer 200.
 */
export async function openDashboard(
  browser: Browser,
  baseUrl: string,
  token: string,
  device: Parameters<Browser['newContext']>[0] = DESKTOP,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(device);
  const page = await context.newPage();
  const res = await page.goto(`${baseUrl}/?token=${encodeURIComponent(token)}`);
  if (!res || res.status() !== 200 || new URL(page.url()).search !== '')
    throw new Error(`the dashboard did not open: ${res?.status()} at ${page.url()}`);
  return { context, page };
}

/** A full-page screenshot as test-results/dashboard/NAME.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Whether the page scrolls sideways (on a phone it must not). */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** The elements keyboard focus visits, in order, pressing Tab up to `max` times. */
export async function tabOrder(
  page: Page,
  max = 200,
): Promise<{ tag: string; text: string; href?: string }[]> {
  const seen: { tag: string; text: string; href?: string }[] = [];
  await page.evaluate(() => (document.activeElement as El)?.blur());
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const e = document.activeElement as El;
      if (!e || e === document.body) return undefined;
      const href = e.getAttribute('href');
      return { tag: e.tagName.toLowerCase(), text: (e.textContent ?? '').trim(), ...(href ? { href } : {}) };
    });
    if (!at) break;
    const first = seen[0];
    if (first && first.tag === at.tag && first.text === at.text && first.href === at.href) break;
    seen.push(at);
  }
  return seen;
}

/**
 * Basic accessibility checks, in the spirit of axe's: one banner, navigation, main and
 * contentinfo landmark; a language and a title; one h1 and no skipped heading level;
 * every image, link, button and form field named; unique ids; text contrast of at
 * least 4.5:1 against its background. Returns the problems found (none: []).
 */
export function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const landmark = (sel: string, role: string) => {
      const n = document.querySelectorAll(sel).length;
      if (n !== 1) problems.push(`${n} ${role} landmarks (want 1)`);
    };
    landmark('body > header, [role=banner]', 'banner');
    landmark('main, [role=main]', 'main');
    landmark('body > footer, [role=contentinfo]', 'contentinfo');
    if (!document.querySelector('nav, [role=navigation]')) problems.push('no navigation landmark');
    if (!document.documentElement.lang) problems.push('html has no lang');
    if (!document.title.trim()) problems.push('no title');
    const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => Number(h.tagName[1]));
    if (headings.filter((l) => l === 1).length !== 1) problems.push('want exactly one h1');
    headings.forEach((l, i) => {
      if (i > 0 && l > headings[i - 1]! + 1)
        problems.push(`heading level skips from h${headings[i - 1]} to h${l}`);
    });
    const name = (e: El) =>
      (
        e.getAttribute('aria-label') ??
        e.getAttribute('alt') ??
        e.getAttribute('title') ??
        e.textContent ??
        ''
      ).trim();
    for (const img of document.querySelectorAll('img'))
      if (img.getAttribute('alt') === null) problems.push(`image without alt: ${img.getAttribute('src')}`);
    for (const e of document.querySelectorAll('a[href], button, [role=button]'))
      if (!name(e)) problems.push(`${e.tagName.toLowerCase()} without a name: ${e.outerHTML.slice(0, 80)}`);
    for (const e of document.querySelectorAll('input, select, textarea')) {
      const id = e.getAttribute('id');
      const labelled =
        e.getAttribute('aria-label') ||
        (id && document.querySelector(`label[for="${id}"]`)) ||
        e.closest('label');
      if (!labelled && (e as El).type !== 'hidden') problems.push(`form field without a label: ${id}`);
    }
    const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
    for (const id of new Set(ids.filter((x, i) => ids.indexOf(x) !== i))) problems.push(`duplicate id ${id}`);
    for (const ref of document.querySelectorAll('[aria-labelledby]'))
      for (const id of (ref.getAttribute('aria-labelledby') ?? '').split(/\s+/))
        if (id && !document.getElementById(id)) problems.push(`aria-labelledby names a missing id ${id}`);
    // Contrast of every element that holds text itself.
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (e: El): number[] => {
      for (let x = e; x; x = x.parentElement) {
        const c = rgb(getComputedStyle(x).backgroundColor);
        if (c.length >= 3 && (c.length === 3 || c[3]! > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    for (const e of document.querySelectorAll('body *')) {
      const own = [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
      if (!own || (e as El).offsetParent === null) continue;
      const fg = lum(rgb(getComputedStyle(e).color));
      const bg = lum(background(e));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5)
        problems.push(`contrast ${ratio.toFixed(2)}:1 for "${(e.textContent ?? '').trim().slice(0, 40)}"`);
    }
    return problems;
  });
}

/** A computed style property of the first element a locator finds. */
export function computedStyle(locator: Locator, property: string): Promise<string> {
  return locator.first().evaluate((e, p) => getComputedStyle(e)[p] ?? '', property);
}

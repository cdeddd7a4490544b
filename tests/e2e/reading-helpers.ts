/**
 * Shared pieces of the reading-paths browser tests (reading-*.test.ts): opening a page with
 * scripts that run before the site's own (to record CSP violations, aria-current changes and
 * WebGL contexts from the very first moment), and small waits on the article's runtime.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, canvasStats, imageDiff, openPage, type CanvasStats, type OpenPageOptions, type OpenedPage, type Site } from './harness.ts';
import type { SceneTestHook } from '../../src/components/scene-canvas.ts';

export const CANVAS = '.scene-canvas';

/** Chapter slugs in reading order, from the Markdown file names (01-welcome.md -> welcome). */
export const SLUGS = readdirSync(join(REPO_ROOT, 'content/chapters'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => f.replace(/\.md$/, '').replace(/^\d+-/, ''));

/** What the init script below leaves on window for the test to read. */
export interface Recorded {
  /** Every securitypolicyviolation event, as "directive blocked-uri". */
  csp: string[];
  /** Ids of the elements that were given aria-current="step", in order. */
  current: string[];
  /** getContext() calls that returned a WebGL context, and canvases handed to a worker to draw on (one context there each). */
  contexts: number;
}

declare global {
  interface Window {
    __recorded: Recorded;
    __scene: SceneTestHook;
  }
}

/** Runs in every frame before its scripts: records CSP violations, aria-current changes and WebGL contexts (made here or handed to a worker). */
function record(): void {
  const rec: Recorded = { csp: [], current: [], contexts: 0 };
  window.__recorded = rec;
  document.addEventListener('securitypolicyviolation', (e) => rec.csp.push(`${e.effectiveDirective} ${e.blockedURI}`));
  new MutationObserver((list) => {
    for (const m of list) {
      const el = m.target as Element;
      if (el.getAttribute('aria-current') === 'step') rec.current.push(el.id);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['aria-current'] });
  const transfer = HTMLCanvasElement.prototype.transferControlToOffscreen;
  HTMLCanvasElement.prototype.transferControlToOffscreen = function (this: HTMLCanvasElement) {
    rec.contexts++;
    return transfer.call(this);
  };
  const original = HTMLCanvasElement.prototype.getContext;
  const seen = new WeakSet<object>();
  HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, ...args: Parameters<typeof original>) {
    const ctx = original.apply(this, args);
    // The renderer asks its canvas for the context again (extensions, restore): count each context once.
    if (ctx && /webgl/.test(String(args[0])) && !seen.has(ctx)) {
      seen.add(ctx);
      rec.contexts++;
    }
    return ctx;
  } as typeof original;
}

export interface OpenOptions extends OpenPageOptions {
  /** Called after the recording script is installed and before navigating (routes, more init scripts). */
  before?: (page: Page) => Promise<unknown>;
}

/** Opens `url` with the recorder installed before any of the page's scripts run. */
export async function openRecorded(browser: Browser, url: string, options: OpenOptions = {}): Promise<OpenedPage> {
  const p = await openPage(browser, 'about:blank', options);
  await p.context.addInitScript(record);
  await options.before?.(p.page);
  await p.page.goto(url, { waitUntil: options.waitUntil ?? 'load' });
  return p;
}

export async function recorded(page: Page): Promise<Recorded> {
  return page.evaluate(() => ({ ...window.__recorded }));
}

export async function modelReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset.model === 'ready', undefined, { timeout: 30_000 });
}

export async function activeStep(page: Page): Promise<string | null> {
  return page.evaluate(() => document.querySelector('[aria-current="step"]')?.id ?? null);
}

export async function waitForStep(page: Page, id: string, timeout = 5000): Promise<void> {
  await page.waitForFunction((want) => document.querySelector('[aria-current="step"]')?.id === want, id, { timeout });
}

export async function scrollToY(page: Page, y: number): Promise<void> {
  await page.evaluate((top) => window.scrollTo({ top, behavior: 'instant' }), y);
}

/** The page's step ids in document order. */
export async function stepIds(page: Page): Promise<string[]> {
  return page.$$eval('[data-step]', (els) => els.map((e) => e.id));
}

/** Scroll position that puts `fraction` (0..1) of step `id` on the reading line (60% down, 72% on phones). */
export async function scrollYFor(page: Page, id: string, fraction = 0.5): Promise<number> {
  return page.$eval(
    `#${id}`,
    (e, f) => {
      const b = e.getBoundingClientRect();
      const line = innerHeight * (matchMedia('(max-width: 50rem)').matches ? 0.72 : 0.6);
      return Math.max(0, b.top + scrollY + b.height * f - line);
    },
    fraction,
  );
}

/**
 * Scrolls so step `id` is at local time `t` (0..1) and returns the t the page's geometry gives
 * afterwards. The same geometry as src/story/progress.ts: t = (readingLine - top) / max(height,
 * 0.3 vh). t = 0 and 1 are nudged a pixel inside the step so rounding cannot activate a neighbour.
 */
export async function scrollToStepTime(page: Page, id: string, t: number): Promise<number> {
  return page.$eval(
    `#${id}`,
    (el, tt) => {
      const line = innerHeight * (matchMedia('(max-width: 50rem)').matches ? 0.72 : 0.6);
      const span = Math.max(el.getBoundingClientRect().height, innerHeight * 0.3);
      const nudge = tt <= 0 ? 1 : tt >= 1 ? 2 : 0;
      window.scrollTo({ top: scrollY + el.getBoundingClientRect().top + tt * span - line + nudge, behavior: 'instant' });
      // An instant scroll updates the layout synchronously: read where the step landed.
      return Math.min(1, Math.max(0, (line - el.getBoundingClientRect().top) / span));
    },
    t,
  );
}

/** Scrolls down to `y` in 150 px increments, as a reader would. */
export async function scrollGradually(page: Page, y: number): Promise<void> {
  const from = await page.evaluate(() => scrollY);
  for (let top = from; top < y; top += 150) await scrollToY(page, top);
  await scrollToY(page, y);
}

/** Waits until two consecutive screenshots of the canvas are identical, and returns the last. */
export async function settledCanvas(page: Page, selector = CANVAS): Promise<CanvasStats> {
  let prev = await canvasStats(page, selector);
  for (let i = 0; i < 20; i++) {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const next = await canvasStats(page, selector);
    if (imageDiff(prev, next) === 0) return next;
    prev = next;
  }
  return prev;
}

/**
 * The picture a reader gets by opening `url` and scrolling down gradually to `y`, where step
 * `id` is active: the reference a deep link to that step must match. Fails on console errors.
 */
export async function pictureScrolledTo(site: Site, url: string, y: number, id: string, viewport: { width: number; height: number }): Promise<CanvasStats> {
  const p = await site.open(url, { viewport });
  await modelReady(p.page);
  await scrollGradually(p.page, y);
  await waitForStep(p.page, id);
  const stats = await settledCanvas(p.page);
  if (p.problems().length > 0) throw new Error(`problems while scrolling ${url}: ${p.problems().join('; ')}`);
  await p.close();
  return stats;
}

/** Is the element's box at least partly inside the viewport? */
export async function inViewport(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (e) => {
    const b = e.getBoundingClientRect();
    return b.bottom > 0 && b.right > 0 && b.top < innerHeight && b.left < innerWidth && b.width > 0 && b.height > 0;
  });
}

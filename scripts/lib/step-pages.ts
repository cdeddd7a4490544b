/**
 * Visiting the article's steps in the test Chromium, shared by `npm run audit:steps` and
 * `npm run shot -- --all`: one page per chapter and viewport size, every step scrolled to a
 * given local time t once the model's numbers (and the whole generation) are on screen.
 */
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, openPage, type OpenedPage } from '../../tests/e2e/harness.ts';
import { SLUGS, scrollToStepTime, waitForStep } from '../../tests/e2e/reading-helpers.ts';
import type { ChapterDirector } from '../../src/story/director.ts';
import { UsageError } from './args.ts';

export { SLUGS };

export interface Size {
  width: number;
  height: number;
}

export const DEFAULT_SIZES: readonly Size[] = Object.freeze([
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]);

/** "1280x800,390x844" -> sizes; a UsageError names the bad part. */
export function parseSizes(text: string): Size[] {
  return text.split(',').map((part) => {
    const m = /^(\d+)x(\d+)$/.exec(part.trim());
    const size = m ? { width: Number(m[1]), height: Number(m[2]) } : null;
    if (!size || size.width < 200 || size.height < 200 || size.width > 4000 || size.height > 4000) {
      throw new UsageError(`--sizes takes WIDTHxHEIGHT pairs between 200 and 4000 px, comma-separated; got "${part}"`);
    }
    return size;
  });
}

/** "a,b" -> chapter slugs, each checked against content/chapters (plus `extra` names such as "explore"). */
export function parseChapters(text: string, extra: readonly string[] = []): string[] {
  const known = [...SLUGS, ...extra];
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError('--chapters needs at least one chapter slug');
  for (const slug of list) if (!known.includes(slug)) throw new UsageError(`unknown chapter "${slug}": expected one of ${known.join(', ')}`);
  return list;
}

/**
 * Each chapter's whole-model beats (ChapterDirector.overviews), from src/story/directors/index.ts
 * loaded through Vite as the site's build loads it: the directors use what plain Node lacks
 * (import.meta.glob, named imports from JSON).
 */
export async function loadOverviews(): Promise<Record<string, ReadonlySet<string>>> {
  const { createServer } = await import('vite');
  const vite = await createServer({ root: REPO_ROOT, configFile: false, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false, ws: false }, optimizeDeps: { noDiscovery: true, include: [] } });
  try {
    const { DIRECTORS } = (await vite.ssrLoadModule('/src/story/directors/index.ts')) as { DIRECTORS: Record<string, ChapterDirector> };
    return Object.fromEntries(Object.values(DIRECTORS).map((d) => [d.chapter, new Set(d.overviews ?? [])]));
  } finally {
    await vite.close();
  }
}

export interface StepPlace {
  /** Element id, <slug>-<beat>. */
  id: string;
  beat: string;
}

/**
 * Opens /chapters/<slug>/ and waits until the picture shows real numbers: the trace and the whole
 * generation have arrived (later steps show it) and a director has drawn a frame.
 */
export async function openChapter(browser: Browser, origin: string, slug: string, size: Size): Promise<{ opened: OpenedPage; steps: StepPlace[] }> {
  const opened = await openPage(browser, `${origin}/chapters/${slug}/`, { viewport: size, reducedMotion: 'no-preference' });
  await waitForPicture(opened.page, true);
  const steps = await opened.page.$$eval('section.step[data-step]', (els) => els.map((e) => ({ id: e.id, beat: (e as HTMLElement).dataset.step ?? '' })));
  return { opened, steps };
}

/** Waits for the scene hook, its first trace and (in the article) the generation and a director's frame. */
export async function waitForPicture(page: Page, article: boolean): Promise<void> {
  await page.waitForFunction(() => window.__scene !== undefined, undefined, { timeout: 60_000 });
  await page.evaluate(() => window.__scene.ready);
  if (article) {
    await page.waitForFunction(
      () => document.documentElement.dataset.generated !== undefined && window.__scene.state() !== null,
      undefined,
      { timeout: 60_000 },
    );
  }
  await settle(page);
}

/**
 * Scrolls step `id` to local time t, waits until the article made it the active step and drew
 * it, then jumps any remaining camera easing. Returns the t the page's geometry gives.
 */
export async function goToStep(page: Page, id: string, t: number): Promise<number> {
  const actual = await scrollToStepTime(page, id, t);
  await waitForStep(page, id);
  await settle(page);
  return actual;
}

/** Two animation frames (the article draws the new position in the first), then the camera jumped to its goal. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await window.__scene.settle();
  });
}

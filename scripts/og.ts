/**
 * npm run og -- [--dist dir] [--chapters welcome,stack] [--out public/og] [--quality 80]
 *
 * Link-preview pictures: serves the built site (run `npm run build` first; any base path is fine,
 * the server strips it), opens each chapter in the test Chromium, scrolls to its key step
 * (src/site/og.ts) at t = 1 and saves the stage, 1200x630, as <out>/<slug>.jpg; /explore/ gives
 * explore.jpg. The chapter list comes from content/chapters, so a new chapter needs only a rerun.
 * The pictures are committed (public/og/), so building the site needs no browser.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, launchBrowser, openPage, serveDist } from '../tests/e2e/harness.ts';
import { parseArgs, UsageError } from './lib/args.ts';
import { SLUGS, goToStep, openChapter, parseChapters, waitForPicture } from './lib/step-pages.ts';
import { OG_EXPLORE, OG_HEIGHT, OG_WIDTH, imageSize, keyStep, ogImagePath } from '../src/site/og.ts';

let args: Record<string, string | number | boolean>;
let chapters: string[] = [...SLUGS];
try {
  args = parseArgs(process.argv.slice(2), { dist: 'string', chapters: 'string', out: 'string', quality: 'int' });
  if (args.chapters !== undefined) chapters = parseChapters(args.chapters as string, ['explore']);
  if (args.quality !== undefined && !((args.quality as number) >= 30 && (args.quality as number) <= 100)) {
    throw new UsageError(`--quality must be between 30 and 100, got ${args.quality}`);
  }
} catch (e) {
  process.stderr.write(`og: ${(e as Error).message}\n`);
  process.exit(2);
}
const outDir = resolve(REPO_ROOT, (args.out as string | undefined) ?? 'public');
const quality = (args.quality as number | undefined) ?? 80;
const dist = (args.dist as string | undefined) ?? 'dist';

const server = await serveDist(dist, { base: builtBase(dist) });
const browser = await launchBrowser();
try {
  for (const name of args.chapters === undefined ? [...chapters, 'explore'] : chapters) {
    const file = name === 'explore' ? await shootExplore(browser) : await shootChapter(browser, name);
    process.stdout.write(`${file}\n`);
  }
} finally {
  await browser.close();
  await server.close();
}

/** The base path the site in `dist` was built with, read from its favicon link (every page has one). */
function builtBase(dir: string): string {
  const html = readFileSync(join(resolve(REPO_ROOT, dir), 'index.html'), 'utf8');
  const m = /<link rel="icon" href="([^"]*)favicon\.svg"/.exec(html);
  if (!m?.[1]) throw new Error(`og: ${dir}/index.html has no favicon link to read the base path from; is it a build of this site?`);
  return m[1];
}

async function shootChapter(browser: Browser, slug: string): Promise<string> {
  // openChapter appends "/chapters/<slug>/" to the address it is given: origin plus base, no final slash.
  // The stage is the grid's second column (the text column and gap take 512 px); fitViewport
  // corrects the viewport until the stage is exactly OG_WIDTH x OG_HEIGHT.
  const { opened, steps } = await openChapter(browser, server.origin + server.base.replace(/\/$/, ''), slug, { width: OG_WIDTH + 512, height: OG_HEIGHT });
  try {
    await fitViewport(opened.page, '.stage');
    const beat = keyStep(slug, steps.map((s) => s.beat));
    await goToStep(opened.page, `${slug}-${beat}`, 1);
    return await save(opened.page, '.stage', ogImagePath(slug), opened.problems());
  } finally {
    await opened.close();
  }
}

async function shootExplore(browser: Browser): Promise<string> {
  const opened = await openPage(browser, `${server.origin}${server.base}explore/`, { viewport: { width: OG_WIDTH, height: OG_HEIGHT + 160 } });
  try {
    await waitForPicture(opened.page, false);
    await fitViewport(opened.page, '.explore-scene');
    await waitForPicture(opened.page, false);
    return await save(opened.page, '.explore-scene', OG_EXPLORE, opened.problems());
  } finally {
    await opened.close();
  }
}

/** Grows or shrinks the viewport by the difference between `selector`'s box and OG_WIDTH x OG_HEIGHT. */
async function fitViewport(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const box = await page.locator(selector).boundingBox();
    const view = page.viewportSize();
    if (!box || !view) throw new Error(`og: ${selector} has no box`);
    const dw = OG_WIDTH - Math.round(box.width);
    const dh = OG_HEIGHT - Math.round(box.height);
    if (dw === 0 && dh === 0) return;
    await page.setViewportSize({ width: view.width + dw, height: view.height + dh });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  throw new Error(`og: could not size ${selector} to ${OG_WIDTH}x${OG_HEIGHT}`);
}

async function save(page: Page, selector: string, sitePath: string, problems: string[]): Promise<string> {
  if (problems.length > 0) throw new Error(`og: the page reported problems:\n${problems.join('\n')}`);
  await page.evaluate(() => window.__scene.settle());
  const box = (await page.locator(selector).boundingBox())!;
  const jpeg = await page.screenshot({
    type: 'jpeg',
    quality,
    clip: { x: Math.round(box.x), y: Math.round(box.y), width: OG_WIDTH, height: OG_HEIGHT },
    animations: 'disabled',
    caret: 'hide',
  });
  const size = imageSize(jpeg);
  if (size?.width !== OG_WIDTH || size.height !== OG_HEIGHT) {
    throw new Error(`og: ${sitePath} came out ${size ? `${size.width}x${size.height}` : 'unreadable'}, not ${OG_WIDTH}x${OG_HEIGHT}`);
  }
  const file = join(outDir, sitePath);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, jpeg);
  return `${file} (${(jpeg.length / 1024).toFixed(0)} KB)`;
}

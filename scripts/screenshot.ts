/**
 * npm run shot -- PATH [--width 1280] [--height 800] [--hash step-id] [--out file.png] [--wait ms] [--full] [--dist dir] [--reduced]
 *   --reduced: prefers-reduced-motion, so every step shows its end state (t = 1)
 *   --t 0.4: with --hash, scroll so that step is 40% through its animation
 * npm run shot -- --all DIR [--sizes 1280x800,390x844] [--chapters welcome,stack] [--dist dir]
 *   every step of every chapter at t = 1 and each size, as DIR/<slug>-<beat>-<w>x<h>.png, in one browser
 *
 * Serves dist/ (run `npm run build` first), opens PATH in the test Chromium and saves a
 * screenshot: the way to look at a page as a reader would, at desktop or phone size.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, serveDist } from '../tests/e2e/harness.ts';
import { scrollToStepTime } from '../tests/e2e/reading-helpers.ts';
import { parseArgs, UsageError } from './lib/args.ts';
import { DEFAULT_SIZES, SLUGS, goToStep, openChapter, parseChapters, parseSizes, type Size } from './lib/step-pages.ts';

const argv = process.argv.slice(2);
const all = argv[0] === '--all';
const path = all ? undefined : argv[0];
const rest = all ? argv : argv.slice(1);
let args: Record<string, string | number | boolean>;
let sizes: Size[] = [...DEFAULT_SIZES];
let chapters: string[] = [...SLUGS];
try {
  if (all) {
    args = parseArgs(rest, { all: 'string', sizes: 'string', chapters: 'string', dist: 'string' });
    if (args.sizes !== undefined) sizes = parseSizes(args.sizes as string);
    if (args.chapters !== undefined) chapters = parseChapters(args.chapters as string);
  } else {
    if (!path || path.startsWith('--')) throw new UsageError('give the page path first, e.g. /chapters/welcome/ (or --all DIR)');
    args = parseArgs(rest, { width: 'int', height: 'int', hash: 'string', out: 'string', wait: 'int', full: 'flag', dist: 'string', reduced: 'flag', t: 'string' });
    if (args.t !== undefined && !(Number(args.t) >= 0 && Number(args.t) <= 1)) throw new UsageError(`--t must be between 0 and 1, got ${args.t}`);
  }
} catch (e) {
  process.stderr.write(`shot: ${(e as Error).message}\n`);
  process.exit(2);
}

const server = await serveDist((args.dist as string | undefined) ?? 'dist');
const browser = await launchBrowser();
try {
  if (all) await shootAll(browser, args.all as string);
  else await shootOne(browser, path!);
} finally {
  await browser.close();
  await server.close();
}

async function shootOne(browser: Browser, path: string): Promise<void> {
  const width = (args.width as number | undefined) ?? 1280;
  const height = (args.height as number | undefined) ?? 800;
  const out = (args.out as string | undefined) ?? `/tmp/shot-${width}x${height}.png`;
  const url = server.origin + path + (args.hash ? `#${args.hash}` : '');
  const page = await openPage(browser, url, { viewport: { width, height }, reducedMotion: args.reduced ? 'reduce' : 'no-preference' });
  await page.page.waitForTimeout((args.wait as number | undefined) ?? 2500);
  if (args.t !== undefined && args.hash) {
    await scrollToStepTime(page.page, args.hash as string, Number(args.t));
    await page.page.waitForTimeout(800);
  }
  await page.page.screenshot({ path: out, fullPage: Boolean(args.full) });
  const problems = page.problems();
  process.stdout.write(`${out}\n${problems.length ? 'problems:\n' + problems.join('\n') + '\n' : 'no console errors\n'}`);
  await page.close();
}

/** Every step at t = 1 at every size: one page per chapter and size, the picture settled before each shot. */
async function shootAll(browser: Browser, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  let count = 0;
  const problems: string[] = [];
  for (const size of sizes) {
    for (const slug of chapters) {
      const { opened, steps } = await openChapter(browser, server.origin, slug, size);
      try {
        for (const step of steps) {
          await goToStep(opened.page, step.id, 1);
          await opened.page.screenshot({ path: join(dir, `${step.id}-${size.width}x${size.height}.png`) });
          count++;
        }
        problems.push(...opened.problems().map((p) => `/chapters/${slug}/ at ${size.width}x${size.height}: ${p}`));
      } finally {
        await opened.close();
      }
    }
  }
  process.stdout.write(`${count} screenshots in ${dir}\n${problems.length ? 'problems:\n' + problems.join('\n') + '\n' : 'no console errors\n'}`);
}

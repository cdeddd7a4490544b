/**
 * npm run shot -- PATH [--width 1280] [--height 800] [--hash step-id] [--out file.png] [--wait ms] [--full] [--dist dir] [--reduced]
 *   --reduced: prefers-reduced-motion, so every step shows its end state (t = 1)
 *   --t 0.4: with --hash, scroll so that step is 40% through its animation
 *
 * Serves dist/ (run `npm run build` first), opens PATH in the test Chromium and saves a
 * screenshot: the way to look at a page as a reader would, at desktop or phone size.
 */
import { launchBrowser, openPage, serveDist } from '../tests/e2e/harness.ts';
import { parseArgs, UsageError } from './lib/args.ts';

const [path, ...rest] = process.argv.slice(2);
let args: Record<string, string | number | boolean>;
try {
  if (!path || path.startsWith('--')) throw new UsageError('give the page path first, e.g. /chapters/welcome/');
  args = parseArgs(rest, { width: 'int', height: 'int', hash: 'string', out: 'string', wait: 'int', full: 'flag', dist: 'string', reduced: 'flag', t: 'string' });
} catch (e) {
  process.stderr.write(`shot: ${(e as Error).message}\n`);
  process.exit(2);
}
const width = (args.width as number | undefined) ?? 1280;
const height = (args.height as number | undefined) ?? 800;
const out = (args.out as string | undefined) ?? `/tmp/shot-${width}x${height}.png`;

const server = await serveDist((args.dist as string | undefined) ?? 'dist');
const browser = await launchBrowser();
try {
  const url = server.origin + path + (args.hash ? `#${args.hash}` : '');
  const page = await openPage(browser, url, { viewport: { width, height }, reducedMotion: args.reduced ? 'reduce' : 'no-preference' });
  await page.page.waitForTimeout((args.wait as number | undefined) ?? 2500);
  if (args.t !== undefined && args.hash) {
    const t = Number(args.t);
    if (!(t >= 0 && t <= 1)) throw new UsageError(`--t must be between 0 and 1, got ${args.t}`);
    // The same geometry as src/story/progress.ts: t = (readingLine - top) / max(height, 0.3 vh).
    await page.page.evaluate(
      ([id, tt]) => {
        const el = document.getElementById(id as string)!;
        const box = el.getBoundingClientRect();
        const line = innerHeight * (matchMedia('(max-width: 50rem)').matches ? 0.72 : 0.6);
        const span = Math.max(box.height, innerHeight * 0.3);
        window.scrollTo({ top: scrollY + box.top + (tt as number) * span - line, behavior: 'instant' });
      },
      [args.hash, t],
    );
    await page.page.waitForTimeout(800);
  }
  await page.page.screenshot({ path: out, fullPage: Boolean(args.full) });
  const problems = page.problems();
  process.stdout.write(`${out}\n${problems.length ? 'problems:\n' + problems.join('\n') + '\n' : 'no console errors\n'}`);
  await page.close();
} finally {
  await browser.close();
  await server.close();
}

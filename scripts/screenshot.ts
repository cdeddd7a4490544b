/**
 * npm run shot -- PATH [--width 1280] [--height 800] [--hash step-id] [--out file.png] [--wait ms] [--full] [--dist dir] [--reduced]
 *   --reduced: prefers-reduced-motion, so every step shows its end state (t = 1)
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
  args = parseArgs(rest, { width: 'int', height: 'int', hash: 'string', out: 'string', wait: 'int', full: 'flag', dist: 'string', reduced: 'flag' });
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
  await page.page.screenshot({ path: out, fullPage: Boolean(args.full) });
  const problems = page.problems();
  process.stdout.write(`${out}\n${problems.length ? 'problems:\n' + problems.join('\n') + '\n' : 'no console errors\n'}`);
  await page.close();
} finally {
  await browser.close();
  await server.close();
}

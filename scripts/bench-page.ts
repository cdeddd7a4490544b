/**
 * Page weight and loading in real Chromium: `npm run bench:page [-- --runs 5 --chapter mlp --dist dist --json]`.
 * Builds nothing: serves the already-built site (cross-origin isolated, for a precise clock: see
 * lib/stats.ts) with the test harness's static server and opens
 * one chapter page at 1280x800 in the harness's Chromium, in a fresh browser per run.
 *
 * Measures, per run:
 *   - bytes the page fetched, by kind (HTML, CSS, JS, WASM, other; the weights apart), each
 *     response body gzipped here with node:zlib at the default level, because the test server
 *     sends everything uncompressed while a real host would not;
 *   - first contentful paint and largest contentful paint (PerformanceObserver);
 *   - time to the scene's first frame with values: the article's FIRST_VALUES_MARK, set when the
 *     view finished drawing the first frame that shows the model's numbers;
 *   - long tasks (over 50 ms) on the main thread while scrolling through the whole chapter with
 *     the mouse wheel, as a reader would;
 *   - during that scroll, the main-thread JS of every frame that changed the picture (the
 *     director, the scene, the camera sent to the render worker, and the reading and writing of
 *     the labels and arrows the worker placed for that frame, a task of its own when its answer
 *     arrives, timed from that arrival), from the
 *     article's test hook; and apart, the wall time of each hand-off of a frame to the render
 *     worker, a task of its own after the frame (on a machine with few cores it holds the time
 *     the system gives the worker and the GPU it wakes, not only the page's script).
 * Prints the median over runs against the targets (every run with --json). Exits 1 when a target
 * is missed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT, launchBrowser, openPage } from '../tests/e2e/harness.ts';
import { measureRuns, median, quantile } from './lib/stats.ts';
import type { SceneTestHook } from '../src/components/scene-canvas.ts';

interface StoryHook {
  __scene: SceneTestHook;
}
import { argsOrExit, parseArgs } from './lib/args.ts';
import { FIRST_VALUES_MARK } from '../src/story/marks.ts';
import { countBytes, PAGE_BYTES_BUDGET, type Kind } from './lib/page-bytes.ts';


interface Run {
  /** gzip bytes by kind, and the raw bytes of everything. */
  gzip: Record<Kind, number>;
  raw: number;
  fcpMs: number;
  lcpMs: number;
  firstValuesMs: number;
  longTasks: { count: number; longestMs: number; totalMs: number };
  scrolledPx: number;
  /** Main-thread JS of the frames that changed the picture while scrolling (director, scene, labels), median and 95th percentile. */
  scrollFrameMs: { median: number; p95: number; frames: number };
  /** Wall ms of each hand-off of a frame to the render worker while scrolling (its own task, after the frame). */
  handoffMs: { median: number; p95: number; count: number };
}

const TARGETS = { pageKB: PAGE_BYTES_BUDGET / 1024, weightsKB: 350, firstValuesMs: 1000, longTasks: 0, scrollFrameMs: 1 };

const args = argsOrExit('bench:page', () => parseArgs(process.argv.slice(2), { runs: 'int', dist: 'string', chapter: 'string', json: 'flag' }));
const RUNS = (args.runs as number | undefined) ?? 5;
if (RUNS < 1) {
  process.stderr.write('bench:page: --runs must be at least 1\n');
  process.exit(2);
}
const DIST = resolve(REPO_ROOT, (args.dist as string | undefined) ?? 'dist');
const chapters = existsSync(join(DIST, 'chapters')) ? readdirSync(join(DIST, 'chapters')).sort() : [];
if (chapters.length === 0) throw new Error(`${DIST} has no chapters/: run \`npm run build\` (or pass --dist) first`);
// Default: the heaviest chapter page but the training chapter's (whose panel and training worker
// load only there), the one most likely to miss a target.
const CHAPTER = (args.chapter as string | undefined) ?? (chapters.includes('self-attention') ? 'self-attention' : chapters[0]!);
if (!chapters.includes(CHAPTER)) throw new Error(`--chapter ${CHAPTER}: no such chapter in ${DIST} (have ${chapters.join(', ')})`);

/** Runs in the page before its scripts: collects paint timings and long tasks. */
function observe(): void {
  const perf = { fcp: 0, lcp: 0, longTasks: [] as { start: number; duration: number }[] };
  (window as unknown as { __perf: typeof perf }).__perf = perf;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') perf.fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) perf.lcp = e.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) perf.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

type Perf = { __perf: { fcp: number; lcp: number; longTasks: { start: number; duration: number }[] } };

async function oneRun(origin: string): Promise<Run> {
  const browser = await launchBrowser();
  try {
    const p = await openPage(browser, 'about:blank', { viewport: { width: 1280, height: 800 } });
    await p.context.addInitScript(observe);
    const bytes = countBytes(p.context);
    await p.page.goto(`${origin}/chapters/${CHAPTER}/`, { waitUntil: 'load' });
    await p.page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_VALUES_MARK, { timeout: 30_000 });
    const firstValuesMs = await p.page.evaluate((mark) => performance.getEntriesByName(mark)[0]!.startTime, FIRST_VALUES_MARK);
    // LCP stops updating at the first input: read it before scrolling.
    await p.page.waitForTimeout(300);
    const paints = await p.page.evaluate(() => ({ fcp: (window as unknown as Perf).__perf.fcp, lcp: (window as unknown as Perf).__perf.lcp }));

    // Read through the chapter: 120 px wheel notches every 50 ms, top to bottom, over the text.
    const scrollStart = await p.page.evaluate(() => performance.now());
    const framesBefore = await p.page.evaluate(() => (window as unknown as StoryHook).__scene.storyFrameTimes().length);
    const handoffsBefore = await p.page.evaluate(() => (window as unknown as StoryHook).__scene.handoffTimes().length);
    const height = await p.page.evaluate(() => document.documentElement.scrollHeight - innerHeight);
    await p.page.mouse.move(300, 400);
    for (let y = 0; y < height; y += 120) {
      await p.page.mouse.wheel(0, 120);
      await p.page.waitForTimeout(50);
    }
    // A notch now and then moves the page less than 120 px (one that lands while the page is
    // busy): a few more reach the bottom.
    for (let more = 0; more < 20 && (await p.page.evaluate(() => scrollY)) < height - 2; more++) {
      await p.page.mouse.wheel(0, 120);
      await p.page.waitForTimeout(50);
    }
    await p.page.waitForTimeout(500);
    const scrolledPx = await p.page.evaluate(() => scrollY);
    if (scrolledPx < height - 2) throw new Error(`the wheel scrolled to ${scrolledPx} px, not to the bottom of the chapter (${height} px)`);
    const tasks = (await p.page.evaluate(() => (window as unknown as Perf).__perf.longTasks)).filter((t) => t.start >= scrollStart);
    const frameMs = (await p.page.evaluate(() => (window as unknown as StoryHook).__scene.storyFrameTimes())).slice(framesBefore);
    if (frameMs.length === 0) throw new Error('no story frames were recorded while scrolling');
    const handoffMs = (await p.page.evaluate(() => (window as unknown as StoryHook).__scene.handoffTimes())).slice(handoffsBefore);
    if (p.problems().length) throw new Error(`the page reported problems:\n${p.problems().join('\n')}`);

    const { gzip, raw } = await bytes.total();
    await p.close();
    return {
      gzip,
      raw,
      fcpMs: paints.fcp,
      lcpMs: paints.lcp,
      firstValuesMs,
      longTasks: { count: tasks.length, longestMs: Math.max(0, ...tasks.map((t) => t.duration)), totalMs: tasks.reduce((a, t) => a + t.duration, 0) },
      scrolledPx,
      scrollFrameMs: { median: median(frameMs), p95: quantile(frameMs, 0.95), frames: frameMs.length },
      handoffMs: { median: handoffMs.length ? median(handoffMs) : 0, p95: handoffMs.length ? quantile(handoffMs, 0.95) : 0, count: handoffMs.length },
    };
  } finally {
    await browser.close();
  }
}


const runs = await measureRuns(DIST, RUNS, oneRun);

const med = (pick: (r: Run) => number) => median(runs.map(pick));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const pageBytes = (r: Run) => r.gzip.html + r.gzip.css + r.gzip.js + r.gzip.wasm + r.gzip.other;
const summary = {
  pageGzip: med(pageBytes),
  weightsGzip: med((r) => r.gzip.weights),
  totalGzip: med((r) => pageBytes(r) + r.gzip.weights),
  fcpMs: med((r) => r.fcpMs),
  lcpMs: med((r) => r.lcpMs),
  firstValuesMs: med((r) => r.firstValuesMs),
  longTasks: med((r) => r.longTasks.count),
  longestTaskMs: med((r) => r.longTasks.longestMs),
  scrollFrameMs: med((r) => r.scrollFrameMs.median),
  scrollFrameP95Ms: med((r) => r.scrollFrameMs.p95),
  handoffMs: med((r) => r.handoffMs.median),
  handoffP95Ms: med((r) => r.handoffMs.p95),
};
const missed = [
  summary.pageGzip > TARGETS.pageKB * 1024 && 'page bytes',
  summary.weightsGzip > TARGETS.weightsKB * 1024 && 'weights',
  summary.firstValuesMs > TARGETS.firstValuesMs && 'first frame with values',
  summary.longTasks > TARGETS.longTasks && 'long tasks while reading',
  summary.scrollFrameMs > TARGETS.scrollFrameMs && 'JS per frame while scrolling',
].filter((x): x is string => typeof x === 'string');

const rows: [string, string, string][] = [
  ['  HTML', kb(med((r) => r.gzip.html)), ''],
  ['  CSS', kb(med((r) => r.gzip.css)), ''],
  ['  JS (page and worker)', kb(med((r) => r.gzip.js)), ''],
  ['  WASM', kb(med((r) => r.gzip.wasm)), ''],
  ['  other', kb(med((r) => r.gzip.other)), ''],
  ['page bytes, gzip', kb(summary.pageGzip), `≤ ${TARGETS.pageKB} KB`],
  ['weights, gzip', kb(summary.weightsGzip), `≤ ${TARGETS.weightsKB} KB`],
  ['total, gzip', kb(summary.totalGzip), ''],
  ['everything, uncompressed', kb(med((r) => r.raw)), ''],
  ['first contentful paint', `${summary.fcpMs.toFixed(0)} ms`, ''],
  ['largest contentful paint', `${summary.lcpMs.toFixed(0)} ms`, ''],
  ['first frame with values', `${summary.firstValuesMs.toFixed(0)} ms`, `≤ ${TARGETS.firstValuesMs} ms`],
  ['long tasks while scrolling (> 50 ms)', String(summary.longTasks), 'none'],
  ['longest of them', `${summary.longestTaskMs.toFixed(0)} ms`, ''],
  ['JS per frame while scrolling, median', `${summary.scrollFrameMs.toFixed(2)} ms`, `≤ ${TARGETS.scrollFrameMs} ms`],
  ['JS per frame while scrolling, p95', `${summary.scrollFrameP95Ms.toFixed(2)} ms`, ''],
  ['hand-off to the render worker, median', `${summary.handoffMs.toFixed(2)} ms`, 'after the frame'],
  ['hand-off to the render worker, p95', `${summary.handoffP95Ms.toFixed(2)} ms`, ''],
];

if (args.json) {
  console.log(JSON.stringify({ chapter: CHAPTER, runs, summary, targetsMissed: missed }, null, 2));
} else {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`page benchmark: /chapters/${CHAPTER}/ at 1280x800, median of ${RUNS} run${RUNS > 1 ? 's' : ''}\n`);
  for (const [k, v, target] of rows) console.log(`${k.padEnd(w0)}  ${v.padStart(w1)}  ${target}`);
  console.log(missed.length ? `\nmissed: ${missed.join(', ')}` : '\nall targets met');
}
if (missed.length) process.exitCode = 1;

/**
 * Scene performance in real Chromium: `npm run bench:scene [-- --runs 3 --json --dist dist]`.
 * Builds nothing: serves the already-built dist/ with the test harness's static server and opens
 * /explore/ at 1280x800 in the harness's Chromium (SwiftShader: WebGL2 on the CPU).
 *
 * Measures, per run:
 *   - main-thread JS per frame while the camera orbits the nano model (300 frames), from the
 *     view's own performance.now() around its frame function (window.__scene, a test-only hook);
 *   - WebGL draw calls per frame, as the renderer counts them (in the render worker);
 *   - input change -> first frame showing the new trace, over 20 different inputs;
 *   - GPU objects alive (textures, buffers, programs, vertex arrays, counted by wrapping the
 *     context's create* / delete*) before, after 1,000 frames and after the 20 input changes;
 *   - the GPT-3 view: wall-clock fps and per-frame JS while orbiting (120 frames).
 * Prints the median over runs (and each run's numbers with --json).
 */
import { launchBrowser, openPage } from '../tests/e2e/harness.ts';
import { argsOrExit, parseArgs, UsageError } from './lib/args.ts';
import { measureRuns, median, quantile } from './lib/stats.ts';
import type { Page } from 'playwright-core';

interface Counts {
  draws: number;
  textures: number;
  buffers: number;
  programs: number;
  vertexArrays: number;
}

interface Run {
  nanoFrameMs: { median: number; p95: number; max: number };
  drawCallsPerFrame: number;
  inputToScreenMs: { median: number; max: number };
  resources: { start: Counts; after1000Frames: Counts; after20Inputs: Counts };
  gpt3: { fps: number; frameMs: { median: number; max: number } };
}

const args = argsOrExit('bench:scene', () => {
  const parsed = parseArgs(process.argv.slice(2), { runs: 'int', dist: 'string', json: 'flag' });
  if (parsed.runs === 0) throw new UsageError('--runs must be at least 1');
  return parsed;
});
const RUNS = (args.runs as number | undefined) ?? 3;
const DIST = (args.dist as string | undefined) ?? 'dist';

type Hooked = { __scene: import('../src/components/scene-canvas.ts').SceneTestHook };

/** Draw calls so far and live GL objects, as the render worker last reported them (after the view's frames have been drawn). */
async function counters(page: Page): Promise<Counts> {
  await page.evaluate(() => (window as unknown as Hooked).__scene.settle());
  return page.evaluate(() => {
    const hook = (window as unknown as Hooked).__scene;
    return { draws: hook.drawCalls(), ...hook.resources() };
  });
}

/** Waits until the view has drawn nothing new for 250 ms. */
async function settle(page: Page): Promise<void> {
  let frames = -1;
  for (let i = 0; i < 80; i++) {
    const now = await page.evaluate(() => (window as unknown as Hooked).__scene.frames);
    if (now === frames) return;
    frames = now;
    await page.waitForTimeout(250);
  }
  throw new Error('the scene never stopped drawing: something requests frames continuously');
}

const INPUTS = ['ABCABC', 'CCBBAA', 'BACBCA', 'AAAAAB', 'CBABBC', 'BBBCCA', 'ACACAC', 'CABBAC', 'BCCABA', 'AABBCC'];

async function oneRun(origin: string): Promise<Run> {
  const browser = await launchBrowser();
  try {
    const p = await openPage(browser, 'about:blank', { viewport: { width: 1280, height: 800 } });
    await p.page.goto(`${origin}/explore/`, { waitUntil: 'load' });
    await p.page.waitForFunction(() => (window as unknown as Partial<Hooked>).__scene !== undefined, null, { timeout: 30_000 });
    await p.page.evaluate(() => (window as unknown as Hooked).__scene.ready);
    await settle(p.page);
    const start = await counters(p.page);

    // 300 frames of camera motion over nano.
    const before = await counters(p.page);
    const frameMs = await p.page.evaluate(() => (window as unknown as Hooked).__scene.orbitFrames(300, 0.004));
    const after = await counters(p.page);
    const drawCallsPerFrame = (after.draws - before.draws) / frameMs.length;

    // 700 more frames: 1,000 in all.
    await p.page.evaluate(() => (window as unknown as Hooked).__scene.orbitFrames(700, -0.002));
    await settle(p.page);
    const after1000Frames = await counters(p.page);

    // 20 input changes, each timed from the input event to the first frame showing its trace.
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const text = INPUTS[i % INPUTS.length]!;
      const previous = await p.page.evaluate(() => (window as unknown as Hooked).__scene.latency().shownAt);
      await p.page.fill('#letters', text === (await p.page.inputValue('#letters')) ? INPUTS[(i + 1) % INPUTS.length]! : text);
      await p.page.waitForFunction(
        (prev) => {
          const l = (window as unknown as Hooked).__scene.latency();
          return l.shownAt > prev && l.shownAt > l.inputAt;
        },
        previous,
        { timeout: 10_000 },
      );
      const l = await p.page.evaluate(() => (window as unknown as Hooked).__scene.latency());
      latencies.push(l.shownAt - l.inputAt);
      await p.page.waitForTimeout(50);
    }
    await settle(p.page);
    const after20Inputs = await counters(p.page);

    // GPT-3: whole-model view, then orbit.
    await p.page.selectOption('#model', 'gpt3');
    await settle(p.page);
    const t0 = await p.page.evaluate(() => performance.now());
    const gpt3Ms = await p.page.evaluate(() => (window as unknown as Hooked).__scene.orbitFrames(120, 0.003));
    const t1 = await p.page.evaluate(() => performance.now());
    if (p.problems().length) throw new Error(`the page reported problems:\n${p.problems().join('\n')}`);
    await p.close();

    const strip = ({ textures, buffers, programs, vertexArrays }: Counts) => ({ draws: 0, textures, buffers, programs, vertexArrays });
    return {
      nanoFrameMs: { median: median(frameMs), p95: quantile(frameMs, 0.95), max: Math.max(...frameMs) },
      drawCallsPerFrame,
      inputToScreenMs: { median: median(latencies), max: Math.max(...latencies) },
      resources: { start: strip(start), after1000Frames: strip(after1000Frames), after20Inputs: strip(after20Inputs) },
      gpt3: { fps: gpt3Ms.length / ((t1 - t0) / 1000), frameMs: { median: median(gpt3Ms), max: Math.max(...gpt3Ms) } },
    };
  } finally {
    await browser.close();
  }
}

const runs = await measureRuns(DIST, RUNS, oneRun);

const med = (pick: (r: Run) => number) => median(runs.map(pick));
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const res = (c: Counts) => `${c.textures} tex, ${c.buffers} buf, ${c.programs} prog, ${c.vertexArrays} vao`;
const same = (a: Counts, b: Counts) => a.textures === b.textures && a.buffers === b.buffers && a.programs === b.programs && a.vertexArrays === b.vertexArrays;
const stable = runs.every((r) => same(r.resources.start, r.resources.after1000Frames) && same(r.resources.start, r.resources.after20Inputs));

const rows: [string, string, string][] = [
  ['nano, JS per frame (median)', `${fmt(med((r) => r.nanoFrameMs.median), 3)} ms`, '≤ 1 ms'],
  ['nano, JS per frame (p95)', `${fmt(med((r) => r.nanoFrameMs.p95), 3)} ms`, ''],
  ['nano, JS per frame (max)', `${fmt(med((r) => r.nanoFrameMs.max))} ms`, '≤ 8 ms'],
  ['draw calls per frame', fmt(med((r) => r.drawCallsPerFrame), 1), 'a handful'],
  ['input -> trace on screen (median)', `${fmt(med((r) => r.inputToScreenMs.median), 1)} ms`, '≤ 50 ms'],
  ['input -> trace on screen (max)', `${fmt(med((r) => r.inputToScreenMs.max), 1)} ms`, ''],
  ['GPU objects at start', res(runs[0]!.resources.start), ''],
  ['GPU objects after 1,000 frames', res(runs[0]!.resources.after1000Frames), 'constant'],
  ['GPU objects after 20 inputs', res(runs[0]!.resources.after20Inputs), 'constant'],
  ['GPU objects constant in every run', stable ? 'yes' : 'NO', 'yes'],
  ['GPT-3 view, fps (SwiftShader)', fmt(med((r) => r.gpt3.fps), 1), ''],
  ['GPT-3 view, JS per frame (median)', `${fmt(med((r) => r.gpt3.frameMs.median), 3)} ms`, ''],
  ['GPT-3 view, JS per frame (max)', `${fmt(med((r) => r.gpt3.frameMs.max))} ms`, ''],
];

if (args.json) {
  console.log(JSON.stringify({ runs, summary: Object.fromEntries(rows.map(([k, v]) => [k, v])) }, null, 2));
} else {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`scene benchmark: /explore/ at 1280x800, median of ${RUNS} run${RUNS > 1 ? 's' : ''}\n`);
  for (const [k, v, target] of rows) console.log(`${k.padEnd(w0)}  ${v.padStart(w1)}  ${target}`);
}

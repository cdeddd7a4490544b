/**
 * Training in the browser against training in Node: `npm run bench:train [-- --runs 3 --iters 400 --dist dist --json]`.
 * Builds nothing: serves the already-built site with the test harness's static server.
 *
 * Node: ms per optimisation step of src/gpt/training.ts (batch 64) over 100 steps, measured just
 * before each browser run (the machine is shared: both then see about the same load).
 * The browser's figure is the worker's mean over the run's last 100 steps (its code warm).
 *
 * Browser, per run (a fresh page in the harness's Chromium, 1280x800): the whole essay at the
 * training chapter's run step with `?iters=`, which starts the run in the worker, then
 *   - the worker's ms per step (optimisation only, as in Node; checkpoints not counted);
 *   - long tasks (over 50 ms) on the main thread while it trains and the reader watches;
 *   - the main-thread JS of each frame that changed the picture meanwhile (the article's test
 *     hook: director, scene, draw, labels);
 *   - a new input typed into the tokens chapter while it trains: ms until its forward pass and
 *     generation are back on the page (the `gpt:generated` event), over several inputs.
 * And the training worker alone (started from a page without the article: no scene, no other
 * worker), to tell the engine's speed in the browser from what the page around it costs.
 * Prints medians over runs; Node's figure beside the browser's and their ratio (target 1.3).
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT, launchBrowser, openPage } from '../tests/e2e/harness.ts';
import { SortTrainer, TRAIN_BATCH } from '../src/gpt/training.ts';
import { TrainableGPT } from '../src/gpt/wasm-train.ts';
import type { SceneTestHook } from '../src/components/scene-canvas.ts';
import { scrollToStepTime } from '../tests/e2e/reading-helpers.ts';
import { readWasm, readWeights } from './lib/engine.ts';
import { measureRuns, median, quantile } from './lib/stats.ts';
import { argsOrExit, parseArgs } from './lib/args.ts';

const args = argsOrExit('bench:train', () => parseArgs(process.argv.slice(2), { runs: 'int', iters: 'int', dist: 'string', json: 'flag' }));
const RUNS = (args.runs as number | undefined) ?? 3;
const ITERS = (args.iters as number | undefined) ?? 400;
if (RUNS < 1 || ITERS < 100) {
  process.stderr.write('bench:train: --runs must be at least 1 and --iters at least 100\n');
  process.exit(2);
}
const DIST = resolve(REPO_ROOT, (args.dist as string | undefined) ?? 'dist');
/** How long the reader just watches the run before typing new letters, ms. */
const WATCH_MS = 4000;
const INPUTS = ['ABCABC', 'CCBBAA', 'BACBCA', 'CABCAB', 'AABBCC', 'CBABBC'];

const nodeTrainer = new SortTrainer(await TrainableGPT.load(readWasm(), readWeights().config, TRAIN_BATCH), 1337);
for (let i = 0; i < 20; i++) nodeTrainer.step();

/** Node's ms per step over 100 steps, measured right before each browser run: the machine is shared, so both see the same load. */
function nodeMsPerIter(): number {
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) nodeTrainer.step();
  return (performance.now() - t0) / 100;
}

interface BrowserRun {
  nodeMsPerIter: number;
  /** The training worker started from a bare page, over 300 steps, with Node measured just before. */
  alone: { nodeMsPerIter: number; msPerIter: number };
  /** The worker's mean over the run's last 100 steps. */
  msPerIter: number;
  /** While only training runs, and while the reader also changes the input. */
  longTasks: { count: number; longestMs: number };
  inputLongTasks: { count: number; longestMs: number };
  frameMs: { median: number; p95: number; frames: number };
  inputMs: number[];
}

const TRAIN_WORKER = readdirSync(join(DIST, '_astro')).find((f) => /^train-worker-.*\.js$/.test(f));
if (!TRAIN_WORKER) throw new Error(`${DIST}/_astro has no train-worker-*.js: build the site first`);

async function browserRun(origin: string): Promise<BrowserRun> {
  const browser = await launchBrowser();
  try {
    const bare = await openPage(browser, `${origin}/404.html`);
    const aloneNode = nodeMsPerIter();
    const aloneMs = await bare.page.evaluate(
      (src) =>
        new Promise<number>((res) => {
          const w = new Worker(src, { type: 'module' });
          w.onmessage = (e: MessageEvent<{ type: string; state: string; msPerIter: number }>) => {
            if (e.data.type !== 'train-progress' || e.data.state !== 'done') return;
            res(e.data.msPerIter);
            w.terminate();
          };
          w.postMessage({ type: 'train', action: 'start', seed: 1337, iters: 300, every: 1000, input: [2, 1, 0, 1, 1, 2] });
        }),
      `${origin}/_astro/${TRAIN_WORKER}`,
    );
    await bare.close();
    const nodeMs = nodeMsPerIter();
    const p = await openPage(browser, `${origin}/?iters=${ITERS}`);
    await p.page.waitForFunction(() => document.documentElement.dataset.generated !== undefined, undefined, { timeout: 60_000 });
    await scrollToStepTime(p.page, 'training-run', 0.95);
    await p.page.waitForFunction(() => Number((document.querySelector('[data-training]') as HTMLElement).dataset.iteration) > 0, undefined, { timeout: 60_000 });
    // Long tasks from here on: while the model trains (the page's start-up is bench:page's business).
    await p.page.evaluate(() => {
      const tasks: number[] = [];
      (window as unknown as { __tasks: number[] }).__tasks = tasks;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) tasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    const framesBefore = await p.page.evaluate(() => (window as unknown as { __scene: SceneTestHook }).__scene.storyFrameTimes().length);
    // First a stretch of training alone (the reader only watching), then new inputs while it trains.
    await p.page.waitForTimeout(WATCH_MS);
    const watched = await p.page.evaluate((from) => {
      const frames = (window as unknown as { __scene: SceneTestHook }).__scene.storyFrameTimes().slice(from);
      const tasks = (window as unknown as { __tasks: number[] }).__tasks.splice(0);
      return { frames, tasks };
    }, framesBefore);
    const inputMs: number[] = [];
    for (const letters of INPUTS) {
      inputMs.push(
        await p.page.evaluate((text) => {
          const form = document.querySelector<HTMLFormElement>('form.reader-input')!;
          const field = form.querySelector<HTMLInputElement>('input[name="input"]')!;
          const t0 = performance.now();
          const back = new Promise<number>((res) => document.addEventListener('gpt:generated', () => res(performance.now() - t0), { once: true }));
          field.value = text;
          form.requestSubmit();
          return back;
        }, letters),
      );
      await p.page.waitForTimeout(300);
    }
    const inputTasks = await p.page.evaluate(() => (window as unknown as { __tasks: number[] }).__tasks.splice(0));
    await p.page.waitForFunction(() => (document.querySelector('[data-training]') as HTMLElement).dataset.state === 'done', undefined, { timeout: 600_000 });
    const ms = await p.page.evaluate(() => Number((document.querySelector('[data-training]') as HTMLElement).dataset.msPerIter));
    await p.close();
    return {
      nodeMsPerIter: nodeMs,
      alone: { nodeMsPerIter: aloneNode, msPerIter: aloneMs },
      msPerIter: ms,
      longTasks: { count: watched.tasks.length, longestMs: Math.max(0, ...watched.tasks) },
      inputLongTasks: { count: inputTasks.length, longestMs: Math.max(0, ...inputTasks) },
      frameMs: { median: median(watched.frames), p95: quantile(watched.frames, 0.95), frames: watched.frames.length },
      inputMs,
    };
  } finally {
    await browser.close();
  }
}

const runs = await measureRuns(DIST, RUNS, browserRun);
const browserMs = median(runs.map((r) => r.msPerIter));
const node = median(runs.map((r) => r.nodeMsPerIter));
const allInputs = runs.flatMap((r) => r.inputMs);
const summary = {
  nodeMsPerIter: node,
  browserMsPerIter: browserMs,
  ratio: median(runs.map((r) => r.msPerIter / r.nodeMsPerIter)),
  aloneMsPerIter: median(runs.map((r) => r.alone.msPerIter)),
  aloneRatio: median(runs.map((r) => r.alone.msPerIter / r.alone.nodeMsPerIter)),
  longTasks: median(runs.map((r) => r.longTasks.count)),
  longestTaskMs: Math.max(...runs.map((r) => r.longTasks.longestMs)),
  inputLongTasks: median(runs.map((r) => r.inputLongTasks.count)),
  inputLongestTaskMs: Math.max(...runs.map((r) => r.inputLongTasks.longestMs)),
  frameMsMedian: median(runs.map((r) => r.frameMs.median)),
  frameMsP95: median(runs.map((r) => r.frameMs.p95)),
  inputMsMedian: median(allInputs),
  inputMsWorst: Math.max(...allInputs),
};
if (args.json) process.stdout.write(`${JSON.stringify({ summary, runs }, null, 2)}\n`);
else {
  const f = (x: number, d = 1) => x.toFixed(d);
  process.stdout.write(
    [
      `training, ms per step (batch 64), median of ${RUNS} runs of ${ITERS} iterations`,
      `  Node (WASM):        ${f(node, 2)} ms`,
      `  browser (worker):   ${f(browserMs, 2)} ms  (median ratio ${f(summary.ratio, 2)}x Node; target 1.3x)`,
      `  the training worker alone, from a bare page: ${f(summary.aloneMsPerIter, 2)} ms (${f(summary.aloneRatio, 2)}x Node)`,
      `while training, on the main thread:`,
      `  long tasks > 50 ms while watching for ${WATCH_MS / 1000} s: ${summary.longTasks} (longest ${f(summary.longestTaskMs)} ms)`,
      `  JS per frame that changed the picture, same stretch: median ${f(summary.frameMsMedian, 2)} ms, p95 ${f(summary.frameMsP95, 2)} ms (target median 1 ms)`,
      `  long tasks > 50 ms while typing ${INPUTS.length} new inputs: ${summary.inputLongTasks} (longest ${f(summary.inputLongestTaskMs)} ms)`,
      `  new input -> forward pass and generation back: median ${f(summary.inputMsMedian)} ms, worst ${f(summary.inputMsWorst)} ms (target 100 ms)`,
      '',
    ].join('\n'),
  );
}

/**
 * The training chapter's runtime (loaded only by pages that show the chapter): asks the worker for
 * the first steps' numbers, starts the run when the chapter comes into view (never by itself under
 * reduced motion: the reader presses Train), follows its progress, draws the plots, fills the
 * prose's numbers and compares the finished weights with the shipped file.
 */
// The panel's stylesheet as a file of its own, linked when the panel starts: imported plainly, its
// rules would be inlined into every page of the site.
import stylesheet from './training.css?url';
import { unpackTrace } from '../../gpt/protocol.ts';
import type { TrainControl, TrainResponse } from '../../gpt/train-protocol.ts';
import { encode, VOCAB } from '../../gpt/config.ts';
import { formatNumber as num } from '../../scene/formula.ts';
import { accuracySvg, lossSvg, NARROW, viewBoxOf, WIDE } from './plots.ts';
import { CHECKPOINT_EVERY, TrainingRun } from './run.ts';
import { trainingFromSearch } from './url.ts';
import { fillTrainValues } from './values.ts';
import { checkpointAt, type CheckpointView, type TrainingView } from './view.ts';
import { grouped } from '../../scene/numbers.ts';

/** Shortest gap between two announcements of the run's state in the live region, ms. */
export const ANNOUNCE_MS = 5000;
/** Shortest gap between two redraws of the panel, ms. */
const RENDER_MS = 200;

export interface TrainingPage {
  view(): TrainingView;
  /** Changes whenever what the picture shows of the run does: part of the page's redraw key. */
  version(): number;
  /** The reader is in the training chapter at this step and time (per frame). */
  frame(beat: string, t: number): void;
  setInput(ids: number[]): void;
  /**
   * The run's state in a sentence for the live region: always when `now` (the step changed),
   * otherwise at most every ANNOUNCE_MS while the run moves; null when there is nothing to tell.
   */
  announcement(now: boolean): string | null;
}

/** The training worker, or an in-process stand-in. */
export interface TrainChannel {
  postMessage(control: TrainControl): void;
  onmessage: ((event: MessageEvent<TrainResponse>) => void) | null;
}

export interface TrainingOptions {
  /** Default: a new worker running src/gpt/train-worker.ts. */
  worker?: TrainChannel;
  /** The reader's letters (read when the panel starts). */
  choices: { input: string };
  /** The page's engine, ready: its weights are the shipped file's, for the same-bytes comparison. */
  ready: Promise<{ params: Float32Array }>;
  reducedMotion: { matches: boolean };
  onChange: () => void;
  notice: (text: string) => void;
}

const letters = (ids: readonly number[]) => ids.map((i) => VOCAB[i]).join('');

async function hashOf(params: Float32Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(params.slice().buffer));
  return Array.from(new Uint8Array(digest).subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function startTraining(root: HTMLElement, opts: TrainingOptions): TrainingPage {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = stylesheet;
  document.head.append(link);
  const settings = trainingFromSearch(location.search);
  for (const n of settings.notices) opts.notice(n);
  const run = new TrainingRun(settings.seed, settings.iters);
  const worker: TrainChannel = opts.worker ?? new Worker(new URL('../../gpt/train-worker.ts', import.meta.url), { type: 'module' });
  const send = (control: TrainControl) => worker.postMessage(control);
  const panel = root.querySelector<HTMLElement>('[data-training]');
  const button = (action: string) => panel?.querySelector<HTMLButtonElement>(`button[data-action="${action}"]`) ?? null;
  const [startBtn, pauseBtn, resetBtn] = [button('start'), button('pause'), button('reset')];
  const ids = encode(opts.choices.input);
  let input = 'error' in ids ? [] : ids.ids;
  let started = false;
  let shown: CheckpointView | null = null;
  let lastAnnounced = 0;
  let announcedVersion = -1;
  let renderQueued = false;
  let lastRender = 0;
  const narrowQuery = matchMedia('(max-width: 50rem)');
  narrowQuery.addEventListener('change', () => changed());

  const changed = () => {
    opts.onChange();
    if (renderQueued) return;
    renderQueued = true;
    const wait = Math.max(0, RENDER_MS - (performance.now() - lastRender));
    setTimeout(() => requestAnimationFrame(render), wait);
  };

  /** The first steps' numbers for the seed and the reader's letters (answered through onTraining). */
  function explain(): void {
    send({ type: 'train', action: 'explain', seed: settings.seed, input });
  }

  function start(): void {
    started = true;
    run.restart();
    send({ type: 'train', action: 'start', seed: settings.seed, iters: settings.iters, every: CHECKPOINT_EVERY, input });
    changed();
  }

  async function compare(): Promise<void> {
    const last = run.latest();
    if (!last || last.iteration !== run.view.iters || run.view.sameBytes) return;
    const shipped = (await opts.ready).params;
    const a = new Uint32Array(last.params.buffer, last.params.byteOffset, last.params.length);
    const b = new Uint32Array(shipped.buffer, shipped.byteOffset, shipped.length);
    let differing = Math.abs(a.length - b.length);
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) differing++;
    const [hash, shippedHash] = await Promise.all([hashOf(last.params), hashOf(shipped)]);
    if (run.latest() !== last) return;
    run.view = { ...run.view, sameBytes: { identical: differing === 0, differing, hash, shippedHash } };
    run.touched();
    changed();
  }

  worker.onmessage = ({ data: m }) => {
    if (m.type === 'train-explained') {
      // A newer request (other letters) may be on its way; the numbers shown are for these.
      if (m.explained.input.join() !== input.join()) return;
      run.view = { ...run.view, explained: { numbers: m.explained, params: m.params, paramsAfter: m.paramsAfter, trace: unpackTrace(m.trace), exampleTrace: unpackTrace(m.exampleTrace) } };
      run.touched();
    } else {
      run.apply(m);
      if (m.state === 'done') {
        compare().catch((e: Error) => {
          run.error = `The trained weights could not be compared with the shipped file: ${e.message}`;
          changed();
        });
      }
    }
    changed();
  };

  startBtn?.addEventListener('click', start);
  pauseBtn?.addEventListener('click', () => send({ type: 'train', action: run.view.state === 'paused' ? 'resume' : 'pause' }));
  resetBtn?.addEventListener('click', () => {
    started = true; // a reset run stays reset until the reader presses Train
    send({ type: 'train', action: 'reset' });
  });

  // The run starts once the chapter is on screen, unless the reader prefers reduced motion.
  const chapter = root.closest<HTMLElement>('[data-chapter]') ?? root;
  new IntersectionObserver((entries, observer) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    if (!started && !opts.reducedMotion.matches) start();
  }).observe(chapter);

  function statusText(v: TrainingView): string {
    if (run.error) return run.error;
    const speed = run.msPerIter > 0 ? ` (${run.msPerIter.toFixed(1)} ms a step)` : '';
    if (v.state === 'idle') return `Press Train to train the model from seed ${v.seed} for ${grouped(v.iters)} iterations.`;
    if (v.state === 'running') return `Training: iteration ${grouped(v.iteration)} of ${grouped(v.iters)}${speed}.`;
    if (v.state === 'paused') return `Paused at iteration ${grouped(v.iteration)} of ${grouped(v.iters)}.`;
    return `Done: ${grouped(v.iters)} iterations${speed}.`;
  }

  function summary(v: TrainingView): string {
    const first = v.losses.findIndex((x) => x !== undefined);
    const last = v.checkpoints.at(-1);
    if (first < 0 || !last) return 'No iterations yet.';
    const acc0 = v.checkpoints[0]!;
    return `The batch loss went from ${num(v.losses[first]!)} at iteration ${first + 1} to ${num(v.losses[v.iteration - 1] ?? NaN)} at iteration ${v.iteration}; greedy decoding sorted ${acc0.correct} of ${acc0.total} inputs at iteration ${acc0.iteration} and ${last.correct} at iteration ${last.iteration}.`;
  }

  function render(): void {
    renderQueued = false;
    lastRender = performance.now();
    const v = run.view;
    if (!panel) return;
    panel.dataset.state = v.state;
    panel.dataset.iteration = String(v.iteration);
    // For scripts/bench-train.ts: the worker's mean time per optimisation step.
    panel.dataset.msPerIter = run.msPerIter.toFixed(3);
    if (v.sameBytes) panel.dataset.hash = v.sameBytes.hash;
    else delete panel.dataset.hash;
    if (startBtn) {
      startBtn.disabled = v.state === 'running' || v.state === 'paused';
      startBtn.textContent = v.state === 'done' ? 'Train again' : 'Train';
    }
    if (pauseBtn) {
      pauseBtn.disabled = v.state !== 'running' && v.state !== 'paused';
      pauseBtn.textContent = v.state === 'paused' ? 'Resume' : 'Pause';
    }
    if (resetBtn) resetBtn.disabled = v.state === 'idle';
    const status = panel.querySelector<HTMLElement>('[data-train-status]');
    if (status) status.textContent = statusText(v);
    const marker = shown?.iteration ?? null;
    const accuracy = v.checkpoints.map((c) => ({ iteration: c.iteration, correct: c.correct, total: c.total }));
    const plot = { iters: v.iters, losses: v.losses, accuracy, marker };
    // Phones put the plots side by side (see training.css), each drawn for its narrower box.
    const size = narrowQuery.matches ? NARROW : WIDE;
    for (const [selector, draw] of [['.plot-loss', lossSvg], ['.plot-accuracy', accuracySvg]] as const) {
      const svg = panel.querySelector<SVGSVGElement>(selector);
      if (!svg) continue;
      svg.setAttribute('viewBox', viewBoxOf(size));
      svg.style.aspectRatio = `${size.width} / ${size.height}`;
      svg.innerHTML = draw(plot, size);
    }
    const cap = panel.querySelector<HTMLElement>('[data-train-summary]');
    if (cap) cap.textContent = summary(v);
    const answer = panel.querySelector<HTMLElement>('[data-train-answer]');
    const c = shown ?? run.latest();
    if (answer) {
      const want = c ? letters([...c.trace.ids].sort((a, b) => a - b)) : '';
      answer.textContent = c ? `Checkpoint at iteration ${c.iteration}: for ${letters(c.trace.ids)} the model writes ${letters(c.answer)}${letters(c.answer) === want ? ', sorted' : ` (sorted would be ${want})`}.` : '';
      panel.dataset.shown = c ? String(c.iteration) : '';
    }
    fillTrainValues(root, v);
  }

  render();
  explain();

  return {
    view: () => run.view,
    version: () => run.sceneVersion,
    frame(beat, t) {
      const next = beat === 'run' ? checkpointAt(run.view, t) : run.latest();
      if (next !== shown) {
        shown = next;
        changed();
      }
    },
    setInput(ids) {
      if (ids.join() === input.join()) return;
      input = ids;
      send({ type: 'train', action: 'input', input: ids });
      explain();
    },
    announcement(now) {
      const v = run.view;
      const last = run.latest();
      const t = performance.now();
      const due = v.state !== 'idle' && run.version !== announcedVersion && t - lastAnnounced >= ANNOUNCE_MS;
      if ((!now && !due) || v.state === 'idle' || !last) return null;
      lastAnnounced = t;
      announcedVersion = run.version;
      const loss = v.iteration > 0 ? `, batch loss ${num(v.losses[v.iteration - 1] ?? NaN)}` : '';
      return `The run is ${v.state} at iteration ${v.iteration} of ${v.iters}${loss}, ${last.correct} of ${last.total} inputs sorted at iteration ${last.iteration}.`;
    },
  };
}

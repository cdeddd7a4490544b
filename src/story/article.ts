/**
 * The article's runtime: binds scrolling to the shared scene. Each frame it asks the scroll
 * binding where the reader is ({ chapter, step, t }), asks that chapter's director for the
 * SceneState, and hands it to the scene view. The model runs in the worker: one forward pass over
 * the reader's six letters, then the whole generation; numbers in the prose follow along.
 */
import { createClient } from '../gpt/browser.ts';
import { decode as decodeTokens, encode, type GPTConfig } from '../gpt/config.ts';
import { GPTError } from '../gpt/client.ts';
import type { Trace } from '../gpt/trace.ts';
import { layoutModel } from '../scene/layout.ts';
import { MODELS } from '../scene/models.ts';
import type { CameraState, ModelId, ModelLayout } from '../scene/types.ts';
import { sameData } from '../scene/same.ts';
import { FrameTimes } from '../scene/frame-times.ts';
import { SceneView } from '../scene/view.ts';
import { direct, drawnLayout, type DirectorContext, type Generation, type ReaderChoices } from './director.ts';
import { loadDirectors } from './directors/load.ts';
import { bindBlockRefs } from './refs.ts';
import type { ChapterDirector } from './director.ts';
import { DEFAULT_INPUT, inputFromSearch } from './input.ts';
import { describeStep } from './describe.ts';
import { FIRST_VALUES_MARK } from './marks.ts';
import { evalQuantity, type QuantityContext } from './quantities.ts';
import { ScrollStory, type StoryPosition } from './scroll.ts';
import { rehearsalOrder, rehearse } from './rehearsal.ts';
import { bindReaderControls } from './controls.ts';
import type { LabState } from './director.ts';
import { bindNavigation, carryInput, unknownHashNotice, type Navigation } from './navigation.ts';
import { installTestHook } from '../components/scene-canvas.ts';
import type { TrainingPage } from './training/panel.ts';

interface Data {
  config: GPTConfig;
  params: Float32Array;
  trace: Trace;
  generation: Generation | null;
}

export function startArticle(): void {
  const root = document.querySelector<HTMLElement>('[data-scene]');
  // One MediaQueryList, read each frame (its `matches` follows the setting; matchMedia() would parse anew).
  const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
  const story = new ScrollStory(document, {
    reducedMotion: () => reducedMotion.matches,
    onStepChange: (pos) => {
      announcePending = true;
      navigation.stepChanged(pos);
    },
  });
  const navigation: Navigation = bindNavigation(story.elements);
  let announcePending = true;
  const view = root ? SceneView.mount(root, { captureTouch: false, captureWheel: false }) : null;
  const description = document.getElementById('scene-description');
  const status = document.getElementById('scene-status');
  const engineNotice = document.getElementById('engine-notice');

  // A page with the training chapter also reads ?seed= (training/url.ts, which tells about a bad one).
  const trains = document.querySelector('[data-training]') !== null;
  const fromUrl = inputFromSearch(location.search, trains ? ['seed'] : []);
  const choices: ReaderChoices = { input: fromUrl.input, temperature: 0, seed: 1 };

  // The page that trains runs inference on the training worker's full engine too: one WASM file.
  const client = createClient(trains);
  // The training chapter's run: its code and plots load only on pages that show the chapter, and
  // there only when the reader comes within two screens of it (the essay does not fetch them at
  // its start).
  let training: TrainingPage | null = null;
  const trainingRoot = document.querySelector<HTMLElement>('[data-training]')?.closest<HTMLElement>('[data-chapter]');
  const loadTraining = (root: HTMLElement) =>
    import('./training/panel.ts')
      .then(({ startTraining }) => {
        training = startTraining(root, { choices, ready: client.ready, reducedMotion, onChange: redraw, notice: showNotice });
        redraw();
      })
      .catch((e: Error) => showNotice(`The training chapter could not start: ${e.message}`));
  if (trainingRoot) whenNear(trainingRoot, () => void loadTraining(trainingRoot));
  let data: Data | null = null;
  let refBlock: string | null = null;
  let lab: LabState | null = null;
  // Filled as soon as this page's chapters' directors have loaded (one small chunk each).
  let directors: Record<string, ChapterDirector> = {};
  const chapterSlugs = [...document.querySelectorAll<HTMLElement>('[data-chapter]')].map((el) => el.dataset.chapter!);
  loadDirectors(chapterSlugs)
    .then((loaded) => {
      directors = loaded;
      redraw();
    })
    .catch((e: Error) => {
      if (status) status.textContent = `The pictures for this page could not be loaded: ${e.message}`;
    });
  const layouts = new Map<string, ModelLayout>();
  const layoutOf = (model: ModelId, T: number) => {
    const key = `${model}:${T}`;
    let l = layouts.get(key);
    if (!l) layouts.set(key, (l = layoutModel(model, T)));
    return l;
  };

  let shownLayout: ModelLayout | null = null;
  let shownTrace: Trace | null = null;
  let shownParams: Float32Array | null = null;
  let valuesShown = false;
  let lastKey = '';
  /** The camera, trace and canvas size of the frame drawn last (the view keeps its content): a frame that would draw the same is skipped. */
  let lastDrawn: { camera: CameraState; trace: Trace | null; viewport: string } | null = null;
  /** Draw at the next frame even if the reader has not moved (new values, directors, a hovered word). */
  function redraw(): void {
    lastKey = '';
    lastDrawn = null;
  }
  let valuesMarked = false;
  bindBlockRefs(document, layoutOf('nano', 6), (block) => {
    refBlock = block;
    redraw();
  });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  if (view) {
    installTestHook({ view, ready, layout: () => shownLayout, trace: () => shownTrace, params: () => data?.params ?? null, inputAt: () => 0, storyFrameTimes: () => [...storyFrameTimes.ms], rehearsal: () => ({ ...rehearsed }) });
  }

  // The canvas's size, read from the layout only after it may have changed (a read per frame would
  // force a layout in every frame).
  let canvasSize: { width: number; height: number } | null = null;
  if (view) {
    const forget = () => (canvasSize = null);
    new ResizeObserver(forget).observe(view.canvas);
    window.addEventListener('resize', forget);
  }

  function context(): DirectorContext | null {
    if (!data || !view) return null;
    const rect = (canvasSize ??= view.canvas.getBoundingClientRect());
    return {
      config: data.config,
      layout: layoutOf('nano', data.trace.ids.length),
      layoutOf,
      trace: data.trace,
      generation: data.generation,
      params: data.params,
      choices,
      lab,
      viewport: { width: rect.width || 1, height: rect.height || 1 },
      training: training?.view() ?? null,
    };
  }

  /**
   * Main-thread ms of the recent frames that changed the picture (director, scene, and the writing
   * of the labels and arrows the render worker placed for them, when they arrive), oldest first:
   * what scripts/bench-page.ts reads while it scrolls, through the test hook.
   */
  const storyFrameTimes = new FrameTimes();
  if (view) view.onOverlay = (ms, draw) => storyFrameTimes.add(draw, ms);

  /** One frame: where is the reader, what should the picture be. Cheap when nothing moved. */
  function frame(): void {
    requestAnimationFrame(frame);
    if (!valuesMarked && view && view.stats.valuesShownAt > 0) {
      valuesMarked = true;
      // For scripts/bench-page.ts and the curious: when the first numbers reached the screen.
      performance.mark(FIRST_VALUES_MARK, { startTime: view.stats.valuesShownAt });
      // The worker drew them after the frame that sent them: the rehearsal starts now, not at the
      // reader's next move.
      const pos = story.position();
      if (pos) rehearseAhead(pos);
    }
    const t0 = performance.now();
    if (!update()) return;
    storyFrameTimes.push(performance.now() - t0, view!.lastDraw);
  }

  /** Directs and draws the frame for the reader's position; false when nothing changed. */
  function update(): boolean {
    const pos = story.position();
    const ctx = context();
    if (!pos || !ctx || !view) return false;
    const key = `${pos.id}:${pos.t.toFixed(4)}:${ctx.viewport.width}x${ctx.viewport.height}:${refBlock ?? ''}:${lab?.parts.join(',') ?? ''}:${lab?.trace.ids.join('') ?? ''}:${training?.version() ?? ''}`;
    if (key === lastKey) return false;
    // The worker is still drawing the last frame: draw this position at the next animation frame.
    if (view.gpuBusy()) return false;
    lastKey = key;
    if (pos.chapter === 'training') training?.frame(pos.beats[pos.index]!, pos.t);
    const director = directors[pos.chapter];
    if (!director) return false;
    const scene = direct(director, pos.beats, pos.index, pos.t, ctx);
    // Whether the picture changes. When the reader scrolled but it stays the same (a step's
    // animation is over) there is nothing to draw; the view redraws by itself when the canvas
    // changes size.
    const viewport = `${ctx.viewport.width}x${ctx.viewport.height}`;
    let changed = lastDrawn === null || announcePending || lastDrawn.trace !== ctx.trace || lastDrawn.viewport !== viewport || !sameData(lastDrawn.camera, scene.camera);
    // nano's values in either case: a big model is drawn with nano standing at its foot.
    const trace = scene.trace ?? ctx.trace;
    const layout = drawnLayout(layoutOf, scene.model, trace.ids.length);
    if (layout !== shownLayout) {
      // Values for another T would not fit the new layout's columns: clear them before switching.
      if (shownLayout && shownLayout.T !== layout.T) view.setValues(null, null);
      view.setModel(layout, MODELS[scene.model].name);
      shownLayout = layout;
      shownTrace = null;
      valuesShown = false;
      changed = true;
    }
    // Upload values only when they change.
    const params = scene.params ?? ctx.params;
    if (trace !== shownTrace || params !== shownParams || !valuesShown) {
      view.setValues(trace, params);
      shownTrace = trace;
      shownParams = params;
      valuesShown = true;
      markReady();
      changed = true;
    }
    const referenced = refBlock !== null && layout.blocks.some((b) => b.id === refBlock);
    // The view compares what it is given with what it shows (equal parts keep their identity).
    const newContent = view.setScene({
      blocks: scene.blocks,
      // A block named by the word under the pointer stands out in the focus colour.
      highlights: referenced ? [...scene.highlights, { block: refBlock!, role: 'focus' }] : scene.highlights,
      callouts: scene.callouts,
      links: scene.links,
      dim: referenced ? Math.max(scene.dim ?? 0, 0.45) : scene.dim,
    });
    if (!changed && !newContent) return false;
    lastDrawn = { camera: scene.camera, trace: ctx.trace, viewport };
    view.setCamera(scene.camera, { animate: false });
    // Draw in this frame rather than the next: the picture keeps up with the scroll position.
    view.renderNow();
    rehearseAhead(pos);
    // Announced politely when the step changes, not on every frame of its animation.
    // The training run's state is told with the step, and again while it moves, every few seconds.
    const run = pos.chapter === 'training' ? training?.announcement(announcePending) : null;
    if ((announcePending || run) && description) {
      announcePending = false;
      // Written in a task after the frame: nothing on screen waits for the live region.
      setTimeout(() => {
        const chapterTitle = document.getElementById(pos.chapter)?.querySelector('h1, h2')?.textContent?.trim() ?? pos.chapter;
        description.textContent = describeStep({ number: pos.index + 1, of: pos.beats.length, chapterTitle }, layout, scene.highlights, scene.describe) + (run ? ` ${run}` : '');
      }, 0);
    }
    return true;
  }

  /**
   * Once the first picture with values is up and the directors have loaded: the page's steps,
   * directed and worked out in idle time from the reader's step on (rehearsal.ts), so their first
   * real frames run compiled code. A step showing another model than the one on screen (a bigger
   * one, or nano over more tokens) is rehearsed on its own layout: its labels' tree is built and
   * the layout goes to the render worker now, not in the frame that first shows it.
   */
  let rehearsing = false;
  const rehearsed = { count: 0, done: false };
  function rehearseAhead(pos: StoryPosition): void {
    if (rehearsing || !valuesMarked || !view) return;
    const chapters = chapterSlugs.flatMap((chapter) => {
      const el = document.querySelector<HTMLElement>(`[data-chapter="${chapter}"]`);
      return directors[chapter] && el ? [{ chapter, beats: [...el.querySelectorAll<HTMLElement>('[data-step]')].map((s) => s.dataset.step ?? '') }] : [];
    });
    if (chapters.length < new Set(chapterSlugs).size) return;
    rehearsing = true;
    const run = rehearse(rehearsalOrder(chapters, pos), (item) => {
      const ctx = context();
      if (!ctx || !shownLayout) return;
      const scene = direct(directors[item.chapter]!, item.beats, item.index, item.t, ctx);
      const layout = drawnLayout(layoutOf, scene.model, (scene.trace ?? ctx.trace).ids.length);
      view.rehearse({ blocks: scene.blocks, highlights: scene.highlights, callouts: scene.callouts, links: scene.links, dim: scene.dim }, scene.camera, layout);
      rehearsed.count++;
    });
    void run.done.then(() => (rehearsed.done = true));
  }

  const notices: string[] = [];
  function showNotice(text: string): void {
    const el = document.getElementById('reader-notice');
    if (!el || notices.includes(text)) return;
    notices.push(text);
    el.textContent = notices.join(' '); // text, never HTML: the URL is not trusted
    el.hidden = false;
  }
  // A bad ?seed= or ?iters= is told at once, not when the training code loads near its chapter
  // (the panel says the same, once). Its small reader loads only on pages with the chapter.
  if (trainingRoot && location.search) {
    void import('./training/url.ts').then(({ trainingFromSearch }) => {
      for (const n of trainingFromSearch(location.search).notices) showNotice(n);
    });
  }

  const checkHash = () => {
    const notice = unknownHashNotice(location.hash, (id) => document.getElementById(id) !== null);
    if (notice) showNotice(notice);
  };

  function updateQuantities(): void {
    if (!data) return;
    const qctx: QuantityContext = { config: data.config, input: choices.input, trace: data.trace, output: data.generation?.tokens };
    // Numbers marked fixed are measured over all inputs at build time: the reader's letters do not change them.
    for (const el of document.querySelectorAll<HTMLElement>('.val:not([data-fixed])')) {
      try {
        el.textContent = evalQuantity({ q: el.dataset.q, tensor: el.dataset.tensor, at: el.dataset.at, fmt: el.dataset.fmt }, qctx);
      } catch {
        // A reference that does not fit this input keeps its build-time text.
      }
    }
  }

  let runId = 0;
  async function run(input: string): Promise<void> {
    const encoded = encode(input);
    if ('error' in encoded) return;
    const id = ++runId;
    choices.input = input;
    carryInput(input, input === DEFAULT_INPUT);
    try {
      const ready = await client.ready;
      if (ready.engine === 'ts' && engineNotice) {
        engineNotice.textContent = 'WebAssembly could not start here, so a slower TypeScript copy of the model is computing the numbers.';
        engineNotice.hidden = false;
      }
      const trace = await client.run(encoded.ids);
      if (id !== runId) return;
      data = { config: ready.config, params: ready.params, trace, generation: null };
      redraw();
      updateQuantities();
      // State on the root element: lets a stylesheet (and the browser tests) know values are in.
      document.documentElement.dataset.model = 'ready';
      const g = await client.generate(encoded.ids, { temperature: 0, seed: choices.seed });
      if (id !== runId || !data) return;
      data = { ...data, generation: { tokens: g.tokens, traces: g.traces } };
      redraw();
      updateQuantities();
      document.documentElement.dataset.generated = decodeTokens(g.tokens);
      // After the reader's own answer: the training chapter's numbers for the new letters come second.
      training?.setInput(encoded.ids);
      document.dispatchEvent(new CustomEvent('gpt:generated', { detail: { input, tokens: g.tokens } }));
    } catch (e) {
      if (e instanceof GPTError && e.code === 'superseded') return;
      if (status) status.textContent = `The model could not run, so the pictures show no values: ${(e as Error).message}`;
    }
  }

  if (fromUrl.notice) showNotice(fromUrl.notice);
  checkHash();
  window.addEventListener('hashchange', checkHash);

  const bindLab = (bindAblationLab: typeof import('./lab.ts').bindAblationLab) => bindAblationLab(document, {
    ablate: (parts, ids) => client.ablate(parts, ids),
    input: () => choices.input,
    onResult: (state) => {
      lab = state;
      redraw();
    },
    announce: (text) => {
      // Only while the reader is still at the lab's step: a late answer must not replace the
      // description of another step (the next one in the same chapter included).
      const labStep = document.querySelector('form.ablation-lab')?.closest<HTMLElement>('.step')?.id;
      if (description && labStep !== undefined && story.position()?.id === labStep) description.textContent = text;
    },
    onError: (message) => {
      if (status) status.textContent = `The experiment could not run: ${message}`;
    },
  });
  // The lab's code comes with the page only where a lab is (the How it sorts chapter).
  let labControls: { refresh: () => void } | null = null;
  if (document.querySelector('form.ablation-lab')) {
    void import('./lab.ts').then(({ bindAblationLab }) => (labControls = bindLab(bindAblationLab)));
  }

  bindReaderControls(document, choices, {
    onInput: (input) => {
      void run(input);
      labControls?.refresh();
    },
    onSampling: () => {
      redraw();
    },
  });
  void run(choices.input);
  requestAnimationFrame(frame);
}

/** Calls `then` once `el` is within two screens of the viewport (at once where nothing can tell). */
function whenNear(el: HTMLElement, then: () => void): void {
  if (typeof IntersectionObserver !== 'function') return then();
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      then();
    },
    { rootMargin: '200% 0px' },
  );
  observer.observe(el);
}

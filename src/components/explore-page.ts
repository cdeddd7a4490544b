/**
 * /explore/: the free view. Runs the real model in the worker (created once), shows its trace in
 * the scene, lets the reader pick a model to compare sizes and type six letters, which re-runs the
 * model and updates every green cell in place, and shows the letters the model generates.
 */
import { createClient } from '../gpt/browser.ts';
import { GPTError } from '../gpt/client.ts';
import { decode, encode, SORT_LENGTH } from '../gpt/config.ts';
import { inputFromSearch, inputProblem } from '../story/input.ts';
import type { Trace } from '../gpt/trace.ts';
import { companionCallout, withCompanion } from '../scene/companion.ts';
import { layoutModel } from '../scene/layout.ts';
import { bakeFold, foldForStage, lastColumnBottom } from '../scene/fold.ts';
import { frameBoxOblique } from '../scene/camera.ts';
import { OVERVIEW_PITCH, OVERVIEW_YAW } from '../story/directors/common.ts';
import { MODELS, MODEL_IDS } from '../scene/models.ts';
import type { ModelId, ModelLayout } from '../scene/types.ts';
import { installTestHook, mountSceneCanvas } from './scene-canvas.ts';
import { grouped } from '../scene/numbers.ts';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`explore page: element #${id} is missing`);
  return el as T;
}

/** Six letters A/B/C as token ids, or a message saying what to change. */
function checkInput(text: string): { ids: number[] } | { error: string } {
  const problem = inputProblem(text);
  if (problem) return { error: problem };
  const r = encode(text, SORT_LENGTH);
  return 'error' in r ? { error: r.error } : r;
}

function start(): void {
  const form = byId<HTMLFormElement>('explore-form');
  const letters = byId<HTMLInputElement>('letters');
  const message = byId<HTMLElement>('letters-message');
  const output = byId<HTMLOutputElement>('sorted');
  const modelSelect = byId<HTMLSelectElement>('model');
  const resetButton = byId<HTMLButtonElement>('reset-view');
  const notice = byId<HTMLElement>('url-notice');
  const status = byId<HTMLElement>('engine-status');

  const fromUrl = inputFromSearch(location.search);
  if (fromUrl.notice) {
    notice.textContent = fromUrl.notice; // text, never HTML: the URL is not trusted
    notice.hidden = false;
  }
  letters.value = fromUrl.input;

  const view = mountSceneCanvas(document.querySelector<HTMLElement>('[data-scene]'), { captureTouch: true, captureWheel: true });
  /**
   * Every model is far taller than wide: the explorer shows it folded into the columns that best
   * fill the canvas (src/scene/fold.ts), blocks at their true shapes, read column by column. A big
   * model has nano standing at its foot at the same scale, with its real numbers.
   */
  const nanoLayout = layoutModel('nano', SORT_LENGTH);
  const foldedModel = (id: ModelId): ModelLayout => {
    const canvas = view.canvas;
    const aspect = canvas.clientHeight > 0 ? canvas.clientWidth / canvas.clientHeight : 1;
    const plain = id === 'nano' ? nanoLayout : layoutModel(id, SORT_LENGTH);
    const fold = foldForStage(plain, aspect);
    const baked = bakeFold(plain, fold);
    // nano stands right of the last column, level with its bottom, as in the scale chapter.
    return id === 'nano' ? baked : withCompanion(baked, nanoLayout, { right: fold.bounds.max[0], bottom: lastColumnBottom(fold) });
  };
  /** The whole folded model, seen obliquely: the starting view and what both view buttons return to. */
  const wholeView = () => {
    const c = view!.canvas;
    return frameBoxOblique(layout.bounds.min, layout.bounds.max, c.clientWidth || 1, c.clientHeight || 1, OVERVIEW_YAW, OVERVIEW_PITCH);
  };
  let model: ModelId = 'nano';
  let layout: ModelLayout = foldedModel(model);
  let trace: Trace | null = null;
  let params: Float32Array | null = null;
  let inputAt = 0;
  let runId = 0;
  view.setModel(layout, MODELS[model].name);
  view.setCamera(wholeView(), { animate: false });

  const client = createClient();

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const fail = (e: unknown) => {
    if (e instanceof GPTError && e.code === 'superseded') return;
    status.textContent = `The model could not run: ${(e as Error).message}`;
    status.hidden = false;
  };

  /** Runs the model on valid letters: the trace for the scene first (fast), then the generated output. */
  const run = (text: string, ids: number[]) => {
    const id = ++runId;
    inputAt = performance.now();
    output.textContent = '…';
    client
      .run(ids)
      .then((t) => {
        if (id !== runId) return;
        trace = t;
        view.setValues(t, params);
        view.renderNow();
        markReady();
      })
      .catch(fail);
    client
      .generate(ids, { temperature: 0, steps: SORT_LENGTH })
      .then((g) => {
        if (id !== runId) return;
        const sorted = decode(g.tokens);
        const expected = [...text].sort().join('');
        output.textContent = sorted;
        output.dataset.correct = String(sorted === expected);
        output.title = sorted === expected ? 'Correctly sorted' : `Expected ${expected}`;
      })
      .catch(fail);
  };

  const onInput = () => {
    const text = letters.value.trim().toUpperCase();
    const check = checkInput(text);
    if ('error' in check) {
      message.textContent = check.error;
      letters.setAttribute('aria-invalid', 'true');
      return;
    }
    message.textContent = '';
    letters.removeAttribute('aria-invalid');
    if (text !== letters.value) letters.value = text;
    run(text, check.ids);
  };
  letters.addEventListener('input', onInput);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    onInput();
  });

  modelSelect.addEventListener('change', () => {
    const next = modelSelect.value as ModelId;
    if (!MODEL_IDS.includes(next)) return;
    model = next;
    layout = foldedModel(model);
    view.setModel(layout, MODELS[model].name);
    // A big model's companion is named in the picture: seen whole it is a few pixels tall, or less.
    view.setScene({ callouts: companionCallout(layout) });
    view.setCamera(wholeView());
    view.setValues(trace, params);
    byId<HTMLElement>('model-params').textContent = `${grouped(layout.params)} parameters`;
  });
  resetButton.addEventListener('click', () => view.resetCamera());
  byId<HTMLButtonElement>('whole-model').addEventListener('click', () => view.setCamera(wholeView()));

  client.ready
    .then((r) => {
      params = r.params;
      status.textContent = r.engine === 'wasm' ? '' : `Running the TypeScript engine (${r.fallbackReason ?? 'WebAssembly unavailable'}).`;
      status.hidden = status.textContent === '';
      onInput();
    })
    .catch(fail);

  installTestHook({ view, ready, layout: () => layout, trace: () => trace, params: () => params, inputAt: () => inputAt });
}

start();

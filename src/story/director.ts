/**
 * Directors: one per chapter, pure functions from (context, step, t) to a SceneState.
 *
 * A chapter's director maps each beat name used in its Markdown (:::step{beat="..."}) to a
 * StepDirector. A step says what the picture is at its local time t; `direct` adds the camera
 * move from where the previous step ended (the first 22% of t, eased, then the camera holds),
 * so consecutive steps join without a jump and every frame is computed from scratch.
 */
import type { GPTConfig } from '../gpt/config.ts';
import type { Trace } from '../gpt/trace.ts';
import { withCompanion } from '../scene/companion.ts';
import type { CameraState, ModelId, ModelLayout, SceneState } from '../scene/types.ts';
import { beat, lerpCamera } from './beats.ts';
import type { TrainingView } from './training/view.ts';

export interface ReaderChoices {
  /** The reader's six letters. */
  input: string;
  /** Sampling temperature for the output chapter (0 = greedy). */
  temperature: number;
  seed: number;
}

export interface Generation {
  /** The six output tokens. */
  tokens: number[];
  /** traces[k]: the forward pass over input + tokens[0..k-1] (T = 6 + k) that chose tokens[k]. */
  traces: Trace[];
}

/** The reader's experiment in the "How it sorts" lab: parts switched off and what the model did without them. */
export interface LabState {
  /** Part names as src/gpt/ablation.ts writes them (e.g. h.0.attn.head0, h.1.attn, h.2.mlp). */
  parts: string[];
  /** Inputs sorted exactly, of total, and right letters per answer slot. */
  correct: number;
  total: number;
  slots: number[];
  /** The reader's answer with the parts off, and the pass over input + output[0..4] that wrote it. */
  output: number[];
  trace: Trace;
  ms: number;
}

export interface DirectorContext {
  config: GPTConfig;
  /** Layout of the model the chapter shows, for the trace's T (nano) or the chapter's model. */
  layout: ModelLayout;
  /** Layouts of other models, for chapters that compare them (scale). */
  layoutOf: (model: ModelId, T: number) => ModelLayout;
  /** The forward pass over the reader's six input tokens. */
  trace: Trace;
  /** The whole greedy generation, when the worker has produced it. */
  generation: Generation | null;
  params: Float32Array;
  choices: ReaderChoices;
  /** The lab's current experiment; absent or null while every part is on. */
  lab?: LabState | null;
  /** Canvas size in CSS pixels (camera framing depends on the aspect ratio). */
  viewport: { width: number; height: number };
  /** The training chapter's run in this browser, when the page has one. */
  training?: TrainingView | null;
}

/** What one step draws at its local time t; anything left out takes its default. */
export interface StepScene {
  camera: CameraState;
  blocks?: SceneState['blocks'];
  highlights?: SceneState['highlights'];
  callouts?: SceneState['callouts'];
  links?: SceneState['links'];
  dim?: number;
  /** The model drawn (default: the chapter's). */
  model?: ModelId;
  /** nano's forward pass to show, e.g. one step of the generation (default: ctx.trace); its T sets the layout. */
  trace?: Trace;
  /** Weights to show instead of the trained ones (the training chapter's checkpoints). */
  params?: Float32Array;
  /** A short plain-text description of the picture with its key numbers, for screen readers. */
  describe?: string;
}

export type StepDirector = (ctx: DirectorContext, t: number) => StepScene;

export interface ChapterDirector {
  /** The chapter's slug (its file name without the number). */
  chapter: string;
  /** Model shown by default. */
  model: ModelId;
  /** Beat name -> what the step shows. Every :::step in the chapter must name one of these. */
  steps: Record<string, StepDirector>;
  /**
   * Beats where the camera may jump instead of moving smoothly (e.g. switching to another model).
   * Everywhere else the tests require the camera to move continuously with t.
   */
  cuts?: readonly string[];
  /**
   * Beats that show the whole model (or several models): their drawing must fill the stage
   * (checked by `npm run audit:steps`) rather than frame one block.
   */
  overviews?: readonly string[];
}

/**
 * The layout a directed scene is drawn in: nano's for a trace of T tokens, or a big model's with
 * nano standing at its foot (src/scene/companion.ts), the same object for the same arguments.
 */
export function drawnLayout(layoutOf: DirectorContext['layoutOf'], model: ModelId, T: number): ModelLayout {
  return model === 'nano' ? layoutOf('nano', T) : withCompanion(layoutOf(model, T), layoutOf('nano', T));
}

/** Fraction of a step spent moving the camera from where the previous step left it. */
export const CAMERA_MOVE = 0.22;

export interface Directed extends SceneState {
  model: ModelId;
  trace?: Trace;
  params?: Float32Array;
  describe: string;
}

/**
 * The frame for step `index` of `order` (the chapter's beats in reading order) at time t.
 * `previous` is the step scene the camera comes from (null: no move, e.g. a chapter's first step
 * on its own page); callers pass the previous step at t = 1.
 */
export function direct(director: ChapterDirector, order: readonly string[], index: number, t: number, ctx: DirectorContext, previous: StepScene | null = null): Directed {
  const name = order[index];
  const step = name !== undefined ? director.steps[name] : undefined;
  if (!step) throw new Error(`chapter ${director.chapter} has no beat "${name}" (knows ${Object.keys(director.steps).join(', ')})`);
  const scene = step(ctx, t);
  // A cut (e.g. to another model at another scale) starts on its own camera: easing from a view
  // of something no longer drawn would only sweep across empty space.
  const isCut = director.cuts?.includes(name!) ?? false;
  // Once the move is over (most of the step) the previous step is not needed: not directing it
  // every frame halves the directors' share of a scrolling frame.
  const move = beat(t, 0, CAMERA_MOVE);
  const before = index > 0 ? director.steps[order[index - 1]!] : undefined;
  const from = isCut || move >= 1 ? null : previous?.camera ?? (before ? stepEnd(before, ctx) : null);
  const camera = from ? lerpCamera(from, scene.camera, move) : scene.camera;
  return {
    camera,
    blocks: scene.blocks ?? {},
    highlights: scene.highlights ?? [],
    callouts: scene.callouts ?? [],
    links: scene.links ?? [],
    dim: scene.dim ?? 0,
    model: scene.model ?? director.model,
    trace: scene.trace,
    params: scene.params,
    describe: scene.describe ?? '',
  };
}

/** The camera of the last step end directed for a camera move (stepEnd), and a copy of what it was directed from. */
let lastEnd: { step: StepDirector; ctx: DirectorContext; camera: CameraState } | null = null;

/**
 * The camera of `step` at t = 1: where the camera comes from during the first CAMERA_MOVE of the
 * next step. The same for every frame of that move while the context holds the same data at the
 * same size, so it is directed once, not on every frame.
 */
function stepEnd(step: StepDirector, ctx: DirectorContext): CameraState {
  if (lastEnd && lastEnd.step === step && sameContext(lastEnd.ctx, ctx)) return lastEnd.camera;
  lastEnd = { step, ctx: { ...ctx, viewport: { ...ctx.viewport } }, camera: step(ctx, 1).camera };
  return lastEnd.camera;
}

/** Field by field (the viewport by its size): contexts are made afresh each frame from the same data. */
function sameContext(a: DirectorContext, b: DirectorContext): boolean {
  const ka = Object.keys(a) as (keyof DirectorContext)[];
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (k === 'viewport' ? a.viewport.width !== b.viewport.width || a.viewport.height !== b.viewport.height : a[k] !== b[k]) return false;
  }
  return true;
}

/** Whether a module export is a chapter director (the directors folder also holds helper modules). */
export function isDirector(x: unknown): x is ChapterDirector {
  return typeof x === 'object' && x !== null && typeof (x as ChapterDirector).chapter === 'string' && typeof (x as ChapterDirector).steps === 'object';
}

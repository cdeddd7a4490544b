/**
 * Building blocks shared by the chapter directors: framing the camera on blocks, showing the
 * forward pass as computed up to a point, and highlights. All pure.
 */
import { paramViews } from '../../gpt/reference.ts';
import { fitCamera, frameBox, frameBoxOblique } from '../../scene/camera.ts';
import { foldForStage, type Fold } from '../../scene/fold.ts';
import type { BlockStyle, CameraState, Highlight, HighlightRole, ModelLayout, Range, Vec3 } from '../../scene/types.ts';
import type { DirectorContext } from '../director.ts';
import { clamp, countAt } from '../beats.ts';

/** The box around the given blocks (at their layout positions). Unknown ids throw. */
export function boxOf(layout: ModelLayout, ids: readonly string[]): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const id of ids) {
    const b = layout.blocks.find((x) => x.id === id);
    if (!b) throw new Error(`no block "${id}" in the ${layout.model} layout`);
    // position is the top-left-front corner: x grows right, y grows up (rows go down), z toward the viewer.
    const lo: Vec3 = [b.position[0], b.position[1] - b.size[1], b.position[2] - b.size[2]];
    const hi: Vec3 = [b.position[0] + b.size[0], b.position[1], b.position[2]];
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, lo[i]!, hi[i]!);
      max[i] = Math.max(max[i]!, lo[i]!, hi[i]!);
    }
  }
  return { min, max };
}

/** The named views of each weights buffer, made once: a frame reads a few of them. */
const viewsCache = new WeakMap<Float32Array, Map<string, Float32Array>>();

/** The parameters of `ctx` by minGPT name (the same map for the same weights). */
export function paramsOf(ctx: DirectorContext): ReadonlyMap<string, Float32Array> {
  let views = viewsCache.get(ctx.params);
  if (!views) viewsCache.set(ctx.params, (views = paramViews(ctx.config, ctx.params)));
  return views;
}

export interface FrameOptions {
  /** Radians around the vertical axis; a little yaw shows the blocks are 3D. */
  yaw?: number;
  pitch?: number;
  /** > 1 moves the camera back (more margin), < 1 closer. */
  zoom?: number;
}

/** A camera that shows the given blocks filling the canvas. */
export function frame(ctx: DirectorContext, ids: readonly string[], opts: FrameOptions = {}, layout = ctx.layout): CameraState {
  const { min, max } = boxOf(layout, ids);
  const cam = frameBox(min, max, ctx.viewport.width, ctx.viewport.height, opts.yaw ?? -0.18, opts.pitch ?? 0.1);
  return { ...cam, distance: cam.distance * (opts.zoom ?? 1) };
}

/** The whole model. */
export function overview(ctx: DirectorContext, layout = ctx.layout): CameraState {
  return fitCamera(layout, ctx.viewport.width, ctx.viewport.height);
}

/** Oblique angles for whole-model views: enough turn and tilt that blocks read as solids. */
export const OVERVIEW_YAW = -0.32;
export const OVERVIEW_PITCH = 0.2;

/**
 * The whole model folded into columns that fill the stage (src/scene/fold.ts), and the oblique
 * camera that frames it. Directors put `fold.styles` into the step's block styles.
 */
export function folded(ctx: DirectorContext, layout = ctx.layout, opts: FrameOptions = {}): { fold: Fold; camera: CameraState } {
  // The same for every frame at this stage size: worked out once (callers only read it).
  const key = `${ctx.viewport.width}x${ctx.viewport.height}:${opts.yaw}:${opts.pitch}:${opts.zoom}`;
  let known = foldedViews.get(layout);
  if (!known) foldedViews.set(layout, (known = new Map()));
  const hit = known.get(key);
  if (hit) return hit;
  const fold = foldForStage(layout, ctx.viewport.width / Math.max(1, ctx.viewport.height));
  const cam = frameBoxOblique(fold.bounds.min, fold.bounds.max, ctx.viewport.width, ctx.viewport.height, opts.yaw ?? OVERVIEW_YAW, opts.pitch ?? OVERVIEW_PITCH);
  const view = { fold, camera: { ...cam, distance: cam.distance * (opts.zoom ?? 1) } };
  if (known.size >= 16) known.clear();
  known.set(key, view);
  return view;
}

/** folded() by layout, then by stage size and options. */
const foldedViews = new WeakMap<ModelLayout, Map<string, { fold: Fold; camera: CameraState }>>();

/**
 * Block styles combined per block (later ones win per field), e.g. a fold's offsets with reveal
 * styles. A block styled by one of them keeps that very style object (styles are never changed
 * in place), so a merge costs little more than the keys.
 */
export function mergeStyles(...all: Record<string, BlockStyle>[]): Record<string, BlockStyle> {
  const nonEmpty = all.filter(hasAny);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? ALL_COMPUTED;
  const out: Record<string, BlockStyle> = {};
  for (const styles of nonEmpty) {
    for (const id in styles) {
      const was = out[id];
      out[id] = was ? { ...was, ...styles[id] } : styles[id]!;
    }
  }
  return out;
}

function hasAny(styles: Record<string, BlockStyle>): boolean {
  for (const _ in styles) return true;
  return false;
}

/**
 * Styles that show the forward pass computed up to `id`: every activation and aggregate block
 * after it (in data-flow order) is drawn empty, and `id` itself is filled column by column as u
 * goes 0 -> 1. Weights are always shown: they exist before any input arrives.
 */
export function computedUpTo(layout: ModelLayout, id: string, u = 1): Record<string, BlockStyle> {
  let index = flowIndex.get(layout);
  if (!index) flowIndex.set(layout, (index = new Map(layout.blocks.map((b, i) => [b.id, i]))));
  const at = index.get(id);
  if (at === undefined) throw new Error(`no block "${id}" in the ${layout.model} layout`);
  const out: Record<string, BlockStyle> = {};
  const blocks = layout.blocks;
  for (let i = at; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.kind === 'weight') continue;
    if (i > at) out[b.id] = NOT_YET;
    else if (u < 1) out[b.id] = { reveal: { cols: countAt(b.cols.size, u) } };
  }
  return out;
}

/** Each block's place in data-flow order (its index in the layout's blocks), per layout. */
const flowIndex = new WeakMap<ModelLayout, Map<string, number>>();
/** A block not computed yet: one object shared by every such block of every frame (equal at a glance, same.ts). */
const NOT_YET: BlockStyle = Object.freeze({ reveal: Object.freeze({ cols: 0 }) });

/** Everything computed: no styles. */
export const ALL_COMPUTED: Record<string, BlockStyle> = Object.freeze({});

/** Highlight a range of columns (tokens) of a block. */
export function cols(block: string, range: Range, role: HighlightRole = 'focus'): Highlight {
  return { block, cols: range, role };
}

/** Highlight a range of rows of a block. */
export function rows(block: string, range: Range, role: HighlightRole = 'focus'): Highlight {
  return { block, rows: range, role };
}

/** Highlight one cell. */
export function cell(block: string, row: number, col: number, role: HighlightRole = 'focus'): Highlight {
  return { block, rows: [row, row + 1], cols: [col, col + 1], role };
}

/** Highlight a whole block. */
export function whole(block: string, role: HighlightRole = 'focus'): Highlight {
  return { block, role };
}

/** Index of the last input position (the column whose output predicts the next token). */
export function lastCol(ctx: DirectorContext): number {
  return ctx.trace.ids.length - 1;
}

/** Opacity that fades in over u (0..1), never below `min`. */
export function fadeIn(u: number, min = 0): number {
  return min + (1 - min) * clamp(u);
}

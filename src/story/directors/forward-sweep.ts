/**
 * Helpers for the chapters that follow the forward pass from the MLP to the output (mlp, stack,
 * output): filling a run of blocks in data-flow order, a scan line that fills everything it has
 * passed, cameras on a box of world space, reading a cell's number, and short number texts for
 * callouts. All pure; the only caches are keyed on immutable inputs.
 */
import { paramViews } from '../../gpt/reference.ts';
import { frameBox } from '../../scene/camera.ts';
import { blockById, readCell, type ParamViews } from '../../scene/cells.ts';
import { explainCell, formatNumber } from '../../scene/explain.ts';
import type { Block, BlockStyle, Callout, CameraState, Highlight, ModelLayout, Vec3 } from '../../scene/types.ts';
import { beat, clamp, countAt } from '../beats.ts';
import type { DirectorContext, StepScene } from '../director.ts';
import { boxOf, cols, computedUpTo, frame, lastCol, type FrameOptions } from './common.ts';

const viewsCache = new WeakMap<Float32Array, ParamViews>();
const blocksCache = new WeakMap<ModelLayout, Map<string, Block>>();

function blocksOf(layout: ModelLayout): Map<string, Block> {
  let m = blocksCache.get(layout);
  if (!m) blocksCache.set(layout, (m = blockById(layout)));
  return m;
}

/** The block with this id; throws for an unknown id so a typo fails loudly in the tests. */
export function blockOf(layout: ModelLayout, id: string): Block {
  const b = blocksOf(layout).get(id);
  if (!b) throw new Error(`no block "${id}" in the ${layout.model} layout`);
  return b;
}

/** The number cell (row, col) of a nano block shows for the reader's input. */
export function valueAt(ctx: DirectorContext, id: string, row: number, col: number): number {
  let views = viewsCache.get(ctx.params);
  if (!views) viewsCache.set(ctx.params, (views = paramViews(ctx.config, ctx.params)));
  return readCell(blockOf(ctx.layout, id), row, col, ctx.trace, views);
}

/** A linear layer's cell as the tooltip explains it: its bias (0 if none), every product, and its value. */
export function productsOf(ctx: DirectorContext, id: string, row: number, col: number): { bias: number; products: [number, number][]; value: number } {
  const f = explainCell(ctx.layout, id, row, col, ctx.trace, ctx.params).formula;
  if (f.kind !== 'matmul') throw new Error(`block "${id}" is not computed by a matrix multiply`);
  return { bias: f.bias ?? 0, products: f.products, value: f.value };
}

/** One column of a block, top to bottom. */
export function columnAt(ctx: DirectorContext, id: string, col: number): number[] {
  const b = blockOf(ctx.layout, id);
  return Array.from({ length: b.rows.size }, (_, r) => valueAt(ctx, id, r, col));
}

/** A number for a callout: about four significant digits, a true minus sign. */
export const num = formatNumber;

/**
 * A probability for a callout. Tiny ones read as "1 in N", which says more than "0.00%" and is
 * still honest about how small they are.
 */
export function prob(p: number): string {
  if (p > 0.9999) return '> 99.99%';
  if (p >= 0.0001) return `${Number((p * 100).toPrecision(p >= 0.01 ? 3 : 2))}%`;
  if (p <= 0) return '0';
  const n = 1 / p;
  const two = (x: number) => x.toLocaleString('en-US', { maximumSignificantDigits: 2 });
  if (n >= 1e12) return 'under 1 in a trillion';
  if (n >= 1e9) return `1 in ${two(n / 1e9)} billion`;
  if (n >= 1e6) return `1 in ${two(n / 1e6)} million`;
  return `1 in ${two(n)}`;
}

/** Phone-sized canvas: labels get fewer and shorter so they do not collide or run off the edge. */
export function narrow(ctx: DirectorContext): boolean {
  return ctx.viewport.width < 560;
}

/**
 * One label per row of a column (rows `0..texts.length - 1` of column `col`), or, on a narrow
 * canvas where neighbouring rows are too close for separate labels, all of them joined on the
 * last row (a label sits above and to the right of its cell, so there it covers the column's own
 * rows rather than the block above). `result` marks the row whose label (or the joined label) takes the result colour.
 */
export function rowLabels(ctx: DirectorContext, block: string, col: number, texts: readonly string[], result = -1): Callout[] {
  if (narrow(ctx)) return texts.length ? [{ block, row: texts.length - 1, col, text: texts.join(' · '), role: result >= 0 ? 'result' : 'focus' }] : [];
  return texts.map((text, row) => ({ block, row, col, text, role: row === result ? 'result' : 'focus' }));
}

/** The non-weight blocks from `from` to `to` (both included), in data-flow (layout) order. */
export function flowBetween(layout: ModelLayout, from: string, to: string): Block[] {
  const i = layout.blocks.findIndex((b) => b.id === from);
  const j = layout.blocks.findIndex((b) => b.id === to);
  if (i < 0 || j < 0) throw new Error(`no block "${i < 0 ? from : to}" in the ${layout.model} layout`);
  return layout.blocks.slice(i, j + 1).filter((b) => b.kind !== 'weight');
}

/**
 * The forward pass as it fills the blocks from `from` to `to` one after the other over u (0..1),
 * each column by column; everything before `from` is computed, everything after `to` is not.
 * Returns the styles and the block being filled (null once all are done).
 */
export function fillRun(layout: ModelLayout, from: string, to: string, u: number): { blocks: Record<string, BlockStyle>; current: Block | null } {
  const run = flowBetween(layout, from, to);
  const x = clamp(u) * run.length;
  if (x >= run.length) return { blocks: computedUpTo(layout, to), current: null };
  const k = Math.floor(x);
  const current = run[k]!;
  return { blocks: computedUpTo(layout, current.id, x - k), current };
}

/**
 * A scan line at height y sweeping down through the blocks from `from` to `to`: blocks it has
 * passed are computed, blocks it crosses fill column by column in proportion, blocks below it are
 * empty, and so is everything after `to`. Blocks before `from` are computed. Since data only flows
 * down the page, a block is never filled before the blocks it reads.
 */
export function scanStyles(layout: ModelLayout, from: string, to: string, y: number): Record<string, BlockStyle> {
  const out = computedUpTo(layout, to);
  for (const b of flowBetween(layout, from, to)) {
    const top = b.position[1];
    const done = clamp((top - y) / b.size[1]);
    if (done < 1) out[b.id] = { reveal: { cols: countAt(b.cols.size, done) } };
  }
  return out;
}

/** A camera that shows the world box [min, max] filling the canvas. */
export function frameRegion(ctx: DirectorContext, min: Vec3, max: Vec3, opts: FrameOptions = {}): CameraState {
  const cam = frameBox(min, max, ctx.viewport.width, ctx.viewport.height, opts.yaw ?? -0.18, opts.pitch ?? 0.1);
  return { ...cam, distance: cam.distance * (opts.zoom ?? 1) };
}

/** The box around some blocks, trimmed to the rows between `yTop` and `yBottom` when given. */
export function regionOf(layout: ModelLayout, ids: readonly string[], yTop?: number, yBottom?: number): { min: Vec3; max: Vec3 } {
  const { min, max } = boxOf(layout, ids);
  if (yTop !== undefined) max[1] = Math.min(max[1], yTop);
  if (yBottom !== undefined) min[1] = Math.max(min[1], yBottom);
  return { min, max };
}

/** Length of a vector: the square root of the sum of its squares. */
export function norm(xs: readonly number[]): number {
  return Math.sqrt(xs.reduce((s, x) => s + x * x, 0));
}

/** Index of the largest value. */
export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

/** softmax(xs / temperature), computed stably (temperature > 0). */
export function softmaxAt(xs: readonly number[], temperature: number): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp((x - m) / temperature));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/**
 * A layer norm at work on the last column: its mean, 1/σ and output fill in, with the real mean
 * and 1/σ in a callout. `ln` holds the layer norm's block ids (lnBlockIds), `input` is the
 * residual block it reads, `what` names it in the description.
 */
export function layerNormStep(ctx: DirectorContext, t: number, ln: { mean: string; rstd: string; gamma: string; out: string }, input: string, what: string): StepScene {
  const T = lastCol(ctx);
  const u = beat(t, 0.22, 0.6);
  const { blocks } = fillRun(ctx.layout, ln.mean, ln.out, u);
  const mean = valueAt(ctx, ln.mean, 0, T);
  const rstd = valueAt(ctx, ln.rstd, 0, T);
  const parts: string[] = [];
  if (u >= 1 / 3) parts.push(`mean ${num(mean)}`);
  if (u >= 2 / 3) parts.push(`1/σ ${num(rstd)}`);
  const highlights: Highlight[] = [cols(input, [T, T + 1], 'source')];
  if (u > 0) highlights.push(cols(ln.mean, [T, T + 1], 'focus'), cols(ln.rstd, [T, T + 1], 'focus'));
  if (u >= 2 / 3) highlights.push(cols(ln.out, [T, T + 1], 'result'));
  return {
    camera: frame(ctx, [input, ln.gamma, ln.out], { zoom: 1.1 }),
    blocks,
    highlights,
    callouts: parts.length ? [{ block: ln.rstd, row: 0, col: T, text: parts.join(' · ') }] : [],
    dim: 0.25,
    describe: `${what} normalizes each column of the residual stream; for the last letter the mean is ${num(mean)} and 1/σ is ${num(rstd)}.`,
  };
}

/**
 * Helpers for the chapters that follow the forward pass from the MLP to the output (mlp, stack,
 * output, generation): filling a run of blocks in data-flow order, a scan line that fills
 * everything it has passed, cameras on a box of world space, reading a cell's number, and short
 * number texts for callouts. All pure; the only caches are keyed on immutable inputs.
 */
import type { Trace } from '../../gpt/trace.ts';
import { FOV_Y, frameBox, frameBoxOblique } from '../../scene/camera.ts';
import { blockById, readCell } from '../../scene/cells.ts';
import { explainCell, formatNumber } from '../../scene/explain.ts';
import type { Block, BlockStyle, Callout, CameraState, HighlightRole, Link, LinkEnd, ModelLayout, Range, Vec3 } from '../../scene/types.ts';
import { clamp, countAt } from '../beats.ts';
import type { DirectorContext } from '../director.ts';
import { computedUpTo, paramsOf, type FrameOptions } from './common.ts';

/** The block with this id; throws for an unknown id so a typo fails loudly in the tests. */
export function blockOf(layout: ModelLayout, id: string): Block {
  const b = blockById(layout).get(id);
  if (!b) throw new Error(`no block "${id}" in the ${layout.model} layout`);
  return b;
}

/** The number cell (row, col) of a nano block shows for the reader's input. */
export function valueAt(ctx: DirectorContext, id: string, row: number, col: number): number {
  return readCell(blockOf(ctx.layout, id), row, col, ctx.trace, paramsOf(ctx));
}

type Products = { bias: number; products: [number, number][]; value: number };
const productsCache = new WeakMap<Trace, Map<string, Products>>();

/**
 * A linear layer's cell as the tooltip explains it: its bias (0 if none), every product, and its
 * value. Cached per trace: directors ask for the same cells every frame.
 */
export function productsOf(ctx: DirectorContext, id: string, row: number, col: number): Products {
  let m = productsCache.get(ctx.trace);
  if (!m) productsCache.set(ctx.trace, (m = new Map()));
  const key = `${id}:${row}:${col}`;
  let p = m.get(key);
  if (!p) {
    const f = explainCell(ctx.layout, id, row, col, ctx.trace, ctx.params).formula;
    if (f.kind !== 'matmul') throw new Error(`block "${id}" is not computed by a matrix multiply`);
    m.set(key, (p = { bias: f.bias ?? 0, products: f.products, value: f.value }));
  }
  return p;
}

/** One column of a block, top to bottom. */
export function columnAt(ctx: DirectorContext, id: string, col: number): number[] {
  const b = blockOf(ctx.layout, id);
  return Array.from({ length: b.rows.size }, (_, r) => valueAt(ctx, id, r, col));
}

/** A number for a callout: about four significant digits, a true minus sign. */
export const num = formatNumber;

/** Two significant digits with thousands separators, made once (a formatter is slow to build). */
const TWO_DIGITS = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 });

/**
 * A probability for a callout. Tiny ones read as "1 in N", which says more than "0.00%" and is
 * still honest about how small they are.
 */
export function prob(p: number): string {
  if (p > 0.9999) return '> 99.99%';
  if (p >= 0.0001) return `${Number((p * 100).toPrecision(p >= 0.01 ? 3 : 2))}%`;
  if (p <= 0) return '0';
  const n = 1 / p;
  const two = (x: number) => TWO_DIGITS.format(x);
  if (n >= 1e12) return 'under 1 in a trillion';
  if (n >= 1e9) return `1 in ${two(n / 1e9)} billion`;
  if (n >= 1e6) return `1 in ${two(n / 1e6)} million`;
  return `1 in ${two(n)}`;
}

/** Phone-sized canvas: labels get fewer and shorter so they do not collide or run off the edge. */
export function narrow(ctx: DirectorContext): boolean {
  return ctx.viewport.width < 560;
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


/** A box of world space. */
export interface Box {
  min: Vec3;
  max: Vec3;
}

/** The world box of rows x cols of a block (default: all of it), moved by `offset` (a style offset or a lift). */
export function cellsBox(layout: ModelLayout, id: string, rows?: Range, cols?: Range, offset: Vec3 = [0, 0, 0]): Box {
  const b = blockOf(layout, id);
  const [r0, r1] = rows ?? [0, b.rows.size];
  const [c0, c1] = cols ?? [0, b.cols.size];
  const cw = b.size[0] / b.cols.size;
  const ch = b.size[1] / b.rows.size;
  const [x, y, z] = b.position;
  return {
    min: [x + c0 * cw + offset[0], y - r1 * ch + offset[1], z - b.size[2] + offset[2]],
    max: [x + c1 * cw + offset[0], y - r0 * ch + offset[1], z + offset[2]],
  };
}

/** The smallest box holding all the given boxes. */
export function unionOf(...boxes: Box[]): Box {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const b of boxes) {
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, b.min[i]!);
      max[i] = Math.max(max[i]!, b.max[i]!);
    }
  }
  return { min, max };
}

/** CSS px per world unit at the camera's target distance, on this stage. */
export function ppuOf(ctx: DirectorContext, cam: CameraState): number {
  return ctx.viewport.height / (2 * Math.tan(FOV_Y / 2) * cam.distance);
}

/**
 * Angles for a phone close-up whose operands only just fit at 6 px a cell: nearly head-on, so
 * that perspective shrinks no cell below the rest.
 */
export const PHONE_TIGHT = Object.freeze({ yaw: 0.04, pitch: 0.02 });

export interface FitOptions {
  yaw?: number;
  pitch?: number;
  /** Share of the stage's limiting side the box (with its room) spans; default 0.9, on a phone 0.96 (its square stage has no pixels to spare). */
  fill?: number;
  /** CSS px kept free right of, left of, above and below the box, for callouts. */
  right?: number;
  left?: number;
  above?: number;
  below?: number;
}

const fitCache = new Map<string, CameraState>();

/**
 * A camera that fits the box as it is drawn (oblique, with perspective: frameBoxOblique), keeping
 * the given room in CSS px free around it for callouts. Room in px depends on the zoom the fit
 * ends at, so it is converted in a few fixed-point steps. Cached on the inputs, since a director
 * asks for the same cameras every frame.
 */
export function fitBox(ctx: DirectorContext, box: Box, opts: FitOptions = {}): CameraState {
  const { width, height } = ctx.viewport;
  // A phone's stage has half the pixels: a flatter angle loses less of them to foreshortening.
  const yaw = opts.yaw ?? (narrow(ctx) ? -0.1 : -0.18);
  const pitch = opts.pitch ?? (narrow(ctx) ? 0.06 : 0.1);
  const fill = opts.fill ?? (narrow(ctx) ? 0.96 : 0.9);
  const [l, r, a, b] = [opts.left ?? 0, opts.right ?? 0, opts.above ?? 0, opts.below ?? 0];
  const key = [width, height, yaw, pitch, fill, l, r, a, b, ...box.min, ...box.max].join(',');
  let cam = fitCache.get(key);
  if (!cam) {
    const shoot = (ppu: number) =>
      frameBoxOblique(
        [box.min[0] - l / ppu, box.min[1] - b / ppu, box.min[2]],
        [box.max[0] + r / ppu, box.max[1] + a / ppu, box.max[2]],
        width,
        height,
        yaw,
        pitch,
        fill,
      );
    cam = shoot(Infinity);
    for (let i = 0; i < 3 && (l || r || a || b); i++) cam = shoot(ppuOf(ctx, cam));
    if (fitCache.size > 500) fitCache.clear();
    fitCache.set(key, cam);
  }
  return { ...cam, target: [...cam.target] };
}

/** One end of a link: rows x cols of a block (default: all). */
export function end(block: string, rows?: Range, cols?: Range): LinkEnd {
  const e: { block: string; rows?: Range; cols?: Range } = { block };
  if (rows) e.rows = rows;
  if (cols) e.cols = cols;
  return e;
}

/** One cell as a link end. */
export function cellEnd(block: string, row: number, col: number): LinkEnd {
  return { block, rows: [row, row + 1], cols: [col, col + 1] };
}

/** A link drawn `progress` of the way (nothing at 0), in the colour of `role`. */
export function link(from: LinkEnd, to: LinkEnd, progress: number, role: HighlightRole = 'result'): Link[] {
  return progress > 0 ? [{ from, to, role, progress: clamp(progress) }] : [];
}

/**
 * How src/scene/labels.ts draws a callout: 12 px text whose box has its bottom corner 6 px
 * beside and above the pinned cell's centre (right of it, or left with side 'left'), about 20 px
 * tall and, by the estimate it uses to keep labels apart, 6.72 px a character plus 8 px wide.
 */
const NUDGE = 6;
const CALLOUT_H = 20;

/** Estimated width of a callout's text box, CSS px. */
export function calloutWidth(text: string): number {
  return text.length * 6.72 + 8;
}

/**
 * Where to pin a callout on block `id` so that its text box starts (side 'right') or ends (side
 * 'left') at world x `x`, centred on world y `y`, when the camera shows `ppu` px per unit. The pin
 * may lie outside the block's cells: it is only where the text hangs. `offset` is the block's
 * style offset, which labels.ts adds to the pin.
 */
export function pinAt(layout: ModelLayout, ppu: number, id: string, x: number, y: number, side: 'right' | 'left' = 'right', offset: Vec3 = [0, 0, 0]): { block: string; row: number; col: number; side?: 'left' } {
  const b = blockOf(layout, id);
  const cw = b.size[0] / b.cols.size;
  const ch = b.size[1] / b.rows.size;
  const px = x - offset[0] + (side === 'right' ? -NUDGE : NUDGE) / ppu;
  const py = y - offset[1] - (NUDGE + CALLOUT_H / 2) / ppu;
  const pin = { block: id, row: (b.position[1] - py) / ch - 0.5, col: (px - b.position[0]) / cw - 0.5 };
  return side === 'left' ? { ...pin, side: 'left' } : pin;
}

/**
 * A worked sum as callouts hanging from world point (x, y) (see pinAt): one line when it fits in
 * `maxPx`, else one part a line, stacked downward, like a sum written in a column. Returns the
 * callouts; the last holds the result.
 */
export function sayAt(
  layout: ModelLayout,
  ppu: number,
  block: string,
  x: number,
  y: number,
  parts: readonly string[],
  opts: { side?: 'right' | 'left'; role?: HighlightRole; maxPx?: number; offset?: Vec3; upward?: boolean } = {},
): Callout[] {
  const line = parts.join(' ');
  const lines = calloutWidth(line) <= (opts.maxPx ?? Infinity) ? [line] : [...parts];
  // Upward: the last line (the result) sits at y and the others above it.
  const first = opts.upward ? lines.length - 1 : 0;
  return lines.map((text, i) => ({
    ...pinAt(layout, ppu, block, x, y - ((i - first) * (CALLOUT_H + 4)) / ppu, opts.side ?? 'right', opts.offset),
    text,
    role: opts.role ?? 'result',
  }));
}

/** A number with a fixed count of decimals and a true minus sign, as the prose's :val{fmt} shows it. */
export function fixed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return s.startsWith('-') ? '−' + s.slice(1) : s;
}

/**
 * The first column (axis 'x') or row ('y') of block `id` that camera `cam` shows: for lighting a
 * long row or column only as far as the stage shows it. Measured at the camera's target depth,
 * which is where the close-ups put the blocks; two cells spare for the oblique view's slant.
 */
export function visibleFrom(ctx: DirectorContext, cam: CameraState, id: string, axis: 'x' | 'y'): number {
  const b = blockOf(ctx.layout, id);
  const ppu = ppuOf(ctx, cam);
  if (axis === 'x') {
    const left = cam.target[0] - ctx.viewport.width / 2 / ppu;
    return Math.min(b.cols.size - 1, Math.max(0, Math.ceil(left - b.position[0]) + 2));
  }
  const top = cam.target[1] + ctx.viewport.height / 2 / ppu;
  return Math.min(b.rows.size - 1, Math.max(0, Math.ceil(b.position[1] - top) + 2));
}

/**
 * Helpers for chapters that follow one token's column through the first blocks (tokens,
 * embedding, layer norm): framing part of a block, reading trace and parameter values, block
 * styles that show exactly which cells have been computed, and a column copied from one block
 * into another. All pure.
 */
import { VOCAB } from '../../gpt/config.ts';
import { paramViews } from '../../gpt/reference.ts';
import { frameBox } from '../../scene/camera.ts';
import { formatNumber } from '../../scene/formula.ts';
import type { Block, BlockStyle, CameraState, Highlight, HighlightRole, Range, Vec3 } from '../../scene/types.ts';
import type { DirectorContext } from '../director.ts';
import { clamp, countAt } from '../beats.ts';
import { computedUpTo, type FrameOptions } from './common.ts';

/** A number as the picture's labels write it: about four significant digits, a true minus sign. */
export const num = formatNumber;

export function letter(id: number): string {
  return VOCAB[id] ?? '?';
}

export function blockOf(ctx: DirectorContext, id: string): Block {
  const b = ctx.layout.blocks.find((x) => x.id === id);
  if (!b) throw new Error(`no block "${id}" in the ${ctx.layout.model} layout`);
  return b;
}

/** A rectangle of cells of a block: rows and columns default to the whole block; columns may run into the reserved space right of it. */
export interface Region {
  block: string;
  rows?: Range;
  cols?: Range;
}

/** A camera on the union of regions, like `frame` but for parts of blocks. */
export function frameRegions(ctx: DirectorContext, regions: readonly Region[], opts: FrameOptions = {}): CameraState {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const r of regions) {
    const b = blockOf(ctx, r.block);
    const [r0, r1] = r.rows ?? [0, b.rows.size];
    const [c0, c1] = r.cols ?? [0, b.cols.size];
    const lo: Vec3 = [b.position[0] + c0, b.position[1] - r1, b.position[2] - b.size[2]];
    const hi: Vec3 = [b.position[0] + c1, b.position[1] - r0, b.position[2]];
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, lo[i]!);
      max[i] = Math.max(max[i]!, hi[i]!);
    }
  }
  const cam = frameBox(min, max, ctx.viewport.width, ctx.viewport.height, opts.yaw ?? -0.18, opts.pitch ?? 0.1);
  return { ...cam, distance: cam.distance * (opts.zoom ?? 1) };
}

/** Value of a trace tensor at an index (row-major). */
export function traced(ctx: DirectorContext, tensor: string, ...index: number[]): number {
  const t = ctx.trace.tensors[tensor];
  if (!t) throw new Error(`no trace tensor "${tensor}"`);
  let flat = 0;
  for (let i = 0; i < index.length; i++) flat = flat * t.shape[i]! + index[i]!;
  return t.data[flat]!;
}

/** One column (token t) of a [T, C] trace tensor. */
export function tracedColumn(ctx: DirectorContext, tensor: string, t: number): number[] {
  const x = ctx.trace.tensors[tensor];
  if (!x) throw new Error(`no trace tensor "${tensor}"`);
  const C = x.shape[1]!;
  return Array.from(x.data.subarray(t * C, (t + 1) * C));
}

/** A learned parameter by its minGPT name. */
export function param(ctx: DirectorContext, name: string): Float32Array {
  const p = paramViews(ctx.config, ctx.params).get(name);
  if (!p) throw new Error(`no parameter "${name}"`);
  return p;
}

/**
 * Styles with the forward pass computed through block `upTo` (inclusive, all columns), then the
 * given blocks filled only partly: `{ 'h.0.ln_1.mean': 1 }` fills one column, `{ embed: [0, 5] }`
 * fills the first 5 cells of column 0.
 */
export function computedThrough(ctx: DirectorContext, upTo: string, partial: Record<string, number | [number, number]> = {}): Record<string, BlockStyle> {
  const styles: Record<string, BlockStyle> = { ...computedUpTo(ctx.layout, upTo) };
  for (const [id, fill] of Object.entries(partial)) {
    styles[id] = { reveal: typeof fill === 'number' ? { cols: fill } : { cols: fill[0], rows: fill[1] } };
  }
  return styles;
}

/**
 * A column of `to` drawn as if copied out of column `fromCol` of block `from` while u goes
 * 0 -> 1: it rises toward the viewer from the source, glides across, and settles in its place.
 * The copy is a lifted highlight of the target, so the source stays whole.
 */
export function flyingColumn(ctx: DirectorContext, from: string, fromCol: number, to: string, toCol: number, u: number, role: HighlightRole = 'result'): Highlight {
  const a = blockOf(ctx, from);
  const b = blockOf(ctx, to);
  const dx = a.position[0] + fromCol - (b.position[0] + toCol);
  const dy = a.position[1] - b.position[1];
  const k = clamp(u);
  const rise = Math.sin(Math.PI * k) * 3;
  return { block: to, cols: [toCol, toCol + 1], role, lift: [dx * (1 - k), dy * (1 - k), rise] };
}

/** Index of the item reached at progress u when n items are visited in turn (0..n-1). */
export function visiting(n: number, u: number): number {
  return Math.min(n - 1, countAt(n, u));
}

/** The first two positions holding the same letter (six letters from three always repeat one). */
export function repeatedPair(ids: readonly number[]): [number, number] | null {
  for (let q = 1; q < ids.length; q++) {
    const p = ids.indexOf(ids[q]!);
    if (p < q) return [p, q];
  }
  return null;
}

/**
 * How many of n rows a scan has reached: the first `slow` rows one at a time over the first
 * beat (so their numbers can be read), the rest quickly over the second. 0 before it starts.
 */
export function scanRows(n: number, slowBeat: number, fastBeat: number, slow = 3): number {
  if (fastBeat > 0) return Math.min(n, slow + countAt(n - slow, fastBeat));
  if (slowBeat <= 0) return 0;
  return Math.min(slow, 1 + Math.floor(slowBeat * slow));
}

/** "a − b" with b in parentheses when negative, so signs read unambiguously. */
export function operand(x: number): string {
  return x < 0 ? `(${num(x)})` : num(x);
}

/** A small positive number in plain decimals (0.00061 rather than 6.1e-4), three significant digits. */
export function plain(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** The long label on a wide canvas, the short one on a phone, where labels run off the edge. */
export function fit(ctx: DirectorContext, long: string, short: string): string {
  return ctx.viewport.width < 560 ? short : long;
}

/**
 * Helpers for chapters that follow one token's column through the first blocks (tokens,
 * embedding, layer norm): reading trace and parameter values, block
 * styles that show exactly which cells have been computed, and a column copied from one block
 * into another. All pure.
 */
import { VOCAB } from '../../gpt/config.ts';
import { formatNumber } from '../../scene/formula.ts';
import type { Block, BlockStyle, Highlight, HighlightRole } from '../../scene/types.ts';
import type { DirectorContext } from '../director.ts';
import { clamp, countAt } from '../beats.ts';
import { computedUpTo, paramsOf } from './common.ts';

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
  const p = paramsOf(ctx).get(name);
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

/** A number with a fixed count of decimals and a true minus sign, as the prose's :val{fmt} writes it. */
export function fixed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return s.startsWith('-') ? '−' + s.slice(1) : s;
}

/** A small positive number in plain decimals (0.00061 rather than 6.1e-4), three significant digits. */
export function plain(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** The long label on a wide canvas, the short one on a phone, where labels run off the edge. */
export function fit(ctx: DirectorContext, long: string, short: string): string {
  return ctx.viewport.width < 560 ? short : long;
}

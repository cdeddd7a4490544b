/**
 * The passes of the generation chapter: each step shows one real forward pass from the worker
 * (T = 6..11), computing its newest column. Until the worker has produced the generation, the
 * first pass (ctx.trace) stands in. Pure; the one cache is keyed on immutable traces.
 */
import { VOCAB } from '../../gpt/config.ts';
import type { Trace } from '../../gpt/trace.ts';
import type { BlockStyle, ModelLayout } from '../../scene/types.ts';
import { countAt } from '../beats.ts';
import type { DirectorContext } from '../director.ts';

/** One forward pass of the generation, with the layout for its T. */
export interface Pass {
  trace: Trace;
  layout: ModelLayout;
  T: number;
  /** The column this pass adds (the newest token): T - 1. */
  col: number;
  /** The token this pass picks (greedy: the largest probability in the last column). */
  pick: number;
  /** False while the worker has not generated yet: the pass is ctx.trace standing in. */
  live: boolean;
}

/** Passes of the generation: one per output letter. */
export const PASSES = 6;

function argmaxLast(trace: Trace): number {
  const probs = trace.tensors['probs']!;
  const [T, V] = probs.shape as [number, number];
  let best = 0;
  for (let v = 1; v < V; v++) if (probs.data[(T - 1) * V + v]! > probs.data[(T - 1) * V + best]!) best = v;
  return best;
}

/** Pass k (0-based) of the generation: its trace is over the input plus the first k outputs. */
export function passOf(ctx: DirectorContext, k: number): Pass {
  const g = ctx.generation;
  const trace = g ? g.traces[Math.min(k, g.traces.length - 1)]! : ctx.trace;
  const T = trace.ids.length;
  return { trace, layout: ctx.layoutOf('nano', T), T, col: T - 1, pick: argmaxLast(trace), live: g !== null };
}

/** The probability the pass gives to each letter at its newest position. */
export function lastProbs(p: Pass): number[] {
  const probs = p.trace.tensors['probs']!;
  const V = probs.shape[1]!;
  return Array.from(probs.data.subarray(p.col * V, p.col * V + V));
}

export const letter = (id: number) => VOCAB[id] ?? '?';

export function percent(v: number): string {
  if (v > 0.9999) return 'over 99.99%';
  if (v < 0.0001) return 'under 0.01%';
  return `${(v * 100).toFixed(2)}%`;
}

/** The value a sequence tensor ([T, width]) holds for channel `row` of position `col`. */
export function seqValue(trace: Trace, tensor: string, row: number, col: number): number {
  const t = trace.tensors[tensor]!;
  return t.data[col * t.shape[1]! + row]!;
}

/**
 * The largest difference between any number of the previous pass and the same number (same
 * tensor, same indices) in this pass: 0 means the old columns were recomputed exactly.
 */
const diffCache = new WeakMap<Trace, number>();
export function largestChange(prev: Trace, cur: Trace): number {
  const cached = diffCache.get(cur);
  if (cached !== undefined) return cached;
  let worst = 0;
  for (const [name, a] of Object.entries(prev.tensors)) {
    const b = cur.tensors[name];
    if (!b) continue;
    const n = a.data.length;
    const idx = new Array<number>(a.shape.length).fill(0);
    for (let i = 0; i < n; i++) {
      let flat = 0;
      for (let d = 0; d < idx.length; d++) flat = flat * b.shape[d]! + idx[d]!;
      const x = a.data[i]!;
      const y = b.data[flat]!;
      // Masked scores are -Infinity in both passes.
      if (x !== y) worst = Math.max(worst, Math.abs(x - y));
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d]! < a.shape[d]!) break;
        idx[d] = 0;
      }
    }
  }
  diffCache.set(cur, worst);
  return worst;
}

/**
 * Styles for a pass that is computing its newest column: blocks before `id` are complete, `id`
 * has its old columns plus the new column filling row by row as u goes 0 -> 1, and everything
 * after it still shows only the old columns. Weights are always complete.
 */
export function newColumnUpTo(layout: ModelLayout, id: string, u: number): Record<string, BlockStyle> {
  const at = layout.blocks.findIndex((b) => b.id === id);
  if (at < 0) throw new Error(`no block "${id}" in the ${layout.model} layout`);
  const out: Record<string, BlockStyle> = {};
  layout.blocks.forEach((b, i) => {
    if (b.kind === 'weight') return;
    const old = b.cols.size - 1;
    if (i > at) out[b.id] = { reveal: { cols: old } };
    else if (i === at && u < 1) out[b.id] = { reveal: { cols: old, rows: countAt(b.rows.size, u) } };
  });
  return out;
}

/** Fills the new column of `ids` one after another as u goes 0 -> 1; returns the block now filling. */
export function fillInTurn(layout: ModelLayout, ids: readonly string[], u: number): { blocks: Record<string, BlockStyle>; current: string; done: boolean } {
  const n = ids.length;
  const k = Math.min(n - 1, Math.floor(u * n));
  const current = ids[k]!;
  return { blocks: u >= 1 ? newColumnUpTo(layout, ids[n - 1]!, 1) : newColumnUpTo(layout, current, u * n - k), current, done: u >= 1 };
}

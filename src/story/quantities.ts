/**
 * Numbers quoted in the prose. A chapter writes :val{q="output"} or :val{tensor="embed" at="5,0"}
 * instead of typing a number; the build fills in the value the model computes for the default
 * input, and the page recomputes it from the worker's trace when the reader picks other letters.
 */
import { NANO, decode, paramCount, type GPTConfig } from '../gpt/config.ts';
import type { Trace } from '../gpt/trace.ts';
import { bigCount, modelParams, modelWork } from './directors/scale-figures.ts';

export interface QuantityContext {
  config: GPTConfig;
  /** The reader's six letters. */
  input: string;
  /** The forward pass over the six input tokens (the pass that predicts the first output). */
  trace: Trace;
  /** Greedy output tokens for the input, when known. */
  output?: number[];
}

export interface QuantityRef {
  /** A named quantity (see QUANTITIES). */
  q?: string;
  /** Or a trace tensor and an index into it, comma-separated ("5,0" = row 5, column 0). */
  tensor?: string;
  at?: string;
  /** Decimals to show (default 2); "%" shows a probability as a percentage. */
  fmt?: string;
}

const fmtNumber = (v: number, fmt = '2'): string => {
  if (fmt === '%') {
    // Probabilities near 0 or 1 would round to a misleading "100.00%".
    if (v > 0.9999) return 'over 99.99%';
    if (v < 0.0001) return 'under 0.01%';
    return `${(v * 100).toFixed(2)}%`;
  }
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const s = v.toFixed(Number(fmt));
  return s.startsWith('-') ? '−' + s.slice(1) : s; // a true minus sign reads better than a hyphen
};

/** The probabilities the model gives the next token after the input (last row of probs). */
function nextProbs(ctx: QuantityContext): Float32Array {
  const probs = ctx.trace.tensors['probs']!;
  const [T, V] = probs.shape as [number, number];
  return probs.data.subarray((T - 1) * V, T * V);
}

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

export const QUANTITIES: Record<string, (ctx: QuantityContext, fmt?: string) => string> = {
  params: (ctx) => paramCount(ctx.config).toLocaleString('en-US'),
  input: (ctx) => ctx.input,
  ids: (ctx) => ctx.trace.ids.join(', '),
  output: (ctx) => (ctx.output ? decode(ctx.output) : '…'),
  'next-letter': (ctx) => decode([argmax(nextProbs(ctx))]),
  'next-prob': (ctx, fmt) => fmtNumber(Math.max(...nextProbs(ctx)), fmt ?? '%'),
  'prob-A': (ctx, fmt) => fmtNumber(nextProbs(ctx)[0]!, fmt ?? '%'),
  'prob-B': (ctx, fmt) => fmtNumber(nextProbs(ctx)[1]!, fmt ?? '%'),
  'prob-C': (ctx, fmt) => fmtNumber(nextProbs(ctx)[2]!, fmt ?? '%'),
  channels: (ctx) => String(ctx.config.n_embd),
  heads: (ctx) => String(ctx.config.n_head),
  'head-size': (ctx) => String(ctx.config.n_embd / ctx.config.n_head),
  layers: (ctx) => String(ctx.config.n_layer),
  'mlp-width': (ctx) => String(4 * ctx.config.n_embd),
  'nano-params': () => paramCount(NANO).toLocaleString('en-US'),
  'nano-flops': (_ctx, fmt) => bigCount(modelWork('nano'), fmt),
  'gpt2-small-params': (_ctx, fmt) => bigCount(modelParams('gpt2-small'), fmt),
  'gpt2-small-flops': (_ctx, fmt) => bigCount(modelWork('gpt2-small'), fmt),
  'gpt2-xl-params': (_ctx, fmt) => bigCount(modelParams('gpt2-xl'), fmt),
  'gpt2-xl-flops': (_ctx, fmt) => bigCount(modelWork('gpt2-xl'), fmt),
  'gpt3-params': (_ctx, fmt) => bigCount(modelParams('gpt3'), fmt),
  'gpt3-flops': (_ctx, fmt) => bigCount(modelWork('gpt3'), fmt),
  'gpt3-vs-nano': (_ctx, fmt) => bigCount(modelParams('gpt3') / modelParams('nano'), fmt),
  'first-letter': (ctx) => ctx.input[0] ?? '',
  'first-id': (ctx) => String(ctx.trace.ids[0]),
  context: (ctx) => String(ctx.config.block_size),
  'first-normalized': (ctx, fmt) => fmtNumber((ctx.trace.tensors['embed']!.data[0]! - ctx.trace.tensors['h.0.ln_1.mean']!.data[0]!) * ctx.trace.tensors['h.0.ln_1.rstd']!.data[0]!, fmt),
};

/** The text for a quantity reference, or an Error naming what is wrong with it. */
export function evalQuantity(ref: QuantityRef, ctx: QuantityContext): string {
  if (ref.q !== undefined) {
    const f = QUANTITIES[ref.q];
    if (!f) throw new Error(`unknown quantity "${ref.q}": expected one of ${Object.keys(QUANTITIES).join(', ')}`);
    return f(ctx, ref.fmt);
  }
  if (ref.tensor === undefined) throw new Error('a :val needs q="name" or tensor="name" at="i,j"');
  const t = ctx.trace.tensors[ref.tensor];
  if (!t) throw new Error(`unknown trace tensor "${ref.tensor}"`);
  const idx = (ref.at ?? '').split(',').filter((s) => s !== '').map(Number);
  if (idx.length !== t.shape.length || idx.some((v, i) => !Number.isInteger(v) || v < 0 || v >= t.shape[i]!)) {
    throw new Error(`index [${ref.at}] does not fit tensor ${ref.tensor} of shape [${t.shape.join(', ')}]`);
  }
  let flat = 0;
  for (let i = 0; i < idx.length; i++) flat = flat * t.shape[i]! + idx[i]!;
  return fmtNumber(t.data[flat]!, ref.fmt);
}

/**
 * Numbers quoted in the prose. A chapter writes :val{q="output"} or :val{tensor="embed" at="5,0"}
 * instead of typing a number; the build fills in the value the model computes for the default
 * input, and the page recomputes it from the worker's trace when the reader picks other letters.
 */
import { NANO, decode, paramCount, type GPTConfig } from '../gpt/config.ts';
import type { Trace } from '../gpt/trace.ts';
import type { ModelLayout } from '../scene/types.ts';
import { modelSpec } from '../scene/models.ts';
import { formatNumber } from '../scene/formula.ts';
import { bigCount, layersHolding, layerWeights, modelParams, modelWork, rowsHolding } from './directors/scale-figures.ts';
import { grouped } from '../scene/numbers.ts';

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
  params: (ctx) => grouped(paramCount(ctx.config)),
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
  'nano-params': () => grouped(paramCount(NANO)),
  // "-madds" count multiply-adds per token; "-flops" the same work as the literature counts it,
  // two floating-point operations (a multiply and an add) per multiply-add.
  'nano-madds': (_ctx, fmt) => bigCount(modelWork('nano'), fmt),
  'nano-flops': (_ctx, fmt) => bigCount(2 * modelWork('nano'), fmt),
  'nano-recompute-madds': (ctx, fmt) => bigCount(recomputeWork(ctx.config, ctx.config.block_size), fmt),
  'gpt2-small-params': (_ctx, fmt) => bigCount(modelParams('gpt2-small'), fmt),
  'gpt2-small-madds': (_ctx, fmt) => bigCount(modelWork('gpt2-small'), fmt),
  'gpt2-small-flops': (_ctx, fmt) => bigCount(2 * modelWork('gpt2-small'), fmt),
  'gpt2-xl-params': (_ctx, fmt) => bigCount(modelParams('gpt2-xl'), fmt),
  'gpt2-xl-madds': (_ctx, fmt) => bigCount(modelWork('gpt2-xl'), fmt),
  'gpt2-xl-flops': (_ctx, fmt) => bigCount(2 * modelWork('gpt2-xl'), fmt),
  'gpt3-params': (_ctx, fmt) => bigCount(modelParams('gpt3'), fmt),
  'gpt3-madds': (_ctx, fmt) => bigCount(modelWork('gpt3'), fmt),
  'gpt3-flops': (_ctx, fmt) => bigCount(2 * modelWork('gpt3'), fmt),
  'gpt3-vs-nano': (_ctx, fmt) => bigCount(modelParams('gpt3') / modelParams('nano'), fmt),
  'gpt2-small-in-xl-layers': () => layersHolding('gpt2-xl', 'gpt2-small').toFixed(1),
  'gpt2-xl-in-gpt3-layers': () => layersHolding('gpt3', 'gpt2-xl').toFixed(2),
  'gpt2-xl-tinted-layers': () => String(Math.max(1, Math.round(layersHolding('gpt2-xl', 'gpt2-small')))),
  'gpt3-layers': () => String(modelSpec('gpt3').config.n_layer),
  'gpt3-layer-params': (_ctx, fmt) => bigCount(layerWeights('gpt3'), fmt),
  'nano-rows-gpt2-small': () => String(rowsHolding('gpt2-small', 'nano')),
  'first-letter': (ctx) => ctx.input[0] ?? '',
  'first-id': (ctx) => String(ctx.trace.ids[0]),
  context: (ctx) => String(ctx.config.block_size),
  'first-normalized': (ctx, fmt) => fmtNumber((ctx.trace.tensors['embed']!.data[0]! - ctx.trace.tensors['h.0.ln_1.mean']!.data[0]!) * ctx.trace.tensors['h.0.ln_1.rstd']!.data[0]!, fmt),
  // Lengths of the last column (square root of the sum of its C squares) at points of layer 1 and
  // the spine; by default to four significant digits, as the stack chapter's spine labels write them.
  'mlp-out-length': (ctx, fmt) => lengthText(lastColumnLength(ctx.trace, 'h.0.mlp.proj'), fmt),
  'mlp-stream-length': (ctx, fmt) => lengthText(lastColumnLength(ctx.trace, 'h.0.resid_1'), fmt),
  'stream-length-start': (ctx, fmt) => lengthText(lastColumnLength(ctx.trace, 'embed'), fmt),
  'stream-length-end': (ctx, fmt) => lengthText(lastColumnLength(ctx.trace, `h.${ctx.config.n_layer - 1}.resid_2`), fmt),
};

const lengthText = (v: number, fmt?: string): string => (fmt === undefined ? formatNumber(v) : fmtNumber(v, fmt));

/** The length of the last column of a [T, C] trace tensor: √(Σ x²) over its C channels. */
export function lastColumnLength(trace: Trace, tensor: string): number {
  const t = trace.tensors[tensor]!;
  const [T, C] = t.shape as [number, number];
  let s = 0;
  for (let c = 0; c < C; c++) s += t.data[(T - 1) * C + c]! ** 2;
  return Math.sqrt(s);
}

/**
 * Multiply-adds of one forward pass over T tokens that recomputes every column, as this page
 * does (no KV cache): per column and layer 12·C² for q, k, v, the projection and the MLP, per
 * layer 2·(t + 1)·C for column t's scores against t + 1 keys and its sum of t + 1 values, and
 * V·C per column for the output head (the page computes logits for every column).
 */
export function recomputeWork(cfg: GPTConfig, T: number): number {
  const { n_layer: L, n_embd: C, vocab_size: V } = cfg;
  let attention = 0;
  for (let t = 0; t < T; t++) attention += 2 * (t + 1) * C;
  return T * (L * 12 * C * C + V * C) + L * attention;
}

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

/** One cell of a block of the layout (row and column as drawn). */
export interface CellRef {
  block: string;
  row: number;
  col: number;
}

/**
 * Where a quoted number can be seen in the picture: a list of places, any one of which shows it
 * (a trace tensor may be drawn by more than one block); a place is the cells that together hold
 * the number (one cell, or the six letters of the input row). A string instead says why the
 * number is not in any cell (a size of the model, a count, an answer written over several passes).
 */
export type ValPlaces = CellRef[][] | string;

const CONFIG = 'a size of the model, from its configuration, not a number it computes';
const COUNT = 'a count computed from a model\'s configuration, not one cell';
/** The input row's cells: the letters (and their ids) are drawn as its T columns. */
const tokenRow = (layout: ModelLayout): CellRef[][] => [Array.from({ length: layout.T }, (_, col) => ({ block: 'tokens', row: 0, col }))];
/** A cell of the next-token probabilities: row = vocabulary entry, column = the last position. */
const probCell = (layout: ModelLayout, letter: number): CellRef[][] => [[{ block: 'probs', row: letter, col: layout.T - 1 }]];

/** The cells behind each named quantity (next to QUANTITIES: a new quantity needs an entry here too). */
export const QUANTITY_CELLS: Record<string, ((layout: ModelLayout, ctx: QuantityContext) => CellRef[][]) | string> = {
  params: COUNT,
  input: tokenRow,
  ids: tokenRow,
  output: 'the answer is written one letter per forward pass, six passes, not read from one cell',
  'next-letter': (layout, ctx) => probCell(layout, argmax(nextProbs(ctx))),
  'next-prob': (layout, ctx) => probCell(layout, argmax(nextProbs(ctx))),
  'prob-A': (layout) => probCell(layout, 0),
  'prob-B': (layout) => probCell(layout, 1),
  'prob-C': (layout) => probCell(layout, 2),
  channels: CONFIG,
  heads: CONFIG,
  'head-size': CONFIG,
  layers: CONFIG,
  'mlp-width': CONFIG,
  context: CONFIG,
  'nano-params': COUNT,
  'nano-madds': COUNT,
  'nano-flops': COUNT,
  'nano-recompute-madds': COUNT,
  'gpt2-small-params': COUNT,
  'gpt2-small-madds': COUNT,
  'gpt2-small-flops': COUNT,
  'gpt2-xl-params': COUNT,
  'gpt2-xl-madds': COUNT,
  'gpt2-xl-flops': COUNT,
  'gpt3-params': COUNT,
  'gpt3-madds': COUNT,
  'gpt3-flops': COUNT,
  'gpt3-vs-nano': COUNT,
  'gpt2-small-in-xl-layers': COUNT,
  'gpt2-xl-in-gpt3-layers': COUNT,
  'gpt3-layer-params': COUNT,
  'gpt2-xl-tinted-layers': COUNT,
  'gpt3-layers': CONFIG,
  'nano-rows-gpt2-small': COUNT,
  'first-letter': () => [[{ block: 'tokens', row: 0, col: 0 }]],
  'first-id': () => [[{ block: 'tokens', row: 0, col: 0 }]],
  // (x − mean) · rstd of the first channel of the first letter: drawn nowhere by itself, so its three inputs.
  'first-normalized': () => [[{ block: 'embed', row: 0, col: 0 }, { block: 'h.0.ln_1.mean', row: 0, col: 0 }, { block: 'h.0.ln_1.rstd', row: 0, col: 0 }]],
  // A length is computed from a whole column: shown by the column itself, lit.
  'mlp-out-length': (layout) => [lastColumn(layout, 'h.0.mlp.proj')],
  'mlp-stream-length': (layout) => [lastColumn(layout, 'h.0.resid_1')],
  // On the spine, or as the label the spine step pins to the column's top cell.
  'stream-length-start': (layout) => [lastColumn(layout, 'embed'), [{ block: 'embed', row: 0, col: layout.T - 1 }]],
  'stream-length-end': (layout, ctx) => {
    const id = `h.${ctx.config.n_layer - 1}.resid_2`;
    return [lastColumn(layout, id), [{ block: id, row: 0, col: layout.T - 1 }]];
  },
};

/** Every cell of the last column of a [C rows x T columns] block. */
function lastColumn(layout: ModelLayout, block: string): CellRef[] {
  const b = layout.blocks.find((x) => x.id === block);
  if (!b) throw new Error(`no block ${block} in the layout`);
  return Array.from({ length: b.rows.size }, (_, row) => ({ block, row, col: layout.T - 1 }));
}

/**
 * The places in `layout` that show the number a :val quotes. A tensor reference maps through the
 * blocks' CellSources: every cell whose source index is the reference's flat index in the tensor.
 */
export function valPlaces(ref: QuantityRef, layout: ModelLayout, ctx: QuantityContext, cells: typeof QUANTITY_CELLS = QUANTITY_CELLS): ValPlaces {
  if (ref.q !== undefined) {
    const m = cells[ref.q];
    if (m === undefined) throw new Error(`quantity "${ref.q}" has no entry in QUANTITY_CELLS`);
    return typeof m === 'string' ? m : m(layout, ctx);
  }
  const t = ref.tensor !== undefined ? ctx.trace.tensors[ref.tensor] : undefined;
  if (!t) throw new Error(`unknown trace tensor "${ref.tensor}"`);
  const idx = (ref.at ?? '').split(',').filter((s) => s !== '').map(Number);
  let flat = 0;
  for (let i = 0; i < idx.length; i++) flat = flat * t.shape[i]! + idx[i]!;
  const places: CellRef[][] = [];
  for (const b of layout.blocks) {
    const s = b.source;
    if (!s || s.from !== 'trace' || s.tensor !== ref.tensor) continue;
    for (let row = 0; row < b.rows.size; row++) {
      for (let col = 0; col < b.cols.size; col++) {
        if (s.offset + row * s.rowStride + col * s.colStride === flat) places.push([{ block: b.id, row, col }]);
      }
    }
  }
  return places;
}

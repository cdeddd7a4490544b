/**
 * What the hover tooltip says about one cell: where it is (layer, head, token, channel), the exact
 * number it shows, how that number was computed from which other cells, with their numbers.
 *
 * The operands are found through the layout's `inputs` (their order is part of the layout's
 * contract: a linear layer lists weight, bias, then its input blocks top to bottom; a layer norm
 * lists input, mean, rstd, gamma, beta; a softmax lists x, max, sum) and are read with readCell,
 * so every number in a tooltip is one the reader can find in the scene.
 */
import { LN_EPS, paramSpecs, VOCAB } from '../gpt/config.ts';
import { paramViews } from '../gpt/reference.ts';
import type { Trace } from '../gpt/trace.ts';
import { blockById, cellIndex, readCell, type ParamViews } from './cells.ts';
import { modelSpec } from './models.ts';
import { formatFormulaLines, type Formula, type Products } from './formula.ts';
import type { Axis, Block, ModelLayout, Range } from './types.ts';

export { evaluateFormula, formatNumber, type Formula } from './formula.ts';

/** Cells a value was computed from, for the renderer's 'source' highlight. Omitted range = all. */
export interface SourceRange {
  block: string;
  rows?: Range;
  cols?: Range;
}

export interface Explanation {
  block: string;
  row: number;
  col: number;
  /** The block's label. */
  title: string;
  /** Reader-facing position of the cell, 1-based: "layer 1, head 2, position 3 (B), dimension 5 of 16". */
  where: string;
  layer: number | null;
  head: number | null;
  /** Token position (0-based) the cell belongs to, or null for weights. For attention: the query. */
  position: number | null;
  /** Exactly the number the block shows. */
  value: number;
  formula: Formula;
  sources: SourceRange[];
}

/** The values a formula reads: blocks by id, the trace and the parameters. */
interface Reader {
  trace: Trace;
  read: (id: string, row: number, col: number) => number;
  block: (id: string) => Block;
}

type Built = { formula: Formula; sources: SourceRange[] };

const one = (i: number): Range => [i, i + 1];
const cell = (block: string, row: number, col: number): SourceRange => ({ block, rows: one(row), cols: one(col) });
const column = (block: string, col: number, rows?: Range): SourceRange => (rows ? { block, rows, cols: one(col) } : { block, cols: one(col) });
const letterOf = (trace: Trace, t: number) => (t < trace.ids.length ? VOCAB[trace.ids[t]!] ?? '?' : null);

/** A learned parameter: its name and multi-dimensional index. */
function paramFormula(b: Block, row: number, col: number, r: Reader): Built {
  const s = b.source!;
  const spec = paramSpecs(r.trace.config).find((p) => p.name === s.tensor);
  if (!spec) throw new Error(`block "${b.id}" reads unknown parameter "${s.tensor}"`);
  let flat = cellIndex(b, row, col);
  const index = spec.shape.map(() => 0);
  for (let d = spec.shape.length - 1; d >= 0; d--) {
    index[d] = flat % spec.shape[d]!;
    flat = Math.floor(flat / spec.shape[d]!);
  }
  return { formula: { kind: 'param', param: s.tensor, index, value: r.read(b.id, row, col) }, sources: [] };
}

/** bias + Σ W[row][i] · X[i][col], X the input blocks stacked top to bottom. */
function linearFormula(b: Block, row: number, col: number, r: Reader): Built {
  const inputs = b.inputs.map((id) => r.block(id));
  const weights = inputs.filter((x) => x.kind === 'weight');
  const w = weights.find((x) => x.cols.size > 1);
  const bias = weights.find((x) => x.cols.size === 1) ?? null;
  const xs = inputs.filter((x) => x.kind !== 'weight');
  const inSize = xs.reduce((n, x) => n + x.rows.size, 0);
  if (!w || w.cols.size !== inSize) throw new Error(`block "${b.id}": its inputs do not form a linear layer (weights ${w?.cols.size ?? 'missing'} wide, inputs ${inSize} tall)`);
  const products: Products = [];
  let i = 0;
  for (const x of xs) {
    for (let k = 0; k < x.rows.size; k++, i++) products.push([r.read(w.id, row, i), r.read(x.id, k, col)]);
  }
  const sources: SourceRange[] = [{ block: w.id, rows: one(row) }, ...xs.map((x) => column(x.id, col))];
  if (bias) sources.splice(1, 0, { block: bias.id, rows: one(row) });
  const formula: Formula = { kind: 'matmul', bias: bias ? r.read(bias.id, row, 0) : null, products, value: r.read(b.id, row, col) };
  return { formula, sources };
}

/** The trace tensor a block shows, reduced to the operation that produced it. */
function operation(tensor: string): string {
  if (tensor === 'tok_emb' || tensor === 'pos_emb') return tensor;
  if (/(^|\.)ln_(1|2|f)\.mean$/.test(tensor)) return 'ln-mean';
  if (/(^|\.)ln_(1|2|f)\.rstd$/.test(tensor)) return 'ln-rstd';
  if (/(^|\.)ln_(1|2|f)$/.test(tensor)) return 'layernorm';
  if (tensor === 'embed' || /\.resid_[12]$/.test(tensor)) return 'add';
  if (/\.attn\.[qkv]$|\.attn\.proj$|\.mlp\.fc$|\.mlp\.proj$|^logits$/.test(tensor)) return 'linear';
  if (/\.attn\.scores$/.test(tensor)) return 'scores';
  if (/(^|\.)probs\.max$/.test(tensor)) return 'max';
  if (/(^|\.)probs\.sum$/.test(tensor)) return 'sumexp';
  if (/(^|\.)probs$/.test(tensor)) return 'softmax';
  if (/\.attn\.heads$/.test(tensor)) return 'weighted-sum';
  if (/\.mlp\.gelu$/.test(tensor)) return 'gelu';
  throw new Error(`no explanation for trace tensor "${tensor}"`);
}

/** Rows of a softmax input that take part for query column `col`: keys 0..col under the causal mask, every letter otherwise. */
function softmaxRows(x: Block, col: number): number {
  return x.rows.name === 'T' ? col + 1 : x.rows.size;
}

function traceFormula(b: Block, row: number, col: number, r: Reader): Built {
  const [in0, in1, in2, in3, in4] = b.inputs;
  const read = r.read;
  const columnOf = (id: string, n: number) => Array.from({ length: n }, (_, k) => read(id, k, col));
  switch (operation(b.source!.tensor)) {
    case 'tok_emb': {
      const id = r.trace.ids[col]!;
      const formula: Formula = { kind: 'lookup', table: 'wte', by: 'token', entry: id, channel: row, value: read(b.id, row, col) };
      return { formula, sources: [column(in0!, col), cell(in1!, row, id)] };
    }
    case 'pos_emb':
      return { formula: { kind: 'lookup', table: 'wpe', by: 'position', entry: col, channel: row, value: read(b.id, row, col) }, sources: [cell(in0!, row, col)] };
    case 'add':
      return { formula: { kind: 'add', a: read(in0!, row, col), b: read(in1!, row, col) }, sources: [cell(in0!, row, col), cell(in1!, row, col)] };
    case 'ln-mean': {
      const n = r.block(in0!).rows.size;
      return { formula: { kind: 'mean', xs: columnOf(in0!, n) }, sources: [column(in0!, col)] };
    }
    case 'ln-rstd': {
      const n = r.block(in0!).rows.size;
      const formula: Formula = { kind: 'rstd', xs: columnOf(in0!, n), mean: read(in1!, 0, col), eps: LN_EPS };
      return { formula, sources: [column(in0!, col), column(in1!, col)] };
    }
    case 'layernorm': {
      const formula: Formula = { kind: 'layernorm', x: read(in0!, row, col), mean: read(in1!, 0, col), rstd: read(in2!, 0, col), gamma: read(in3!, row, 0), beta: read(in4!, row, 0) };
      return { formula, sources: [cell(in0!, row, col), column(in1!, col), column(in2!, col), { block: in3!, rows: one(row) }, { block: in4!, rows: one(row) }] };
    }
    case 'linear':
      return linearFormula(b, row, col, r);
    case 'scores': {
      // row = key position s, col = query position t; keys after the query are masked.
      if (row > col) return { formula: { kind: 'masked' }, sources: [] };
      const hs = r.block(in0!).rows.size;
      const products: Products = Array.from({ length: hs }, (_, i) => [read(in0!, i, col), read(in1!, i, row)]);
      return { formula: { kind: 'scaled-dot', products, scale: 1 / Math.sqrt(hs) }, sources: [column(in0!, col), column(in1!, row)] };
    }
    case 'max': {
      const n = softmaxRows(r.block(in0!), col);
      return { formula: { kind: 'max', xs: columnOf(in0!, n) }, sources: [column(in0!, col, [0, n])] };
    }
    case 'sumexp': {
      const n = softmaxRows(r.block(in0!), col);
      const formula: Formula = { kind: 'sumexp', xs: columnOf(in0!, n), max: read(in1!, 0, col) };
      return { formula, sources: [column(in0!, col, [0, n]), column(in1!, col)] };
    }
    case 'softmax': {
      const formula: Formula = { kind: 'softmax', x: read(in0!, row, col), max: read(in1!, 0, col), sum: read(in2!, 0, col) };
      return { formula, sources: [cell(in0!, row, col), column(in1!, col), column(in2!, col)] };
    }
    case 'weighted-sum': {
      // in0 = probabilities (key s x query t), in1 = values (hs x T): out[i][t] = Σ_s p[s][t] · v[i][s].
      const n = col + 1;
      const weights = columnOf(in0!, n);
      const values = Array.from({ length: n }, (_, s) => read(in1!, row, s));
      return { formula: { kind: 'weighted-sum', weights, values }, sources: [column(in0!, col, [0, n]), { block: in1!, rows: one(row), cols: [0, n] }] };
    }
    case 'gelu':
      return { formula: { kind: 'gelu', x: read(in0!, row, col) }, sources: [cell(in0!, row, col)] };
    default:
      throw new Error(`block "${b.id}": unhandled operation`);
  }
}

/** One axis index in words, 1-based, with the letter for token positions and vocabulary rows; `role` e.g. 'query', 'input'. */
function describeAxis(axis: Axis, i: number, trace: Trace, role: string | null): string | null {
  if (axis.size === 1) return null;
  const pre = role ? `${role} ` : '';
  const of = `${i + 1} of ${axis.size}`;
  switch (axis.name) {
    case 'T':
    case 'T_max': {
      const letter = letterOf(trace, i);
      return `${pre}position ${i + 1}${letter ? ` (${letter})` : ''}`;
    }
    case 'V':
      return `${pre}letter ${VOCAB[i] ?? '?'} (token id ${i})`;
    case 'C':
      return `${pre}channel ${of}`;
    case 'hs':
      return `${pre}dimension ${of}`;
    case '4C':
      return `${pre}hidden unit ${of}`;
    default:
      return `${pre}${axis.name} ${of}`;
  }
}

/** "layer 1, head 2, position 3 (B), dimension 5 of 16": columns first, as a token is a column. */
function describe(b: Block, row: number, col: number, trace: Trace): string {
  const parts: string[] = [];
  if (b.layer !== null) parts.push(`layer ${b.layer + 1}`);
  if (b.head !== null) parts.push(`head ${b.head + 1}`);
  // Attention grids pair a key (row) with a query (column); linear weights an output with an input.
  const attention = b.rows.name === 'T' && b.cols.name === 'T';
  const linearWeight = b.kind === 'weight' && (b.cols.name === 'C' || b.cols.name === '4C');
  const [rowRole, colRole] = attention ? ['key', 'query'] : linearWeight ? ['output', 'input'] : [null, null];
  for (const text of [describeAxis(b.cols, col, trace, colRole), describeAxis(b.rows, row, trace, rowRole)]) if (text) parts.push(text);
  return parts.join(', ');
}

/**
 * The tooltip of cell (row, col) of block `blockId`, for nano's layout with the trace of the same
 * sequence and nano's parameters (packed, or as named views).
 */
/**
 * Parameter views, built once per parameter buffer rather than per explained cell (directors
 * explain cells every frame; blockById is kept per layout the same way): buffers never change
 * shape, and the views are subarrays, so they follow the buffer's numbers.
 */
const viewCache = new WeakMap<Float32Array, { config: ModelLayout['config']; views: ParamViews }>();

function viewsOf(layout: ModelLayout, params: Float32Array): ParamViews {
  const hit = viewCache.get(params);
  if (hit && hit.config === layout.config) return hit.views;
  const views = paramViews(layout.config, params);
  viewCache.set(params, { config: layout.config, views });
  return views;
}

export function explainCell(layout: ModelLayout, blockId: string, row: number, col: number, trace: Trace, params: Float32Array | ParamViews): Explanation {
  const byId = blockById(layout);
  const b = byId.get(blockId);
  if (!b) throw new RangeError(`no block "${blockId}" in the ${layout.model} layout`);
  if (!modelSpec(layout.model).hasWeights) throw new Error(`block "${blockId}" of ${layout.model} is drawn only: there are no values to explain`);
  if (trace.ids.length !== layout.T) throw new RangeError(`trace has ${trace.ids.length} tokens but the layout was made for T = ${layout.T}`);
  if (row < 0 || row >= b.rows.size || col < 0 || col >= b.cols.size || !Number.isInteger(row) || !Number.isInteger(col)) {
    throw new RangeError(`cell (${row}, ${col}) is outside block "${blockId}" (${b.rows.size} x ${b.cols.size})`);
  }
  const views: ParamViews = params instanceof Float32Array ? viewsOf(layout, params) : params;
  const block = (id: string) => {
    const x = byId.get(id);
    if (!x) throw new Error(`block "${blockId}" lists input "${id}", which is not in the layout`);
    return x;
  };
  const reader: Reader = { trace, block, read: (id, r, c) => readCell(block(id), r, c, trace, views) };

  let built: Built;
  let value: number;
  if (b.source === null) {
    if (b.stage !== 'input') throw new Error(`block "${blockId}" has no source and is not the input row: nothing to explain`);
    const id = trace.ids[col]!;
    built = { formula: { kind: 'token', id, letter: VOCAB[id] ?? '?' }, sources: [] };
    value = id;
  } else {
    built = b.source.from === 'param' ? paramFormula(b, row, col, reader) : traceFormula(b, row, col, reader);
    value = readCell(b, row, col, trace, views);
  }
  const sequence = b.cols.name === 'T';
  return {
    block: b.id,
    row,
    col,
    title: b.label,
    where: describe(b, row, col, trace),
    layer: b.layer,
    head: b.head,
    position: sequence ? col : null,
    value,
    formula: built.formula,
    sources: built.sources,
  };
}

/** Tooltip text lines: where the cell is, then how its value was computed, numbers to ~4 digits. */
export function formatFormula(e: Explanation): string[] {
  return [e.where, ...formatFormulaLines(e.formula, e.value)].filter((line) => line.length > 0);
}

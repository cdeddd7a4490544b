/**
 * Tooltips against the real model: for cells of every nano block, the shown value is the trace's
 * (or the parameters') number, the formula rebuilt from its own numbers gives that value back, and
 * the cells it names as sources exist.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encode, NANO } from '../../src/gpt/config.ts';
import { mulberry32 } from '../../src/gpt/random.ts';
import { paramViews } from '../../src/gpt/reference.ts';
import type { Trace } from '../../src/gpt/trace.ts';
import { explainCell, formatFormula, type Explanation } from '../../src/scene/explain.ts';
import { evaluateFormula, formatNumber, type Formula } from '../../src/scene/formula.ts';
import { blockById, cellIndex, layoutModel, type ParamViews } from '../../src/scene/layout.ts';
import type { Block, ModelLayout } from '../../src/scene/types.ts';
import { readWeights, wasmEngine } from '../../scripts/lib/engine.ts';

const INPUT = 'CBABBC';
let trace: Trace;
let params: Float32Array;
let views: ParamViews;
let layout: ModelLayout;
let byId: ReadonlyMap<string, Block>;

beforeAll(async () => {
  params = readWeights().params;
  views = paramViews(NANO, params);
  const engine = await wasmEngine(NANO, params);
  const enc = encode(INPUT);
  if (!('ids' in enc)) throw new Error(enc.error);
  trace = engine.forward(enc.ids);
  layout = layoutModel('nano', enc.ids.length);
  byId = blockById(layout);
});

/** The formula kind each block's cells must have. */
function expectedKind(id: string, row: number, col: number): Formula['kind'] {
  const b = byId.get(id)!;
  if (id === 'tokens') return 'token';
  if (b.kind === 'weight') return 'param';
  if (id === 'tok_emb' || id === 'pos_emb') return 'lookup';
  if (id === 'embed' || /resid_[12]$/.test(id)) return 'add';
  if (/ln_[12f]\.mean$/.test(id)) return 'mean';
  if (/ln_[12f]\.rstd$/.test(id)) return 'rstd';
  if (/ln_[12f]$/.test(id)) return 'layernorm';
  if (/\.[qkv]$|attn\.proj$|mlp\.fc$|mlp\.proj$|^logits$/.test(id)) return 'matmul';
  if (id.endsWith('scores')) return row > col ? 'masked' : 'scaled-dot';
  if (id.endsWith('probs.max')) return 'max';
  if (id.endsWith('probs.sum')) return 'sumexp';
  if (id.endsWith('probs')) return 'softmax';
  if (id.endsWith('.out')) return 'weighted-sum';
  if (id.endsWith('gelu')) return 'gelu';
  throw new Error(`test has no expectation for block ${id}`);
}

/** Corners, centre and a few seeded random cells of a block. */
function sampleCells(b: Block, rand: () => number): [number, number][] {
  const R = b.rows.size;
  const C = b.cols.size;
  const cells: [number, number][] = [[0, 0], [R - 1, C - 1], [R - 1, 0], [0, C - 1], [R >> 1, C >> 1]];
  for (let i = 0; i < 6; i++) cells.push([Math.floor(rand() * R), Math.floor(rand() * C)]);
  return cells;
}

/** The number stored for cell (row, col), read straight from the tensor, not through readCell. */
function stored(b: Block, row: number, col: number): number {
  if (b.id === 'tokens') return trace.ids[col]!;
  const s = b.source!;
  const data = s.from === 'trace' ? trace.tensors[s.tensor]!.data : views.get(s.tensor)!;
  return data[cellIndex(b, row, col)]!;
}

/**
 * The recomputed value must match to 1e-4 relative. Values below 0.01 are compared at the 0.01
 * scale (1e-6 absolute): they are float32 sums of larger terms of both signs, whose rounding does
 * not shrink with the result (e.g. a head output of -4e-7 from products of size 0.03).
 */
function expectReproduced(e: Explanation): void {
  const got = evaluateFormula(e.formula);
  if (e.formula.kind === 'masked') {
    expect(e.value).toBe(-Infinity);
    expect(got).toBe(-Infinity);
    return;
  }
  expect(Math.abs(got - e.value), `${e.block} (${e.row}, ${e.col}): ${got} vs ${e.value}`).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(e.value), 0.01));
}

describe('explainCell on every nano block', () => {
  it('shows the stored number and a formula that gives it back, with existing sources', () => {
    const rand = mulberry32(7);
    let checked = 0;
    const kinds = new Set<string>();
    for (const b of layout.blocks) {
      for (const [row, col] of sampleCells(b, rand)) {
        const e = explainCell(layout, b.id, row, col, trace, views);
        expect(e.value, `${b.id} (${row}, ${col})`).toBe(stored(b, row, col));
        expect(e.formula.kind, `${b.id} (${row}, ${col})`).toBe(expectedKind(b.id, row, col));
        expect(e.title).toBe(b.label);
        expectReproduced(e);
        for (const s of e.sources) {
          const src = byId.get(s.block);
          expect(src, `${b.id} names source ${s.block}`).toBeDefined();
          for (const [range, size] of [[s.rows, src!.rows.size], [s.cols, src!.cols.size]] as const) {
            if (!range) continue;
            expect(range[0]).toBeGreaterThanOrEqual(0);
            expect(range[0]).toBeLessThan(range[1]);
            expect(range[1]).toBeLessThanOrEqual(size);
          }
        }
        kinds.add(e.formula.kind);
        checked++;
      }
    }
    expect(checked).toBe(208 * 11);
    // Every kind of the Formula union occurs.
    expect(kinds.size).toBe(15);
  });

  it('agrees with a packed parameter buffer as well as with named views', () => {
    const a = explainCell(layout, 'h.2.mlp.proj', 30, 4, trace, params);
    const b = explainCell(layout, 'h.2.mlp.proj', 30, 4, trace, views);
    expect(a).toEqual(b);
  });
});

describe('explainCell formulas carry the actual numbers', () => {
  const t = (name: string, i: number) => trace.tensors[name]!.data[i]!;
  const p = (name: string, i: number) => views.get(name)![i]!;

  it('query: bias + Σ 48 weight × layer-norm products, from the right rows and column', () => {
    const e = explainCell(layout, 'h.0.attn.head1.q', 3, 2, trace, views);
    const f = e.formula as Extract<Formula, { kind: 'matmul' }>;
    expect(f.bias).toBe(p('transformer.h.0.attn.c_attn.bias', 16 + 3));
    expect(f.products).toHaveLength(48);
    expect(f.products[5]).toEqual([p('transformer.h.0.attn.c_attn.weight', (16 + 3) * 48 + 5), t('h.0.ln_1', 2 * 48 + 5)]);
    expect(e.value).toBe(t('h.0.attn.q', (1 * 6 + 2) * 16 + 3));
    expect(e.where).toBe('layer 1, head 2, position 3 (A), dimension 4 of 16');
    expect(e.position).toBe(2);
    expect(e.sources).toEqual([
      { block: 'h.0.attn.head1.q.weight', rows: [3, 4] },
      { block: 'h.0.attn.head1.q.bias', rows: [3, 4] },
      { block: 'h.0.ln_1', cols: [2, 3] },
    ]);
  });

  it('attention projection: inputs are the three head outputs stacked', () => {
    const f = explainCell(layout, 'h.1.attn.proj', 7, 2, trace, views).formula as Extract<Formula, { kind: 'matmul' }>;
    expect(f.products).toHaveLength(48);
    // Input channel 20 is dimension 4 of head 2.
    expect(f.products[20]).toEqual([p('transformer.h.1.attn.c_proj.weight', 7 * 48 + 20), t('h.1.attn.heads', 2 * 48 + 20)]);
    const mlp = explainCell(layout, 'h.1.mlp.proj', 7, 2, trace, views).formula as Extract<Formula, { kind: 'matmul' }>;
    expect(mlp.products).toHaveLength(192);
    const logits = explainCell(layout, 'logits', 2, 5, trace, views).formula as Extract<Formula, { kind: 'matmul' }>;
    expect(logits.bias).toBeNull();
    expect(logits.products[47]).toEqual([p('lm_head.weight', 2 * 48 + 47), t('ln_f', 5 * 48 + 47)]);
  });

  it('layer norm, its aggregates, lookups and sums', () => {
    const ln = explainCell(layout, 'h.0.ln_1', 5, 1, trace, views);
    expect(ln.formula).toEqual({
      kind: 'layernorm', x: t('embed', 48 + 5), mean: t('h.0.ln_1.mean', 1), rstd: t('h.0.ln_1.rstd', 1),
      gamma: p('transformer.h.0.ln_1.weight', 5), beta: p('transformer.h.0.ln_1.bias', 5),
    });
    const rstd = explainCell(layout, 'h.2.ln_2.rstd', 0, 4, trace, views).formula as Extract<Formula, { kind: 'rstd' }>;
    expect(rstd.xs).toHaveLength(48);
    expect(rstd.xs[10]).toBe(t('h.2.resid_1', 4 * 48 + 10));
    expect(rstd.eps).toBe(1e-5);
    const tok = explainCell(layout, 'tok_emb', 4, 2, trace, views);
    expect(tok.formula).toEqual({ kind: 'lookup', table: 'wte', by: 'token', entry: 0, channel: 4, value: p('transformer.wte.weight', 4) });
    expect(tok.sources).toEqual([{ block: 'tokens', cols: [2, 3] }, { block: 'wte', rows: [4, 5], cols: [0, 1] }]);
    expect(explainCell(layout, 'h.1.resid_2', 9, 3, trace, views).formula).toEqual({ kind: 'add', a: t('h.1.resid_1', 3 * 48 + 9), b: t('h.1.mlp.proj', 3 * 48 + 9) });
    expect(explainCell(layout, 'tokens', 0, 0, trace, views).formula).toEqual({ kind: 'token', id: 2, letter: 'C' });
    expect(explainCell(layout, 'h.1.mlp.c_fc.weight', 100, 7, trace, views).formula).toEqual({
      kind: 'param', param: 'transformer.h.1.mlp.c_fc.weight', index: [100, 7], value: p('transformer.h.1.mlp.c_fc.weight', 100 * 48 + 7),
    });
  });

  it('attention: scaled dot products, masking, softmax and the weighted sum of values', () => {
    const s = explainCell(layout, 'h.1.attn.head2.scores', 1, 4, trace, views);
    expect(s.where).toBe('layer 2, head 3, query position 5 (B), key position 2 (B)');
    const f = s.formula as Extract<Formula, { kind: 'scaled-dot' }>;
    expect(f.scale).toBe(0.25);
    expect(f.products[0]).toEqual([t('h.1.attn.q', (2 * 6 + 4) * 16), t('h.1.attn.k', (2 * 6 + 1) * 16)]);
    const masked = explainCell(layout, 'h.1.attn.head2.scores', 4, 1, trace, views);
    expect(masked.formula).toEqual({ kind: 'masked' });
    expect(masked.value).toBe(-Infinity);
    expect(masked.sources).toEqual([]);
    // A masked probability is the softmax of −∞: exactly 0.
    const p0 = explainCell(layout, 'h.1.attn.head2.probs', 4, 1, trace, views);
    expect(p0.value).toBe(0);
    expect(evaluateFormula(p0.formula)).toBe(0);
    const max = explainCell(layout, 'h.0.attn.head0.probs.max', 0, 2, trace, views).formula as Extract<Formula, { kind: 'max' }>;
    expect(max.xs).toEqual([0, 1, 2].map((k) => t('h.0.attn.scores', 2 * 6 + k)));
    const out = explainCell(layout, 'h.2.attn.head0.out', 3, 5, trace, views);
    const w = out.formula as Extract<Formula, { kind: 'weighted-sum' }>;
    expect(w.weights).toHaveLength(6);
    expect(w.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(w.values[4]).toBe(t('h.2.attn.v', 4 * 16 + 3));
    const final = explainCell(layout, 'probs.sum', 0, 2, trace, views).formula as Extract<Formula, { kind: 'sumexp' }>;
    expect(final.xs).toEqual([0, 1, 2].map((v) => t('logits', 2 * 3 + v)));
  });

  it('refuses render-only models, unknown blocks, cells outside a block and a trace of another length', () => {
    const gpt2 = layoutModel('gpt2-small', 6);
    expect(() => explainCell(gpt2, 'h.0.attn.qkv', 0, 0, trace, views)).toThrow(/drawn only/);
    expect(() => explainCell(gpt2, 'tokens', 0, 0, trace, views)).toThrow(/drawn only/);
    expect(() => explainCell(layout, 'h.9.ln_1', 0, 0, trace, views)).toThrow(/no block "h.9.ln_1"/);
    expect(() => explainCell(layout, 'logits', 3, 0, trace, views)).toThrow(/outside block "logits"/);
    expect(() => explainCell(layoutModel('nano', 7), 'logits', 0, 0, trace, views)).toThrow(/trace has 6 tokens/);
  });
});

describe('formulas as numbers and text', () => {
  it('evaluates each kind from its own numbers', () => {
    expect(evaluateFormula({ kind: 'layernorm', x: 0.5, mean: 0.1, rstd: 2, gamma: 3, beta: 1 })).toBeCloseTo(3.4, 12);
    expect(evaluateFormula({ kind: 'matmul', bias: 1, products: [[2, 3], [4, -0.5]], value: 0 })).toBe(5);
    expect(evaluateFormula({ kind: 'rstd', xs: [1, 3], mean: 2, eps: 0 })).toBe(1);
    expect(evaluateFormula({ kind: 'mean', xs: [1, 2, 6] })).toBe(3);
    expect(evaluateFormula({ kind: 'softmax', x: 1, max: 1, sum: 4 })).toBe(0.25);
    expect(evaluateFormula({ kind: 'sumexp', xs: [2, 2], max: 2 })).toBe(2);
    expect(evaluateFormula({ kind: 'max', xs: [-3, 7, 1] })).toBe(7);
    expect(evaluateFormula({ kind: 'scaled-dot', products: [[2, 4]], scale: 0.25 })).toBe(2);
    expect(evaluateFormula({ kind: 'weighted-sum', weights: [0.25, 0.75], values: [4, 8] })).toBe(7);
    expect(evaluateFormula({ kind: 'gelu', x: 0 })).toBe(0);
    expect(evaluateFormula({ kind: 'gelu', x: 1 })).toBeCloseTo(0.841192, 6);
    expect(evaluateFormula({ kind: 'masked' })).toBe(-Infinity);
  });

  it('formats numbers to about 4 significant digits', () => {
    expect(formatNumber(1.23456)).toBe('1.235');
    expect(formatNumber(0.0213)).toBe('0.0213');
    expect(formatNumber(-0.5)).toBe('−0.5');
    expect(formatNumber(123456)).toBe('123500');
    expect(formatNumber(1e-5)).toBe('1e-5');
    expect(formatNumber(-2.5e-7)).toBe('−2.5e-7');
    expect(formatNumber(-Infinity)).toBe('−∞');
    expect(formatNumber(0)).toBe('0');
  });

  it('writes tooltip lines with the actual numbers', () => {
    const ln = explainCell(layout, 'h.0.ln_1', 5, 1, trace, views);
    const f = ln.formula as Extract<Formula, { kind: 'layernorm' }>;
    const n = formatNumber;
    const paren = (x: number) => (x < 0 ? `(${n(x)})` : n(x));
    expect(formatFormula(ln)).toEqual([
      'layer 1, position 2 (B), channel 6 of 48',
      '(x − mean) × rstd × γ + β',
      `= (${n(f.x)} − ${paren(f.mean)}) × ${paren(f.rstd)} × ${paren(f.gamma)} + ${paren(f.beta)} = ${n(ln.value)}`,
    ]);
    const q = explainCell(layout, 'h.0.attn.head1.q', 3, 2, trace, views);
    const m = q.formula as Extract<Formula, { kind: 'matmul' }>;
    const lines = formatFormula(q);
    expect(lines[1]).toBe(`bias + Σ 48 products = ${n(m.bias!)} + Σ 48 products = ${n(q.value)}`);
    expect(lines[2]).toMatch(/^Σ = \S+ × \S+ \+ \S+ × \S+ \+ \S+ × \S+ \+ …$/);
    expect(formatFormula(explainCell(layout, 'h.0.attn.head0.scores', 5, 0, trace, views))[1]).toMatch(/masked to −∞/);
  });
});

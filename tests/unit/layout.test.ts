/**
 * The scene layout: every stage of nano at the right size, sources that read the right numbers,
 * boxes that never overlap, the residual spine, and the true-size render-only models.
 */
import { describe, expect, it } from 'vitest';
import { NANO, paramCount } from '../../src/gpt/config.ts';
import { blockById, cellIndex, layoutModel, readCell, sourceTensorSizes } from '../../src/scene/layout.ts';
import { countParams, flopsPerToken, MODEL_IDS, MODELS } from '../../src/scene/models.ts';
import type { Block, BlockKind, ModelLayout } from '../../src/scene/types.ts';
import { forwardReference, paramViews } from '../../src/gpt/reference.ts';
import { readWeights } from '../../scripts/lib/engine.ts';

type Expected = [id: string, kind: BlockKind, rows: number, cols: number];

/** Every nano block for T tokens, in data-flow order, with sizes written out from the config. */
function expectedNano(T: number): Expected[] {
  const C = 48;
  const hs = 16;
  const V = 3;
  const out: Expected[] = [
    ['tokens', 'activation', 1, T],
    ['wte', 'weight', C, V],
    ['tok_emb', 'activation', C, T],
    ['wpe', 'weight', C, 11],
    ['pos_emb', 'activation', C, T],
    ['embed', 'activation', C, T],
  ];
  const ln = (p: string) => {
    out.push([`${p}.mean`, 'aggregate', 1, T], [`${p}.rstd`, 'aggregate', 1, T], [`${p}.gamma`, 'weight', C, 1], [`${p}.beta`, 'weight', C, 1], [p, 'activation', C, T]);
  };
  for (let l = 0; l < 3; l++) {
    ln(`h.${l}.ln_1`);
    for (let h = 0; h < 3; h++) {
      const p = `h.${l}.attn.head${h}`;
      for (const x of ['q', 'k', 'v']) out.push([`${p}.${x}.weight`, 'weight', hs, C], [`${p}.${x}.bias`, 'weight', hs, 1], [`${p}.${x}`, 'activation', hs, T]);
      out.push([`${p}.scores`, 'activation', T, T], [`${p}.probs.max`, 'aggregate', 1, T], [`${p}.probs.sum`, 'aggregate', 1, T], [`${p}.probs`, 'activation', T, T], [`${p}.out`, 'activation', hs, T]);
    }
    out.push([`h.${l}.attn.c_proj.weight`, 'weight', C, C], [`h.${l}.attn.c_proj.bias`, 'weight', C, 1], [`h.${l}.attn.proj`, 'activation', C, T], [`h.${l}.resid_1`, 'activation', C, T]);
    ln(`h.${l}.ln_2`);
    out.push(
      [`h.${l}.mlp.c_fc.weight`, 'weight', 4 * C, C],
      [`h.${l}.mlp.c_fc.bias`, 'weight', 4 * C, 1],
      [`h.${l}.mlp.fc`, 'activation', 4 * C, T],
      [`h.${l}.mlp.gelu`, 'activation', 4 * C, T],
      [`h.${l}.mlp.c_proj.weight`, 'weight', C, 4 * C],
      [`h.${l}.mlp.c_proj.bias`, 'weight', C, 1],
      [`h.${l}.mlp.proj`, 'activation', C, T],
      [`h.${l}.resid_2`, 'activation', C, T],
    );
  }
  ln('ln_f');
  out.push(['lm_head', 'weight', V, C], ['logits', 'activation', V, T], ['probs.max', 'aggregate', 1, T], ['probs.sum', 'aggregate', 1, T], ['probs', 'activation', V, T]);
  return out;
}

function box(b: Block) {
  return { lo: [b.position[0], b.position[1] - b.size[1], b.position[2] - b.size[2]], hi: [b.position[0] + b.size[0], b.position[1], b.position[2]] };
}

/** Pairs of blocks whose boxes share volume (touching faces are fine). */
function overlaps(layout: ModelLayout): string[] {
  const boxes = layout.blocks.map((b) => ({ id: b.id, ...box(b) }));
  boxes.sort((a, b) => a.lo[1]! - b.lo[1]!);
  const found: string[] = [];
  // Sweep along y: only blocks whose y ranges overlap can collide.
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i]!;
    for (let j = i + 1; j < boxes.length && boxes[j]!.lo[1]! < a.hi[1]!; j++) {
      const b = boxes[j]!;
      if ([0, 1, 2].every((k) => a.lo[k]! < b.hi[k]! && b.lo[k]! < a.hi[k]!)) found.push(`${a.id} / ${b.id}`);
    }
  }
  return found;
}

describe('nano layout', () => {
  for (const T of [6, 11]) {
    it(`has every stage at the config's size, in data-flow order, for T = ${T}`, () => {
      const layout = layoutModel('nano', T);
      const got = layout.blocks.map((b): Expected => [b.id, b.kind, b.rows.size, b.cols.size]);
      expect(got).toEqual(expectedNano(T));
      expect(layout.blocks).toHaveLength(208);
      for (const b of layout.blocks) expect(b.size).toEqual([b.cols.size, b.rows.size, 1]);
      expect(layout.cell).toBe(1);
      expect(layout.T).toBe(T);
    });
  }

  it('keeps every block in place as tokens are appended (T = 6 .. 11)', () => {
    const at6 = blockById(layoutModel('nano', 6));
    for (let T = 7; T <= 11; T++) {
      for (const b of layoutModel('nano', T).blocks) expect(b.position, `${b.id} at T=${T}`).toEqual(at6.get(b.id)!.position);
    }
  });

  it('shows 7 columns in every sequence tensor for T = 7', () => {
    const layout = layoutModel('nano', 7);
    const seq = layout.blocks.filter((b) => b.cols.name === 'T');
    // tokens, tok_emb, pos_emb, embed; per layer 3 + 3 heads x 8 + 2 + 3 + 4; ln_f 3, logits, probs.max/sum, probs.
    expect(seq).toHaveLength(4 + 3 * 36 + 7);
    for (const b of seq) expect(b.cols.size, b.id).toBe(7);
    for (const id of ['h.0.attn.head0.scores', 'h.2.attn.head1.probs']) expect(blockById(layout).get(id)!.rows.size).toBe(7);
  });

  it('reads every CellSource index inside its tensor, for every T', () => {
    for (let T = 1; T <= NANO.block_size; T++) {
      const layout = layoutModel('nano', T);
      const sizes = sourceTensorSizes(layout);
      for (const b of layout.blocks) {
        if (b.id === 'tokens') {
          expect(b.source).toBeNull();
          continue;
        }
        const s = b.source!;
        expect(sizes.has(s.tensor), `${b.id} reads unknown ${s.tensor}`).toBe(true);
        expect(Math.min(s.rowStride, s.colStride, s.offset)).toBeGreaterThanOrEqual(0);
        const last = cellIndex(b, b.rows.size - 1, b.cols.size - 1);
        expect(last, `${b.id} at T=${T}`).toBeLessThan(sizes.get(s.tensor)!);
      }
    }
  });

  it('shows every parameter and every trace number exactly once', () => {
    const T = 6;
    const layout = layoutModel('nano', T);
    const sizes = sourceTensorSizes(layout);
    const seen = new Map<string, Uint8Array>();
    for (const [name, n] of sizes) seen.set(name, new Uint8Array(n));
    for (const b of layout.blocks) {
      if (!b.source) continue;
      const hits = seen.get(b.source.tensor)!;
      for (let r = 0; r < b.rows.size; r++) for (let c = 0; c < b.cols.size; c++) hits[cellIndex(b, r, c)]!++;
    }
    for (const [name, hits] of seen) expect(hits.every((h) => h === 1), name).toBe(true);
    const weightCells = layout.blocks.filter((b) => b.kind === 'weight').reduce((n, b) => n + b.rows.size * b.cols.size, 0);
    expect(weightCells).toBe(85_728);
  });

  it('reads the numbers the trace and the parameters hold at hand-computed indices', () => {
    const params = readWeights().params;
    const views = paramViews(NANO, params);
    const trace = forwardReference(NANO, params, [2, 1, 0, 1, 1, 2]);
    const byId = blockById(layoutModel('nano', 6));
    const cell = (id: string, r: number, c: number) => readCell(byId.get(id)!, r, c, trace, views);
    const t = (name: string, i: number) => trace.tensors[name]!.data[i];
    const p = (name: string, i: number) => views.get(name)![i];
    // q of head 2 (H, T, hs): dimension 5 of position 3.
    expect(cell('h.1.attn.head2.q', 5, 3)).toBe(t('h.1.attn.q', (2 * 6 + 3) * 16 + 5));
    // Key weights of head 1 are c_attn rows C + 16 .. C + 31.
    expect(cell('h.0.attn.head1.k.weight', 2, 7)).toBe(p('transformer.h.0.attn.c_attn.weight', (48 + 16 + 2) * 48 + 7));
    expect(cell('h.0.attn.head2.v.bias', 9, 0)).toBe(p('transformer.h.0.attn.c_attn.bias', 96 + 32 + 9));
    // Scores: row = key 1, column = query 4.
    expect(cell('h.2.attn.head0.scores', 1, 4)).toBe(t('h.2.attn.scores', (0 * 6 + 4) * 6 + 1));
    expect(cell('h.2.attn.head0.scores', 4, 1)).toBe(-Infinity);
    expect(cell('h.1.attn.head1.probs.sum', 0, 2)).toBe(t('h.1.attn.probs.sum', 6 + 2));
    expect(cell('h.0.attn.head2.out', 3, 5)).toBe(t('h.0.attn.heads', 5 * 48 + 32 + 3));
    expect(cell('h.1.mlp.fc', 150, 4)).toBe(t('h.1.mlp.fc', 4 * 192 + 150));
    expect(cell('h.1.mlp.c_proj.weight', 47, 191)).toBe(p('transformer.h.1.mlp.c_proj.weight', 47 * 192 + 191));
    expect(cell('wte', 10, 2)).toBe(p('transformer.wte.weight', 2 * 48 + 10));
    expect(cell('wpe', 10, 8)).toBe(p('transformer.wpe.weight', 8 * 48 + 10));
    expect(cell('logits', 1, 5)).toBe(t('logits', 5 * 3 + 1));
    expect(cell('ln_f.rstd', 0, 3)).toBe(t('ln_f.rstd', 3));
    expect(cell('h.2.ln_2.gamma', 40, 0)).toBe(p('transformer.h.2.ln_2.weight', 40));
    expect(() => cell('logits', 3, 0)).toThrow(/row 3 of block "logits"/);
    expect(() => cellIndex(byId.get('tokens')!, 0, 0)).toThrow(/no values/);
  });

  it('draws weights left of their results, inputs above, heads side by side and aggregates beside', () => {
    const b = blockById(layoutModel('nano', 6));
    const right = (id: string) => b.get(id)!.position[0] + b.get(id)!.size[0];
    const left = (id: string) => b.get(id)!.position[0];
    const top = (id: string) => b.get(id)!.position[1];
    const bottom = (id: string) => b.get(id)!.position[1] - b.get(id)!.size[1];
    for (const [w, bias, res] of [
      ['h.0.attn.head1.q.weight', 'h.0.attn.head1.q.bias', 'h.0.attn.head1.q'],
      ['h.1.attn.c_proj.weight', 'h.1.attn.c_proj.bias', 'h.1.attn.proj'],
      ['h.2.mlp.c_fc.weight', 'h.2.mlp.c_fc.bias', 'h.2.mlp.fc'],
      ['h.2.mlp.c_proj.weight', 'h.2.mlp.c_proj.bias', 'h.2.mlp.proj'],
    ]) {
      expect(right(w!)).toBe(left(bias!) - 1);
      expect(right(bias!)).toBe(left(res!) - 1);
      expect(top(w!)).toBe(top(res!));
    }
    expect(right('lm_head')).toBe(left('logits') - 1);
    expect(bottom('h.0.ln_2')).toBeGreaterThan(top('h.0.mlp.fc'));
    expect(bottom('h.0.mlp.fc')).toBeGreaterThan(top('h.0.mlp.gelu'));
    expect(bottom('h.0.mlp.gelu')).toBeGreaterThan(top('h.0.mlp.proj'));
    expect(bottom('h.1.attn.head0.probs')).toBeGreaterThan(top('h.1.attn.head0.out'));
    // Heads: same height, left to right, panels 62 cells wide plus a 4-cell gap.
    expect(top('h.0.attn.head1.q')).toBe(top('h.0.attn.head0.q'));
    expect(left('h.0.attn.head1.q.weight') - left('h.0.attn.head0.q.weight')).toBe(66);
    // Layer-norm aggregates sit right above the output, in its columns.
    expect(left('h.0.ln_1.mean')).toBe(left('h.0.ln_1'));
    expect(bottom('h.0.ln_1.rstd')).toBe(top('h.0.ln_1') + 1);
    // The residual spine: x in [0, T), right of the branch lane.
    for (const id of ['embed', 'h.0.resid_1', 'h.2.resid_2']) expect(left(id)).toBe(0);
    // The branch lane reserves 11 columns and ends 2 cells left of the spine: -2 - 11 + T.
    expect(right('h.0.attn.proj')).toBe(-7);
    expect(top('h.0.resid_1')).toBe(top('h.0.attn.proj'));
  });

  it('lists only existing blocks, earlier in the flow, as inputs', () => {
    const layout = layoutModel('nano', 6);
    const order = new Map(layout.blocks.map((b, i) => [b.id, i]));
    for (const b of layout.blocks) for (const id of b.inputs) expect(order.get(id), `${b.id} <- ${id}`).toBeLessThan(order.get(b.id)!);
    expect(blockById(layout).get('h.1.attn.proj')!.inputs).toEqual([
      'h.1.attn.c_proj.weight', 'h.1.attn.c_proj.bias', 'h.1.attn.head0.out', 'h.1.attn.head1.out', 'h.1.attn.head2.out',
    ]);
    expect(blockById(layout).get('h.1.ln_1')!.inputs).toEqual(['h.0.resid_2', 'h.1.ln_1.mean', 'h.1.ln_1.rstd', 'h.1.ln_1.gamma', 'h.1.ln_1.beta']);
  });
});

describe('every model', () => {
  const layouts = MODEL_IDS.map((m) => layoutModel(m, 6));

  it('has unique ids, no overlapping boxes and bounds around all blocks', () => {
    for (const layout of layouts) {
      const ids = layout.blocks.map((b) => b.id);
      expect(new Set(ids).size, layout.model).toBe(ids.length);
      expect(overlaps(layout), layout.model).toEqual([]);
      for (const b of layout.blocks) {
        const { lo, hi } = box(b);
        for (let k = 0; k < 3; k++) {
          expect(lo[k]!).toBeGreaterThanOrEqual(layout.bounds.min[k]!);
          expect(hi[k]!).toBeLessThanOrEqual(layout.bounds.max[k]!);
        }
      }
    }
    expect(overlaps(layoutModel('nano', 11))).toEqual([]);
    expect(overlaps(layoutModel('nano', 1))).toEqual([]);
  });

  it('runs the residual spine top to bottom through the residual blocks, clear of all others', () => {
    for (const layout of layouts) {
      const L = layout.config.n_layer;
      const byId = blockById(layout);
      const resid = ['embed', ...Array.from({ length: L }, (_, l) => [`h.${l}.resid_1`, `h.${l}.resid_2`]).flat()];
      // Per residual step (+ attention, + MLP): a headless hop to where the step begins, then its labelled arrow.
      expect(layout.spine.filter((s) => s.label), layout.model).toHaveLength(2 * L);
      expect(layout.spine, layout.model).toHaveLength(4 * L);
      let k = 0;
      for (let i = 0; i + 1 < resid.length; i++) {
        const a = byId.get(resid[i]!)!;
        const b = byId.get(resid[i + 1]!)!;
        const path = [layout.spine[k++]!, layout.spine[k++]!];
        // From the bottom of one residual block to the top of the next, connected, straight down at x = T/2.
        expect(path[0]!.from[1]).toBe(a.position[1] - a.size[1]);
        expect(path[path.length - 1]!.to[1]).toBe(b.position[1]);
        for (let j = 1; j < path.length; j++) expect(path[j]!.from).toEqual(path[j - 1]!.to);
        expect(path.map((s) => s.label)).toEqual([...path.slice(1).map(() => undefined), i % 2 === 0 ? `+ attention, layer ${(i >> 1) + 1}` : `+ MLP, layer ${(i >> 1) + 1}`]);
        expect(path.map((s) => s.head !== false)).toEqual(path.map((_, j) => j === path.length - 1));
        // Each end follows the block it belongs to: the hop leaves a and stops at the top of the
        // layer norm that begins b's step (the top of its layer for attention).
        expect(path[0]!.fromBlock).toBe(a.id);
        expect(path.every((s) => s.toBlock === b.id)).toBe(true);
        expect(path[1]!.fromBlock).toBe(b.id);
        const norm = i % 2 === 0 ? 'ln_1' : 'ln_2';
        expect(path[0]!.to[1]).toBe(Math.max(...layout.blocks.filter((x) => x.layer === b.layer && x.stage === norm).map((x) => x.position[1])));
        if (i % 2 === 0) expect(path[0]!.to[1]).toBe(Math.max(...layout.blocks.filter((x) => x.layer === b.layer).map((x) => x.position[1])));
        for (const s of path) {
          expect(s.to[1]).toBeLessThan(s.from[1]);
          expect([s.from[0], s.to[0]]).toEqual([3, 3]);
          // Nothing else is in the way.
          const inTheWay = layout.blocks.filter((other) => {
            const { lo, hi } = box(other);
            return lo[0]! < s.from[0] && s.from[0] < hi[0]! && lo[1]! < s.from[1] && s.to[1] < hi[1]!;
          });
          expect(inTheWay.map((x) => x.id), `${layout.model} spine ${i}`).toEqual([]);
        }
      }
      expect(k).toBe(layout.spine.length);
    }
  });

  it('counts parameters and multiply-adds from the config', () => {
    expect(countParams(MODELS.nano)).toBe(85_728);
    expect(countParams(MODELS.nano)).toBe(paramCount(NANO));
    expect(countParams(MODELS['gpt2-small'])).toBe(124_439_808);
    expect(countParams(MODELS['gpt2-xl'])).toBe(1_557_611_200);
    expect(Math.abs(countParams(MODELS['gpt2-xl']) / 1.558e9 - 1)).toBeLessThan(0.01);
    expect(Math.abs(countParams(MODELS.gpt3) / 175e9 - 1)).toBeLessThan(0.01);
    expect(countParams(MODELS.gpt3)).toBe(174_604_259_328);
    // L·(12C² + 2TC) + VC
    expect(flopsPerToken(MODELS.nano, 11)).toBe(3 * (12 * 48 * 48 + 2 * 11 * 48) + 3 * 48);
    expect(flopsPerToken(MODELS.nano, 6)).toBe(84_816);
    expect(flopsPerToken(MODELS['gpt2-small'], 1024)).toBe(142_406_400);
    expect(flopsPerToken(MODELS.gpt3, 2048)).toBe(179_395_571_712);
    expect(() => flopsPerToken(MODELS.nano, 12)).toThrow(RangeError);
    for (const layout of layouts) {
      expect(layout.params).toBe(countParams(MODELS[layout.model]));
      expect(layout.flopsPerToken).toBe(flopsPerToken(MODELS[layout.model], layout.config.block_size));
    }
  });

  it('draws the render-only models at true size, merged to stay under 2,000 blocks', () => {
    const [nano, small, xl, gpt3] = layouts.map((l) => blockById(l));
    expect(layouts.map((l) => l.blocks.length)).toEqual([208, 253, 973, 1933]);
    expect(layouts[3]!.blocks.length).toBeLessThan(2000);
    // Embedding-wide blocks: C rows, 12288 / 48 = 256 times nano's.
    for (const id of ['embed', 'h.0.resid_1', 'ln_f', 'h.5.mlp.proj']) {
      expect(gpt3!.get(id)!.size[1]).toBe(256 * nano!.get('embed')!.size[1]);
    }
    expect(gpt3!.get('embed')!.size).toEqual([6, 12288, 1]);
    expect(gpt3!.get('h.95.attn.c_attn')!.size).toEqual([12289, 3 * 12288, 1]);
    expect(gpt3!.get('h.95.mlp.c_proj')!.size).toEqual([4 * 12288 + 1, 12288, 1]);
    expect(gpt3!.get('h.0.attn.scores')!.rows.size).toBe(96 * 6);
    expect(small!.get('wte')!.size).toEqual([50257, 768, 1]);
    expect(small!.get('wpe')!.size).toEqual([1024, 768, 1]);
    expect(xl!.get('h.47.mlp.c_fc')!.size).toEqual([1601, 6400, 1]);
    expect(small!.get('lm_head')!.label).toMatch(/tied/);
    for (const layout of layouts.slice(1)) for (const b of layout.blocks) expect(b.source, b.id).toBeNull();
  });

  it('rejects sequence lengths outside 1..block_size', () => {
    for (const T of [0, 12, 6.5, -1, NaN]) expect(() => layoutModel('nano', T)).toThrow(RangeError);
    expect(() => layoutModel('nano', 12)).toThrow(/T = 12 tokens: expected an integer in 1\.\.11/);
    expect(() => layoutModel('gpt2-small', 1025)).toThrow(RangeError);
    expect(layoutModel('gpt3', 2048).T).toBe(2048);
    expect(() => layoutModel('gpt4' as never, 6)).toThrow(/unknown model "gpt4"/);
  });
});

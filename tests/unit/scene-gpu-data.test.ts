/**
 * The data the renderer uploads, checked without a GPU: the value atlas holds exactly the number
 * readCell gives for every cell of every nano block, and the instance builder turns a SceneState
 * into the boxes it should (hidden blocks dropped, lifted ranges cut out and drawn apart,
 * highlights tinted, dim applied to everything else), and the arrow builder into arrows that
 * follow their blocks' offsets, fade with them and vanish with them.
 */
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/gpt/config.ts';
import { forwardReference, paramViews } from '../../src/gpt/reference.ts';
import { readCell } from '../../src/scene/cells.ts';
import { ArrowBuilder, FLOW_LOOK, InstanceBuilder, SLAB_CELLS, SPINE_LOOK } from '../../src/scene/instances.ts';
import { changedSpan } from '../../src/scene/renderer.ts';
import { flowSegments } from '../../src/scene/flows.ts';
import { foldLayout } from '../../src/scene/fold.ts';
import { layoutModel } from '../../src/scene/layout.ts';
import { BOX_STRIDE, MASKED_VALUE, SPINE_STRIDE } from '../../src/scene/shaders.ts';
import { fillAtlas, planAtlas } from '../../src/scene/textures.ts';
import type { SceneState, Vec3 } from '../../src/scene/types.ts';
import { readWeights } from '../../scripts/lib/engine.ts';

const layout = layoutModel('nano', 6);
const { params } = readWeights();
const ids = (encode('CBABBC') as { ids: number[] }).ids;
const trace = forwardReference(layout.config, params, ids);

describe('value atlas', () => {
  it('holds exactly the value readCell gives for every cell', () => {
    const plan = planAtlas(layout, 4096);
    const data = new Float32Array(plan.width * plan.height);
    fillAtlas(plan, 'param', { trace, params }, data);
    fillAtlas(plan, 'trace', { trace, params }, data);
    const views = paramViews(layout.config, params);
    let cells = 0;
    for (const b of layout.blocks) {
      if (!b.source) continue;
      const slot = plan.slots.get(b.id)!;
      let maxAbs = 0;
      for (let r = 0; r < b.rows.size; r++) {
        for (let c = 0; c < b.cols.size; c++) {
          const v = readCell(b, r, c, trace, views);
          const stored = data[(slot.y + r) * plan.width + slot.x + c]!;
          if (Number.isFinite(v)) {
            expect(stored, `${b.id} (${r}, ${c})`).toBe(Math.fround(v));
            maxAbs = Math.max(maxAbs, Math.abs(v));
          } else {
            expect(stored, `${b.id} (${r}, ${c}) masked`).toBe(Math.fround(MASKED_VALUE));
          }
          cells++;
        }
      }
      expect(slot.scale, b.id).toBeCloseTo(maxAbs > 0 ? 1 / maxAbs : 1, 10);
    }
    expect(cells).toBeGreaterThan(85_000);
    // Weights come first, so a new trace re-uploads only the rows after them.
    for (const b of layout.blocks) {
      if (b.source?.from === 'param') expect(plan.slots.get(b.id)!.y + b.rows.size).toBeLessThanOrEqual(plan.paramRows);
      if (b.source?.from === 'trace') expect(plan.slots.get(b.id)!.y).toBeGreaterThanOrEqual(plan.paramRows);
    }
  });

  it('never overlaps two blocks', () => {
    const plan = planAtlas(layout, 512);
    const owner = new Map<number, string>();
    for (const b of layout.blocks) {
      const slot = plan.slots.get(b.id);
      if (!slot) continue;
      for (let r = 0; r < b.rows.size; r++) {
        for (let c = 0; c < b.cols.size; c++) {
          const at = (slot.y + r) * plan.width + slot.x + c;
          expect(owner.get(at), `${b.id} overlaps ${owner.get(at)}`).toBeUndefined();
          owner.set(at, b.id);
        }
      }
      expect(slot.x + b.cols.size).toBeLessThanOrEqual(plan.width);
    }
  });

  it('names the block when one cannot fit', () => {
    expect(() => planAtlas(layout, 100)).toThrow(/block .* has 192 columns/);
  });
});

describe('instance builder', () => {
  const values = { slot: () => ({ x: 0, y: 0, scale: 1 }), hasValues: () => true };
  const base: Omit<SceneState, 'camera'> = { blocks: {}, highlights: [], callouts: [] };
  const field = (list: Float32Array, i: number, offset: number) => list[i * BOX_STRIDE + offset]!;

  it("asks where each block's values are once per version of the answers, and again when it changes", () => {
    let asked = 0;
    const lookup = {
      version: 1,
      slot: (id: string) => (asked++, id === 'embed' ? { x: 7, y: 9, scale: 2 } : undefined),
      hasValues: () => true,
    };
    const builder = new InstanceBuilder();
    const atlasOf = (list: Float32Array, i: number) => [10, 11, 12, 13].map((k) => field(list, i, k));
    const at = layout.blocks.findIndex((b) => b.id === 'embed');
    expect(atlasOf(builder.build(layout, base, lookup).opaque, at)).toEqual([7, 9, 1, 2]);
    expect(asked).toBe(layout.blocks.length);
    builder.build(layout, base, lookup);
    expect(asked).toBe(layout.blocks.length);
    lookup.version = 2;
    lookup.slot = () => (asked++, undefined);
    expect(atlasOf(builder.build(layout, base, lookup).opaque, at)).toEqual([0, 0, 0, 1]);
    expect(asked).toBe(2 * layout.blocks.length);
  });

  it('draws every block once by default, as a slab behind its grid face', () => {
    const out = new InstanceBuilder().build(layout, base, values);
    expect(out.counts).toEqual({ opaque: layout.blocks.length, overlay: 0, translucent: 0 });
    layout.blocks.forEach((b, i) => {
      expect([0, 1, 2, 3, 4].map((k) => field(out.opaque, i, k))).toEqual([...b.position, b.size[0], b.size[1]]);
      expect(field(out.opaque, i, 5)).toBe(SLAB_CELLS);
    });
  });

  it('drops hidden blocks, moves translucent ones last, and dims all but highlights', () => {
    const state: Omit<SceneState, 'camera'> = {
      blocks: { embed: { opacity: 0 }, tok_emb: { opacity: 0.5, offset: [1, 2, 3] } },
      highlights: [{ block: 'wte', role: 'focus' }, { block: 'h.0.ln_1', cols: [2, 3], role: 'source' }],
      callouts: [],
      dim: 0.6,
    };
    const out = new InstanceBuilder().build(layout, state, values);
    expect(out.counts).toEqual({ opaque: layout.blocks.length - 2, overlay: 1, translucent: 1 });
    const tok = layout.blocks.find((b) => b.id === 'tok_emb')!;
    expect([0, 1, 2].map((k) => field(out.translucent, 0, k))).toEqual([tok.position[0] + 1, tok.position[1] + 2, tok.position[2] + 3]);
    expect(field(out.translucent, 0, 15)).toBe(0.5);
    // The whole-block highlight tints wte itself, undimmed; the others are dimmed.
    const wte = layout.blocks.findIndex((b) => b.id === 'wte');
    const opaqueIndex = layout.blocks.slice(0, wte).filter((b) => b.id !== 'embed' && b.id !== 'tok_emb').length;
    expect(field(out.opaque, opaqueIndex, 16)).toBe(0);
    expect(field(out.opaque, opaqueIndex, 17)).toBeGreaterThan(0);
    expect(field(out.opaque, 0, 16)).toBeCloseTo(0.6);
    // The column highlight is one overlay cell-range: rows 0..C, column 2.
    expect([6, 7, 8, 9].map((k) => field(out.overlay, 0, k))).toEqual([0, 2, 48, 1]);
  });

  it('cuts a lifted range out of its block and draws it displaced', () => {
    const q = layout.blocks.find((b) => b.id === 'h.0.attn.head0.q')!;
    const state: Omit<SceneState, 'camera'> = { ...base, highlights: [{ block: q.id, cols: [2, 3], role: 'focus', lift: [0, 0, 5] }] };
    const out = new InstanceBuilder().build(layout, state, values);
    const i = layout.blocks.indexOf(q);
    expect([22, 23, 24, 25].map((k) => field(out.opaque, i, k))).toEqual([0, 16, 2, 3]);
    expect(out.counts.overlay).toBe(1);
    expect([0, 1, 2].map((k) => field(out.overlay, 0, k))).toEqual([q.position[0] + 2, q.position[1], q.position[2] + 5]);
    expect([3, 4].map((k) => field(out.overlay, 0, k))).toEqual([1, 16]);
  });

  it('leaves the block whole when a lifted range is a copy', () => {
    const q = layout.blocks.find((b) => b.id === 'h.0.attn.head0.q')!;
    const copies = [2, 4].map((c) => ({ block: q.id, cols: [c, c + 1] as [number, number], role: 'focus' as const, lift: [0, -20, 1] as Vec3, copy: true }));
    const out = new InstanceBuilder().build(layout, { ...base, highlights: copies }, values);
    const i = layout.blocks.indexOf(q);
    expect([22, 23, 24, 25].map((k) => field(out.opaque, i, k))).toEqual([0, 0, 0, 0]);
    expect(out.counts.overlay).toBe(2);
    expect(field(out.overlay, 1, 0)).toBe(q.position[0] + 4);
  });
});

describe('arrow builder', () => {
  const groups = [
    { segments: layout.spine, look: SPINE_LOOK },
    { segments: flowSegments(layout), look: FLOW_LOOK },
  ];
  const all = [...layout.spine, ...flowSegments(layout)];
  const base: Omit<SceneState, 'camera'> = { blocks: {}, highlights: [], callouts: [] };
  const at = (data: Float32Array, i: number, k: number) => data[i * SPINE_STRIDE + k]!;

  it('draws the hop between the columns of a folded model as a faint hairline without a head', () => {
    const fold = foldLayout(layout, 2);
    const { data } = new ArrowBuilder().build(layout, groups, { ...base, blocks: fold.styles });
    let hops = 0;
    layout.spine.forEach((s, i) => {
      const hop = fold.offsets[s.fromBlock!]![0] !== fold.offsets[s.toBlock!]![0];
      if (hop) hops++;
      expect(at(data, i, 9), `spine segment ${i}`).toBe(Math.fround(SPINE_LOOK.strength * (hop ? 0.35 : 1)));
      expect(at(data, i, 7)).toBe(hop ? 1 : SPINE_LOOK.minPixels);
      if (hop) expect(at(data, i, 10)).toBe(0);
    });
    expect(hops).toBe(fold.columns - 1);
  });

  it('draws every spine and flow segment, spine wider and stronger, heads only where a path ends', () => {
    const { data, count } = new ArrowBuilder().build(layout, groups, base);
    expect(count).toBe(all.length);
    all.forEach((s, i) => {
      expect([0, 1, 2, 3, 4, 5].map((k) => at(data, i, k))).toEqual([...s.from, ...s.to]);
      const look = i < layout.spine.length ? SPINE_LOOK : FLOW_LOOK;
      expect([6, 7, 8, 9].map((k) => at(data, i, k))).toEqual([Math.fround(look.width), look.minPixels, look.maxPixels, Math.fround(look.strength)]);
      expect([10, 11].map((k) => at(data, i, k))).toEqual([s.head === false ? 0 : 1, look.fadeBelowCellPx]);
    });
    expect(SPINE_LOOK.width).toBeGreaterThan(FLOW_LOOK.width);
    expect(SPINE_LOOK.strength).toBeGreaterThan(FLOW_LOOK.strength);
  });

  it('moves each end with its own block, so an arrow still joins blocks moved apart', () => {
    const state: Omit<SceneState, 'camera'> = { ...base, blocks: { 'h.0.ln_1': { offset: [100, -50, 0] }, 'h.0.attn.head2.q': { offset: [7, 8, 9] } } };
    const { data } = new ArrowBuilder().build(layout, groups, state);
    let moved = 0;
    all.forEach((s, i) => {
      const off = (id: string | undefined) => state.blocks[id ?? '']?.offset ?? [0, 0, 0];
      const a = off(s.fromBlock);
      const b = off(s.toBlock);
      expect([0, 1, 2].map((k) => at(data, i, k))).toEqual([0, 1, 2].map((k) => Math.fround(s.from[k]! + a[k]!)));
      expect([3, 4, 5].map((k) => at(data, i, k))).toEqual([0, 1, 2].map((k) => Math.fround(s.to[k]! + b[k]!)));
      if (a[0] !== b[0]) moved++;
    });
    // The spine's arrow into layer norm 1 and the bus out of it now span the two places.
    expect(moved).toBeGreaterThanOrEqual(2);
  });

  it('a highlight that moves within its block leaves the arrows as built; one that changes a block\'s dim rebuilds them', () => {
    const builder = new ArrowBuilder();
    const blocks = {};
    const cell = (col: number, role: 'focus' | 'muted', block = 'h.0.attn.head0.q') => ({ ...base, blocks, dim: 0.6, highlights: [{ block, rows: [0, 1] as [number, number], cols: [col, col + 1] as [number, number], role }] });
    const first = builder.build(layout, groups, cell(0, 'focus'));
    const copy = first.data.slice();
    const moved = builder.build(layout, groups, cell(5, 'focus'));
    expect(moved).toBe(first);
    expect(moved.data).toEqual(copy);
    // Muting another block fades its arrows: built anew, and equal to a fresh builder's output.
    const muted = builder.build(layout, groups, cell(5, 'muted', 'h.0.ln_1'));
    const fresh = new ArrowBuilder().build(layout, groups, cell(5, 'muted', 'h.0.ln_1'));
    expect(muted.data).toEqual(fresh.data);
    expect(muted.data).not.toEqual(copy);
    // A block filling in column by column moves no arrow: kept as built.
    const revealing = { ...cell(5, 'muted', 'h.0.ln_1'), blocks: { 'h.0.ln_1': { reveal: { cols: 3 } } } };
    expect(builder.build(layout, groups, revealing)).toBe(muted);
    // New block styles (a block moved) rebuild them too.
    const shifted = { ...cell(5, 'muted', 'h.0.ln_1'), blocks: { 'h.0.ln_1': { offset: [3, 0, 0] as [number, number, number] } } };
    expect(builder.build(layout, groups, shifted).data).toEqual(new ArrowBuilder().build(layout, groups, shifted).data);
  });

  it('fades arrows with the dim of what they join, keeps highlighted ones, hides those of hidden blocks', () => {
    const hidden = 'h.1.attn.proj';
    const lit = ['h.0.ln_1', 'h.0.attn.head0.q'];
    const state: Omit<SceneState, 'camera'> = {
      ...base,
      dim: 1,
      blocks: { [hidden]: { opacity: 0 } },
      highlights: lit.map((block) => ({ block, role: 'focus' as const })),
    };
    const { data, count } = new ArrowBuilder().build(layout, groups, state);
    const shown = all.filter((s) => s.fromBlock !== hidden && s.toBlock !== hidden);
    expect(shown.length).toBeLessThan(all.length);
    expect(count).toBe(shown.length);
    shown.forEach((s, i) => {
      const strength = at(data, i, 9);
      const full = Math.fround((all.indexOf(s) < layout.spine.length ? SPINE_LOOK : FLOW_LOOK).strength);
      if (lit.includes(s.fromBlock!) && lit.includes(s.toBlock!)) expect(strength, `${s.fromBlock} -> ${s.toBlock}`).toBe(full);
      else expect(strength, `${s.fromBlock} -> ${s.toBlock}`).toBeLessThan(full * 0.2);
    });
  });
});

describe('changedSpan: the part of an instance buffer to upload again', () => {
  const a = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
  it('is null for the same data, and only the differing run otherwise', () => {
    expect(changedSpan(a, 8, a.slice())).toBeNull();
    const b = a.slice();
    b[2] = 9;
    expect(changedSpan(a, 8, b)).toEqual([2, 3]);
    b[5] = 0;
    expect(changedSpan(a, 8, b)).toEqual([2, 6]);
    const first = a.slice();
    first[0] = 0;
    expect(changedSpan(a, 8, first)).toEqual([0, 1]);
    const last = a.slice();
    last[7] = 0;
    expect(changedSpan(a, 8, last)).toEqual([7, 8]);
  });
  it('is the whole new data when the lengths differ (only the first `length` floats of the old count)', () => {
    expect(changedSpan(a, 8, a.slice(0, 6))).toEqual([0, 6]);
    expect(changedSpan(a, 6, a.slice(0, 6))).toBeNull();
  });
});

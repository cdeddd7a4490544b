/**
 * nano standing at a big model's foot (src/scene/companion.ts): one layout for the pair, the small
 * model's blocks and arrows under prefixed ids at the big one's foot, its values and explanations
 * read in its own layout; and the scale chapter's steps, which move it to the folded model's foot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPANION_PREFIX, companionId, valuesLayout, withCompanion } from '../../src/scene/companion.ts';
import { companionBox, companionOffset, footOffset, offsetStyles } from '../../src/story/directors/companion-place.ts';
import { flowSegments } from '../../src/scene/flows.ts';
import { buildLabelTree, type LabelNode } from '../../src/scene/label-tree.ts';
import { layoutModel } from '../../src/scene/layout.ts';
import { bakeFold, foldLayout, lastColumnBottom } from '../../src/scene/fold.ts';
import { planAtlas } from '../../src/scene/textures.ts';
import type { ModelLayout, Vec3 } from '../../src/scene/types.ts';
import { direct, drawnLayout, type DirectorContext } from '../../src/story/director.ts';
import { scale } from '../../src/story/directors/scale.ts';
import { cameraMatrices, projectPoint, sceneRadius } from '../../src/scene/camera.ts';
import { directorContext } from './director-context.ts';

const nano = layoutModel('nano', 6);
const small = layoutModel('gpt2-small', 6);
const pair = withCompanion(small, nano);

/** World box of some blocks of a layout, at their layout places plus an offset per block. */
function boxOf(layout: ModelLayout, keep: (id: string) => boolean, offset: (id: string) => Vec3 = () => [0, 0, 0]) {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const b of layout.blocks) {
    if (!keep(b.id)) continue;
    const o = offset(b.id);
    const lo = [b.position[0], b.position[1] - b.size[1], b.position[2] - b.size[2]];
    const hi = [b.position[0] + b.size[0], b.position[1], b.position[2]];
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, lo[i]! + o[i]!);
      max[i] = Math.max(max[i]!, hi[i]! + o[i]!);
    }
  }
  return { min, max };
}
const isNano = (id: string) => id.startsWith(COMPANION_PREFIX);

describe('withCompanion', () => {
  it('keeps the big model and adds every nano block under a prefixed id, inputs renamed alike', () => {
    expect(pair.blocks.slice(0, small.blocks.length)).toEqual(small.blocks);
    const added = pair.blocks.slice(small.blocks.length);
    expect(added.map((b) => b.id)).toEqual(nano.blocks.map((b) => COMPANION_PREFIX + b.id));
    added.forEach((b, i) => {
      const own = nano.blocks[i]!;
      expect(b.inputs).toEqual(own.inputs.map((id) => COMPANION_PREFIX + id));
      expect(b.source).toEqual(own.source);
      expect(b.size).toEqual(own.size);
    });
    expect(pair.model).toBe('gpt2-small');
    expect(pair.params).toBe(small.params);
    expect(withCompanion(small, nano)).toBe(pair);
  });

  it('stands nano at the foot: bottoms level, right of the big model, same depth, one shift for every block', () => {
    const big = boxOf(pair, (id) => !isNano(id));
    const n = boxOf(pair, isNano);
    expect(n.min[1]).toBeCloseTo(big.min[1], 6);
    expect(n.min[0]).toBeGreaterThan(big.max[0]);
    expect(n.min[0] - big.max[0]).toBeLessThan(3 * (nano.bounds.max[0] - nano.bounds.min[0]));
    expect(n.max[2]).toBeCloseTo(big.max[2], 6);
    const at = pair.companion!.at;
    pair.blocks.slice(small.blocks.length).forEach((b, i) => {
      const own = nano.blocks[i]!.position;
      expect(b.position).toEqual([own[0] + at[0], own[1] + at[1], own[2] + at[2]]);
    });
    expect(pair.bounds.min[1]).toBe(big.min[1]);
    expect(pair.bounds.max[0]).toBeCloseTo(n.max[0], 6);
  });

  it('draws nano with its spine and flow arrows, moved and owned by its prefixed blocks, without step names', () => {
    const spine = pair.spine.slice(small.spine.length);
    expect(spine).toHaveLength(nano.spine.length);
    for (const s of spine) {
      expect(isNano(s.fromBlock!) && isNano(s.toBlock!)).toBe(true);
      expect(s.label).toBeUndefined();
    }
    const flows = flowSegments(pair);
    const own = flowSegments(nano);
    const big = flowSegments(small);
    expect(flows.length).toBe(big.length + own.length);
    const at = pair.companion!.at;
    flows.slice(big.length).forEach((s, i) => {
      expect(s.from).toEqual([own[i]!.from[0] + at[0], own[i]!.from[1] + at[1], own[i]!.from[2] + at[2]]);
      expect(s.fromBlock).toBe(COMPANION_PREFIX + own[i]!.fromBlock);
    });
  });

  it('gives nano one unnamed group in the label tree, so its blocks are named only close up', () => {
    const tree = buildLabelTree(pair);
    const leaves = (n: LabelNode): string[] => (n.block ? [n.block.id] : n.children.flatMap(leaves));
    const group = tree.children.find((c) => leaves(c).some(isNano))!;
    expect(group.text).toBe('');
    expect(leaves(group).sort()).toEqual(nano.blocks.map((b) => COMPANION_PREFIX + b.id).sort());
    expect(tree.children.filter((c) => c !== group).flatMap(leaves).some(isNano)).toBe(false);
    expect(tree.children.filter((c) => c !== group).map((c) => c.text)).toEqual(buildLabelTree(small).children.map((c) => c.text));
  });

  it('reads values in nano: its parameter offsets, and ids mapped back', () => {
    expect(valuesLayout(pair)).toBe(nano);
    expect(valuesLayout(small)).toBe(small);
    expect(companionId(pair, 'nano/h.0.ln_1')).toBe('h.0.ln_1');
    expect(companionId(pair, 'h.0.ln_1')).toBeNull();
    expect(companionId(small, 'nano/h.0.ln_1')).toBeNull();
    // The value atlas holds exactly nano's blocks with data.
    const plan = planAtlas(pair, 4096);
    expect([...plan.slots.keys()].sort()).toEqual(nano.blocks.filter((b) => b.source).map((b) => COMPANION_PREFIX + b.id).sort());
  });

  it('stands nano at a given foot: right of x = right by the gap, its bottom at y = bottom', () => {
    const big = layoutModel('gpt2-xl', 6);
    const fold = foldLayout(big, 6);
    const foot = { right: fold.bounds.max[0], bottom: lastColumnBottom(fold) };
    const baked = bakeFold(big, fold);
    const p = withCompanion(baked, nano, foot);
    const n = boxOf(p, isNano);
    expect(n.min[1]).toBeCloseTo(foot.bottom, 6);
    expect(n.min[0]).toBeCloseTo(foot.right + 2 * (nano.bounds.max[0] - nano.bounds.min[0]), 6);
    // The last column's bottom: the lowest block of the parts in the rightmost column, above the drawing's bottom here.
    const last = fold.columns - 1;
    const lows = fold.parts.filter((_, i) => fold.columnOf[i] === last).flatMap((part) => part.blocks).map((id) => {
      const b = baked.blocks.find((x) => x.id === id)!;
      return b.position[1] - b.size[1];
    });
    expect(foot.bottom).toBeCloseTo(Math.min(...lows), 6);
    expect(foot.bottom).toBeGreaterThan(fold.bounds.min[1]);
  });

  it('moves nano to the foot of a folded drawing with one offset, and says where it then is', () => {
    const bounds = { min: [-1000, -50000, -1] as Vec3, max: [20000, 0, 0] as Vec3 };
    const foot = { right: bounds.max[0], bottom: bounds.min[1] };
    const styles = offsetStyles(pair, footOffset(pair, foot));
    expect(Object.keys(styles).sort()).toEqual(nano.blocks.map((b) => COMPANION_PREFIX + b.id).sort());
    const offsets = new Set(Object.values(styles).map((s) => s.offset!.join(',')));
    expect(offsets.size).toBe(1);
    const moved = boxOf(pair, isNano, (id) => styles[id]!.offset!);
    const box = companionBox(pair, footOffset(pair, foot));
    for (let i = 0; i < 3; i++) {
      expect(moved.min[i]).toBeCloseTo(box.min[i]!, 6);
      expect(moved.max[i]).toBeCloseTo(box.max[i]!, 6);
    }
    expect(box.min[1]).toBeCloseTo(bounds.min[1], 6);
    expect(box.min[0]).toBeGreaterThan(bounds.max[0]);
    expect(offsetStyles(small, [1, 2, 3])).toEqual({});
    // Anywhere else: left edge and bottom where asked.
    const o = companionOffset(pair, 100, -200);
    const there = boxOf(pair, isNano, (id) => offsetStyles(pair, o)[id]!.offset!);
    expect(there.min[0]).toBeCloseTo(100, 6);
    expect(there.min[1]).toBeCloseTo(-200, 6);
    expect(() => companionOffset(small, 0, 0)).toThrow(/no companion/);
  });
});

describe('the scale chapter stands nano at each big model\'s foot', () => {
  let ctx: DirectorContext;
  beforeAll(async () => {
    ctx = await directorContext();
  });
  const order = ['nano', 'gpt2-small', 'gpt2-xl', 'gpt3', 'work', 'closing'];

  it('in every big-model step nano is drawn right of the folded model, level with its last column, in view and named', () => {
    for (const beat of ['gpt2-small', 'gpt2-xl', 'gpt3', 'work']) {
      const s = direct(scale, order, order.indexOf(beat), 1, ctx);
      const layout = drawnLayout(ctx.layoutOf, s.model, ctx.trace.ids.length);
      expect(layout.companion?.layout, beat).toBe(ctx.layout);
      const off = (id: string) => s.blocks[id]?.offset ?? [0, 0, 0];
      const big = boxOf(layout, (id) => !isNano(id), off);
      const n = boxOf(layout, isNano, off);
      expect(n.min[0], beat).toBeGreaterThan(big.max[0]);
      expect(n.min[1], beat).toBeGreaterThanOrEqual(big.min[1] - 1e-6);
      expect(n.min[1], beat).toBeLessThan(big.max[1]);
      // Every corner of nano projects inside the stage at the step's end.
      const m = cameraMatrices(s.camera, ctx.viewport.width, ctx.viewport.height, sceneRadius(layout));
      const p = new Float32Array(3);
      for (const x of [n.min[0], n.max[0]]) {
        for (const y of [n.min[1], n.max[1]]) {
          expect(projectPoint(m, [x, y, n.max[2]], ctx.viewport.width, ctx.viewport.height, p), beat).toBe(true);
          expect(p[0]!, beat).toBeGreaterThan(0);
          expect(p[0]!, beat).toBeLessThan(ctx.viewport.width);
          expect(p[1]!, beat).toBeGreaterThan(0);
          expect(p[1]!, beat).toBeLessThan(ctx.viewport.height);
        }
      }
      if (beat === 'work') continue;
      const named = s.callouts.findIndex((c) => isNano(c.block) && /gpt-nano/.test(c.text));
      expect(named, beat).toBeGreaterThanOrEqual(0);
      // ...and joined to it by an arrow.
      expect((s.links ?? []).some((l) => 'callout' in l.from && l.from.callout === named && 'block' in l.to && isNano(l.to.block)), beat).toBe(true);
    }
  });

  it('opens GPT-2 small on its stretch with nano beside it, both in view', () => {
    const s = direct(scale, order, order.indexOf('gpt2-small'), 0, ctx);
    const layout = drawnLayout(ctx.layoutOf, s.model, ctx.trace.ids.length);
    const off = (id: string) => s.blocks[id]?.offset ?? [0, 0, 0];
    const n = boxOf(layout, isNano, off);
    const m = cameraMatrices(s.camera, ctx.viewport.width, ctx.viewport.height, sceneRadius(layout));
    const p = new Float32Array(3);
    const stretch = s.highlights.find((h) => h.role === 'source')!;
    const inView = (at: Vec3) => projectPoint(m, at, ctx.viewport.width, ctx.viewport.height, p) && p[0]! > 0 && p[0]! < ctx.viewport.width && p[1]! > 0 && p[1]! < ctx.viewport.height;
    expect(inView([(n.min[0] + n.max[0]) / 2, (n.min[1] + n.max[1]) / 2, n.max[2]])).toBe(true);
    const b = layout.blocks.find((x) => x.id === stretch.block)!;
    const o = off(b.id);
    expect(inView([b.position[0] + o[0] + b.size[0] / 2, b.position[1] + o[1] - 1, b.position[2]])).toBe(true);
    // Beside the tinted rows: top level with theirs, across the spine, less than twice its width to their right.
    const width = n.max[0] - n.min[0];
    expect(n.max[1]).toBeCloseTo(b.position[1] + o[1], 6);
    expect(n.min[0]).toBeGreaterThan(b.position[0] + o[0] + b.size[0]);
    expect(n.min[0] - (b.position[0] + o[0] + b.size[0])).toBeLessThan(2 * width);
    // ...and at the foot once the view has pulled back.
    const end = direct(scale, order, order.indexOf('gpt2-small'), 1, ctx);
    expect(boxOf(layout, isNano, (id) => end.blocks[id]?.offset ?? [0, 0, 0]).min[1]).toBeLessThan(n.min[1]);
    // nano fills a good part of the stage's height here: the reader sees it, not a speck.
    const top = projectPoint(m, [n.min[0], n.max[1], n.max[2]], ctx.viewport.width, ctx.viewport.height, p) ? p[1]! : NaN;
    const bottom = projectPoint(m, [n.min[0], n.min[1], n.max[2]], ctx.viewport.width, ctx.viewport.height, p) ? p[1]! : NaN;
    expect(bottom - top).toBeGreaterThan(0.15 * ctx.viewport.height);
  });

  it('joins the callout on GPT-2 small\'s tinted rows to those rows by an arrow, from the close view to the whole model', () => {
    for (const t of [0, 0.5, 1]) {
      const s = direct(scale, order, order.indexOf('gpt2-small'), t, ctx);
      const stretch = s.highlights.find((h) => h.role === 'source')!;
      expect(stretch.rows, 'a stretch of rows').toBeDefined();
      const named = s.callouts.findIndex((c) => /rows = all of nano/.test(c.text));
      expect(named, `t = ${t}`).toBeGreaterThanOrEqual(0);
      const link = (s.links ?? []).find((l) => 'callout' in l.from && l.from.callout === named);
      expect(link?.to, `t = ${t}`).toEqual({ block: stretch.block, rows: stretch.rows, cols: stretch.cols });
    }
  });

  it('walks nano to the foot in front of the model, never through its blocks', () => {
    const layout = drawnLayout(ctx.layoutOf, 'gpt2-small', ctx.trace.ids.length);
    const step = order.indexOf('gpt2-small');
    const home = [0, 1].map((t) => boxOf(layout, isNano, (id) => direct(scale, order, step, t, ctx).blocks[id]!.offset!));
    let walked = 0;
    for (let t = 0; t <= 1.0001; t += 0.02) {
      const s = direct(scale, order, order.indexOf('gpt2-small'), t, ctx);
      const off = (id: string) => s.blocks[id]?.offset ?? [0, 0, 0];
      const n = boxOf(layout, isNano, off);
      const resting = home.some((h) => h.min.every((v, i) => Math.abs(v - n.min[i]!) < 1e-6));
      if (resting) continue;
      walked++;
      // On its way: in front of every block of GPT-2 small it passes over.
      for (const b of layout.blocks) {
        if (isNano(b.id)) continue;
        const o = off(b.id);
        const [x0, x1, y0, y1] = [b.position[0] + o[0], b.position[0] + o[0] + b.size[0], b.position[1] + o[1] - b.size[1], b.position[1] + o[1]];
        if (x1 <= n.min[0] || x0 >= n.max[0] || y1 <= n.min[1] || y0 >= n.max[1]) continue;
        expect(n.min[2], `t = ${t.toFixed(2)}: nano meets ${b.id}`).toBeGreaterThan(b.position[2] + o[2]);
      }
    }
    expect(walked).toBeGreaterThan(5);
  });
});

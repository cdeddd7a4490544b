/**
 * What the directors work out once instead of every frame: the previous step's end (where the
 * camera comes from while it moves) and a folded whole-model view. Each must still follow every
 * input it depends on.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CAMERA_MOVE, direct, isDirector, type DirectorContext } from '../../src/story/director.ts';
import { DIRECTORS } from '../../src/story/directors/index.ts';
import { grouped } from '../../src/scene/numbers.ts';
import { computedUpTo, folded, mergeStyles, paramsOf } from '../../src/story/directors/common.ts';
import { readOut, spineLengths } from '../../src/story/directors/stack.ts';
import { layerBlockIds } from '../../src/scene/ids.ts';
import { param } from '../../src/story/directors/column-focus.ts';
import { paramViews } from '../../src/gpt/reference.ts';
import { directorContext } from './director-context.ts';

let ctx: DirectorContext;
beforeAll(async () => {
  ctx = await directorContext();
});

describe("the previous step's end, directed once per camera move", () => {
  const director = DIRECTORS['self-attention']!;
  const order = Object.keys(director.steps);
  const index = order.findIndex((name, i) => i > 0 && !director.cuts?.includes(name));
  const t = CAMERA_MOVE / 2;

  it('gives the camera a fresh direction would give, frame after frame', () => {
    const fresh = { ...ctx, viewport: { ...ctx.viewport } };
    const a = direct(director, order, index, t, ctx).camera;
    const b = direct(director, order, index, t, fresh).camera;
    const explicit = direct(director, order, index, t, ctx, director.steps[order[index - 1]!]!(ctx, 1)).camera;
    expect(b).toEqual(a);
    expect(a).toEqual(explicit);
  });

  it('follows the stage size, also when a context is resized in place', () => {
    const wide = direct(director, order, index, t, ctx).camera;
    const narrow = { ...ctx, viewport: { width: 390, height: 844 } };
    const cam = direct(director, order, index, t, narrow).camera;
    expect(cam).toEqual(direct(director, order, index, t, narrow, director.steps[order[index - 1]!]!(narrow, 1)).camera);
    expect(cam).not.toEqual(wide);
    // The same object resized in place is a new stage, not the one remembered.
    const resized = { ...ctx, viewport: { ...ctx.viewport } };
    direct(director, order, index, t, resized);
    resized.viewport.width = 390;
    resized.viewport.height = 844;
    expect(direct(director, order, index, t, resized).camera).toEqual(cam);
  });
});

describe('folded whole-model views', () => {
  it('are the same object for the same stage and options, and differ when either changes', () => {
    const a = folded(ctx);
    expect(folded({ ...ctx, viewport: { ...ctx.viewport } })).toBe(a);
    expect(folded(ctx, ctx.layout, { zoom: 1.2 }).camera.distance).toBeCloseTo(a.camera.distance * 1.2, 6);
    expect(folded(ctx, ctx.layout, { yaw: 0.1 }).camera).not.toEqual(a.camera);
    const phone = folded({ ...ctx, viewport: { width: 390, height: 844 } });
    expect(phone.camera).not.toEqual(a.camera);
    expect(folded(ctx, ctx.layoutOf('gpt2-small', 6)).fold).not.toBe(a.fold);
  });
});

describe('block styles a sweep builds every frame', () => {
  it('computedUpTo: every block not computed yet shares one frozen style; the block being filled has its own', () => {
    const flow = ctx.layout.blocks.filter((b) => b.kind !== 'weight');
    const at = flow[3]!;
    const a = computedUpTo(ctx.layout, at.id, 0.5);
    const b = computedUpTo(ctx.layout, flow[5]!.id);
    const later = flow.slice(6).map((x) => x.id);
    expect(later.length).toBeGreaterThan(5);
    for (const id of later) {
      expect(a[id]).toEqual({ reveal: { cols: 0 } });
      expect(a[id]).toBe(b[id]);
    }
    expect(Object.isFrozen(a[later[0]!])).toBe(true);
    expect(a[at.id]!.reveal!.cols).toBeGreaterThan(0);
    expect(a[at.id]!.reveal!.cols).toBeLessThan(at.cols.size);
    expect(b[flow[5]!.id]).toBeUndefined();
    expect(a[flow[2]!.id]).toBeUndefined();
    expect(() => computedUpTo(ctx.layout, 'no-such-block')).toThrow(/no block "no-such-block"/);
  });

  it('mergeStyles: merged field by field, later sets winning, and a block styled by one set keeps that very object', () => {
    const { fold } = folded(ctx);
    const id = Object.keys(fold.styles)[0]!;
    const other = ctx.layout.blocks.find((b) => !(b.id in fold.styles))!.id;
    const mine = { reveal: { cols: 2 } };
    const merged = mergeStyles(fold.styles, { [id]: { opacity: 0.5 }, [other]: mine });
    expect(merged[id]).toEqual({ ...fold.styles[id], opacity: 0.5 });
    expect(merged[other]).toBe(mine);
    const second = Object.keys(fold.styles)[1]!;
    expect(merged[second]).toBe(fold.styles[second]);
    expect(mergeStyles(fold.styles, { [id]: { offset: [1, 2, 3] } })[id]!.offset).toEqual([1, 2, 3]);
    expect(mergeStyles({}, fold.styles, {})).toBe(fold.styles);
  });
});

describe("scale's model steps", () => {
  it('work out the tinted stretch once per model and stage size, and a new one for another stage', () => {
    const step = DIRECTORS.scale!.steps.gpt3!;
    const a = step(ctx, 0.3);
    const b = step({ ...ctx, viewport: { ...ctx.viewport } }, 0.6);
    expect(b.highlights![0]).toBe(a.highlights![0]);
    expect(b.highlights).toEqual(a.highlights);
    expect(b.describe).toBe(a.describe);
    expect(b.camera).not.toEqual(a.camera);
    const phone = step({ ...ctx, viewport: { width: 390, height: 844 } }, 0.3);
    expect(phone.highlights![0]).not.toBe(a.highlights![0]);
    expect(phone.highlights).toEqual(a.highlights);
  });

  it("the ride down GPT-3 lights the current layer's blocks, the same array while it stays on a layer", () => {
    const work = DIRECTORS.scale!.steps.work!;
    const layout = ctx.layoutOf('gpt3', ctx.layout.T);
    const a = work(ctx, 0.5);
    const b = work(ctx, 0.5001);
    expect(b.highlights).toBe(a.highlights);
    const layer = layout.blocks.find((x) => x.id === a.highlights![0]!.block)!.layer!;
    expect(a.highlights!.map((h) => h.block)).toEqual(layout.blocks.filter((x) => x.layer === layer).map((x) => x.id));
    expect(work(ctx, 0.7).highlights).not.toEqual(a.highlights);
  });
});

describe("the stack's read-out of each layer's column", () => {
  it('is worked out once per trace and weights, and after the last layer says what the model says', () => {
    const last = layerBlockIds(ctx.config.n_layer - 1).resid2;
    const a = readOut(ctx, last);
    expect(readOut({ ...ctx }, last)).toBe(a);
    const p = ctx.trace.tensors['probs']!;
    const V = p.shape[1]!;
    const T = ctx.trace.ids.length;
    const model = Array.from(p.data.subarray((T - 1) * V, T * V));
    expect(a).toHaveLength(V);
    a.forEach((x, i) => expect(x).toBeCloseTo(model[i]!, 5));
    // Other weights (a training checkpoint, say) are read anew.
    const other = readOut({ ...ctx, params: new Float32Array(ctx.params) }, last);
    expect(other).not.toBe(a);
    expect(other).toEqual(a);
    expect(readOut(ctx, layerBlockIds(0).resid2)).not.toEqual(a);
  });
});

describe("the stack's lengths of the last column down the spine", () => {
  it('are worked out once per trace, and are the norms of the residual stream there', () => {
    const a = spineLengths(ctx);
    expect(spineLengths({ ...ctx })).toBe(a);
    expect(a).toHaveLength(1 + 2 * ctx.config.n_layer);
    const resid = ctx.trace.tensors[layerBlockIds(ctx.config.n_layer - 1).resid2]!;
    const C = ctx.config.n_embd;
    const T = ctx.trace.ids.length;
    const last = Array.from(resid.data.subarray((T - 1) * C, T * C));
    expect(a[a.length - 1]).toBeCloseTo(Math.hypot(...last), 4);
  });
});

describe('counts written by directors', () => {
  it('use one formatter made once, not toLocaleString (a new formatter per call, ~50 µs in Chromium)', () => {
    const spy = vi.spyOn(Number.prototype, 'toLocaleString');
    try {
      let steps = 0;
      for (const director of Object.values(DIRECTORS).filter(isDirector)) {
        const order = Object.keys(director.steps);
        for (let i = 0; i < order.length; i++) {
          for (const t of [0, 0.5, 1]) {
            direct(director, order, i, t, ctx);
            steps++;
          }
        }
      }
      expect(steps).toBeGreaterThan(100);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(grouped(85728)).toBe('85,728');
    expect(grouped(175_181_291_520)).toBe('175,181,291,520');
  });
});

describe('named views of the weights, made once per weights buffer', () => {
  it('give the same map frame after frame, a new one for other weights, and the parameters paramViews gives', () => {
    const a = paramsOf(ctx);
    expect(paramsOf({ ...ctx, viewport: { ...ctx.viewport } })).toBe(a);
    const views = paramViews(ctx.config, ctx.params);
    expect([...a.keys()]).toEqual([...views.keys()]);
    expect(param(ctx, 'transformer.h.0.ln_1.weight')).toEqual(views.get('transformer.h.0.ln_1.weight'));
    const other = { ...ctx, params: ctx.params.slice() };
    expect(paramsOf(other)).not.toBe(a);
    expect(paramsOf(other).get('lm_head.weight')!.buffer).toBe(other.params.buffer);
    expect(() => param(ctx, 'no.such.weight')).toThrow(/no parameter/);
  });
});

import { describe, expect, it } from 'vitest';
import { balancedRuns, bakeFold, foldForStage, foldLayout, foldParts, foldStyles } from '../../src/scene/fold.ts';
import { layoutModel } from '../../src/scene/layout.ts';
import { cameraMatrices, frameBoxOblique, projectPoint } from '../../src/scene/camera.ts';
import type { Block, ModelId, Vec3 } from '../../src/scene/types.ts';

const boxOf = (b: Block, o: Vec3 = [0, 0, 0]) => ({
  x0: b.position[0] + o[0],
  x1: b.position[0] + o[0] + b.size[0],
  y0: b.position[1] + o[1] - b.size[1],
  y1: b.position[1] + o[1],
});

describe('balancedRuns', () => {
  it('splits a sequence into contiguous runs with the smallest tallest run', () => {
    expect(balancedRuns([1, 1, 1, 1], 2, 0)).toEqual([0, 0, 1, 1]);
    expect(balancedRuns([3, 1, 1, 1], 2, 0)).toEqual([0, 1, 1, 1]);
    expect(balancedRuns([5], 3, 0)).toEqual([0]);
    // Gaps count between parts of one run.
    expect(balancedRuns([1, 1, 1], 1, 10)).toEqual([0, 0, 0]);
  });
});

describe('foldLayout', () => {
  for (const model of ['nano', 'gpt2-small', 'gpt3'] as ModelId[]) {
    const layout = layoutModel(model, 6);
    it(`${model}: parts in reading order cover every block once`, () => {
      const parts = foldParts(layout);
      expect(parts[0]!.name).toBe('Embedding');
      expect(parts[parts.length - 2]!.name).toBe('Output head');
      expect(parts[parts.length - 1]!.name).toBe('Softmax');
      expect(parts.length).toBe(2 * layout.config.n_layer + 3);
      expect(parts[1]!.name).toBe('Layer 1, attention');
      expect(parts[2]!.name).toBe('Layer 1, MLP');
      expect(parts.flatMap((p) => p.blocks).sort()).toEqual(layout.blocks.map((b) => b.id).sort());
    });

    for (const columns of [1, 2, 5]) {
      it(`${model}, ${columns} columns: whole parts move, nothing overlaps, bounds hold every block`, () => {
        const fold = foldLayout(layout, columns);
        expect(fold.columns).toBeLessThanOrEqual(columns);
        // Columns are filled in reading order.
        for (let i = 1; i < fold.columnOf.length; i++) expect(fold.columnOf[i]! - fold.columnOf[i - 1]!).toBeGreaterThanOrEqual(0);
        for (const p of fold.parts) {
          const o = fold.offsets[p.blocks[0]!]!;
          for (const id of p.blocks) expect(fold.offsets[id]).toEqual(o);
        }
        const boxes = layout.blocks.map((b) => boxOf(b, fold.offsets[b.id]));
        for (const r of boxes) {
          expect(r.x0).toBeGreaterThanOrEqual(fold.bounds.min[0] - 1e-6);
          expect(r.x1).toBeLessThanOrEqual(fold.bounds.max[0] + 1e-6);
          expect(r.y0).toBeGreaterThanOrEqual(fold.bounds.min[1] - 1e-6);
          expect(r.y1).toBeLessThanOrEqual(fold.bounds.max[1] + 1e-6);
        }
        // Parts in different columns or different places never overlap.
        const partBox = fold.parts.map((p) => {
          const bs = p.blocks.map((id) => boxes[layout.blocks.findIndex((b) => b.id === id)]!);
          return { x0: Math.min(...bs.map((b) => b.x0)), x1: Math.max(...bs.map((b) => b.x1)), y0: Math.min(...bs.map((b) => b.y0)), y1: Math.max(...bs.map((b) => b.y1)) };
        });
        for (let i = 0; i < partBox.length; i++) {
          for (let j = i + 1; j < partBox.length; j++) {
            const a = partBox[i]!;
            const b = partBox[j]!;
            const overlap = a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
            expect(overlap, `${fold.parts[i]!.name} overlaps ${fold.parts[j]!.name}`).toBe(false);
          }
        }
      });
    }
  }

  it('is cached: the same layout and column count give the same object (the renderer uploads nothing new)', () => {
    const layout = layoutModel('nano', 6);
    expect(foldLayout(layout, 2)).toBe(foldLayout(layout, 2));
    expect(foldLayout(layout, 2).styles).toBe(foldStyles(null, foldLayout(layout, 2), 1));
  });

  it('keeps layers whole in a column where that costs little height', () => {
    for (const model of ['gpt2-small', 'gpt2-xl', 'gpt3'] as ModelId[]) {
      const f = foldForStage(layoutModel(model, 6), 1);
      const split = f.parts.filter((p, i) => p.name.endsWith(', MLP') && f.columnOf[i] !== f.columnOf[i - 1]);
      expect(split.map((p) => p.name), model).toEqual([]);
    }
  });

  it('picks the column count whose drawing has the stage’s shape', () => {
    const layout = layoutModel('gpt3', 6);
    const wide = foldForStage(layout, 2);
    const tall = foldForStage(layout, 0.5);
    expect(wide.columns).toBeGreaterThan(tall.columns);
    const aspect = (f: typeof wide) => (f.bounds.max[0] - f.bounds.min[0]) / (f.bounds.max[1] - f.bounds.min[1]);
    expect(Math.abs(Math.log(aspect(wide) / 2))).toBeLessThan(0.5);
    // nano on a square stage: at least twice as wide a drawing as unfolded.
    const nano = layoutModel('nano', 6);
    const folded = foldForStage(nano, 1);
    expect(aspect(folded)).toBeGreaterThan(2 * aspect(foldLayout(nano, 1)));
  });

  it('interpolates offsets between folds, ends exact', () => {
    const layout = layoutModel('nano', 6);
    const f = foldLayout(layout, 2);
    const moved = Object.keys(f.styles)[0]!;
    expect(foldStyles(null, f, 0)).toEqual({});
    expect(foldStyles(f, null, 1)).toEqual({});
    const half = foldStyles(null, f, 0.5)[moved]!.offset!;
    const full = f.offsets[moved]!;
    half.forEach((v, i) => expect(v).toBeCloseTo(full[i]! / 2, 9));
  });

  it('bakes a fold into positions and spine ends', () => {
    const layout = layoutModel('nano', 6);
    const f = foldLayout(layout, 2);
    const baked = bakeFold(layout, f);
    baked.blocks.forEach((b, i) => {
      const o = f.offsets[b.id]!;
      expect(b.position).toEqual([layout.blocks[i]!.position[0] + o[0], layout.blocks[i]!.position[1] + o[1], layout.blocks[i]!.position[2] + o[2]]);
    });
    // Spine arrows move with the blocks they join, wherever those went.
    expect(baked.spine.length).toBe(layout.spine.length);
    baked.spine.forEach((seg, i) => {
      const orig = layout.spine[i]!;
      const fo = f.offsets[orig.fromBlock!]!;
      const to = f.offsets[orig.toBlock!]!;
      seg.from.forEach((v, k) => expect(v).toBeCloseTo(orig.from[k]! + fo[k]!, 9));
      seg.to.forEach((v, k) => expect(v).toBeCloseTo(orig.to[k]! + to[k]!, 9));
    });
  });
});

describe('frameBoxOblique', () => {
  it('centres the projected box and fills the limiting side to the asked share', () => {
    const min: Vec3 = [-208, -1506, -1];
    const max: Vec3 = [690, 0, 0];
    for (const [w, h] of [
      [780, 800],
      [390, 388],
    ]) {
      const cam = frameBoxOblique(min, max, w!, h!, -0.32, 0.2, 0.9);
      const m = cameraMatrices(cam, w!, h!, 2000);
      const p = new Float32Array(3);
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = 0; i < 8; i++) {
        expect(projectPoint(m, [i & 1 ? max[0] : min[0], i & 2 ? max[1] : min[1], i & 4 ? max[2] : min[2]], w!, h!, p)).toBe(true);
        xs.push(p[0]!);
        ys.push(p[1]!);
      }
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      expect((x0 + x1) / 2).toBeCloseTo(w! / 2, -1);
      expect((y0 + y1) / 2).toBeCloseTo(h! / 2, -1);
      expect(x0).toBeGreaterThanOrEqual(0);
      expect(y0).toBeGreaterThanOrEqual(0);
      expect(x1).toBeLessThanOrEqual(w!);
      expect(y1).toBeLessThanOrEqual(h!);
      expect(Math.max((x1 - x0) / w!, (y1 - y0) / h!)).toBeGreaterThan(0.85);
    }
  });
});

/**
 * The data-flow arrows: every path starts on the block (or the spine) its data leaves, runs in
 * connected pieces, and ends with one arrowhead on the edge of the block that data goes into;
 * the pairs it joins are exactly the stages of the forward pass, and each target really is
 * computed from its source (the layout's `inputs`). Checked for nano at every sequence length the
 * article uses and for the render-only models' merged blocks.
 */
import { describe, expect, it } from 'vitest';
import { flowSegments } from '../../src/scene/flows.ts';
import { blockById, layoutModel } from '../../src/scene/layout.ts';
import type { Block, ModelLayout, SpineSegment, Vec3 } from '../../src/scene/types.ts';

const EPS = 1e-9;

/** Whether p lies on the boundary of the block's front rectangle (x, y; z is the blocks' mid-depth). */
function onEdge(b: Block, p: Vec3): boolean {
  const [x0, y1] = [b.position[0], b.position[1]];
  const [x1, y0] = [x0 + b.size[0], y1 - b.size[1]];
  const inside = p[0] >= x0 - EPS && p[0] <= x1 + EPS && p[1] >= y0 - EPS && p[1] <= y1 + EPS;
  const onSide = Math.abs(p[0] - x0) < EPS || Math.abs(p[0] - x1) < EPS || Math.abs(p[1] - y0) < EPS || Math.abs(p[1] - y1) < EPS;
  return inside && onSide;
}

/** Whether p lies on the segment a-b (axis-aligned or not). */
function onSegment(p: Vec3, s: SpineSegment): boolean {
  const d = [0, 1, 2].map((i) => s.to[i]! - s.from[i]!);
  const len2 = d.reduce((t, x) => t + x * x, 0);
  const u = len2 === 0 ? 0 : [0, 1, 2].reduce((t, i) => t + (p[i]! - s.from[i]!) * d[i]!, 0) / len2;
  if (u < -EPS || u > 1 + EPS) return false;
  return [0, 1, 2].every((i) => Math.abs(s.from[i]! + u * d[i]! - p[i]!) < 1e-6);
}

/**
 * Source -> target pairs: each arrowhead traced back through the runs that feed it (a run ending
 * on it, or the run it branches off) to block edges or the spine.
 */
function pairs(layout: ModelLayout): string[] {
  const byId = blockById(layout);
  const segs = flowSegments(layout);
  const sourcesOf = (s: SpineSegment, seen: Set<SpineSegment>): string[] => {
    if (seen.has(s)) return [];
    seen.add(s);
    const from = byId.get(s.fromBlock!)!;
    if (onEdge(from, s.from)) return [from.id];
    if (layout.spine.some((sp) => onSegment(s.from, sp))) return ['spine'];
    const feeders = segs.filter((o) => o !== s && o.head === false && (onSegment(o.to, s) || onSegment(s.from, o)));
    expect(feeders.length, `flow from ${JSON.stringify(s.from)} (${s.fromBlock}) hangs from nothing`).toBeGreaterThan(0);
    return feeders.flatMap((o) => sourcesOf(o, seen));
  };
  const out = new Set<string>();
  for (const s of segs.filter((x) => x.head !== false)) for (const src of sourcesOf(s, new Set())) out.add(`${src} -> ${s.toBlock}`);
  return [...out];
}

/** The pairs the forward pass of nano has, written out from the model's structure. */
function expectedNano(L: number, H: number): string[] {
  const out = ['tok_emb -> embed', 'pos_emb -> embed'];
  for (let l = 0; l < L; l++) {
    const p = `h.${l}`;
    out.push(`spine -> ${p}.ln_1`);
    for (let h = 0; h < H; h++) out.push(`${p}.ln_1 -> ${p}.attn.head${h}.q`);
    for (let h = 0; h < H; h++) {
      const hp = `${p}.attn.head${h}`;
      out.push(`${hp}.q -> ${hp}.scores`, `${hp}.k -> ${hp}.scores`, `${hp}.v -> ${hp}.out`);
    }
    for (let h = 0; h < H; h++) out.push(`${p}.attn.head${h}.out -> ${p}.attn.proj`);
    out.push(`${p}.attn.proj -> ${p}.resid_1`, `spine -> ${p}.ln_2`, `${p}.ln_2 -> ${p}.mlp.fc`, `${p}.mlp.proj -> ${p}.resid_2`);
  }
  out.push(`h.${L - 1}.resid_2 -> ln_f`, 'ln_f -> logits');
  return out;
}

/** Every block id `id` is computed from, directly or not. */
function ancestors(layout: ModelLayout, id: string): Set<string> {
  const byId = blockById(layout);
  const seen = new Set<string>();
  const visit = (x: string) => {
    for (const i of byId.get(x)?.inputs ?? []) {
      if (!seen.has(i)) {
        seen.add(i);
        visit(i);
      }
    }
  };
  visit(id);
  return seen;
}

const layouts = [layoutModel('nano', 6), layoutModel('nano', 11), layoutModel('nano', 1), layoutModel('gpt2-small', 6), layoutModel('gpt2-xl', 6)];

describe('flow arrows', () => {
  it('join exactly the stages of nano’s forward pass, each target computed from its source', () => {
    for (const layout of layouts.slice(0, 3)) {
      const got = pairs(layout);
      expect([...got].sort(), `T = ${layout.T}`).toEqual(expectedNano(3, 3).sort());
      for (const pair of got) {
        const [from, to] = pair.split(' -> ') as [string, string];
        if (from !== 'spine') expect(ancestors(layout, to).has(from), pair).toBe(true);
        // From the spine: the target reads the residual stream (a resid block or the embedding).
        else expect([...ancestors(layout, to)].some((a) => a === 'embed' || a.endsWith('resid_1') || a.endsWith('resid_2')), pair).toBe(true);
      }
    }
  });

  it('draw the merged blocks of the render-only models the same way', () => {
    for (const layout of layouts.slice(3)) {
      const got = pairs(layout);
      const L = layout.config.n_layer;
      expect(got, layout.model).toHaveLength(2 + L * 8 + 2);
      expect(got).toContain('h.0.ln_1 -> h.0.attn.qkv');
      expect(got).toContain('h.0.attn.qkv -> h.0.attn.heads');
      expect(got).toContain(`h.0.attn.heads -> h.0.attn.proj`);
      for (const pair of got) {
        const [from, to] = pair.split(' -> ') as [string, string];
        if (from !== 'spine') expect(ancestors(layout, to).has(from), `${layout.model} ${pair}`).toBe(true);
      }
    }
  });

  it('end every arrowhead on the edge of its block, each end owned by the block it touches, bends axis-aligned', () => {
    for (const layout of layouts) {
      const byId = blockById(layout);
      for (const s of flowSegments(layout)) {
        expect(byId.has(s.fromBlock!) && byId.has(s.toBlock!), `${s.fromBlock} -> ${s.toBlock}`).toBe(true);
        if (s.head !== false) expect(onEdge(byId.get(s.toBlock!)!, s.to), `head into ${s.toBlock} at ${JSON.stringify(s.to)}`).toBe(true);
        const moves = [0, 1].filter((i) => Math.abs(s.to[i]! - s.from[i]!) > EPS).length;
        // In the layout as built every piece is horizontal or vertical (only offsets can tilt one).
        expect(moves, `${s.fromBlock} -> ${s.toBlock}`).toBe(1);
        expect(s.from[2]).toBe(-0.5);
      }
    }
  });

  it('pass through no block on the way', () => {
    for (const layout of layouts.slice(0, 2)) {
      for (const s of flowSegments(layout)) {
        // Sample the open segment; its ends may touch the blocks they join.
        for (let k = 1; k < 20; k++) {
          const u = k / 20;
          const p = [0, 1].map((i) => s.from[i]! + u * (s.to[i]! - s.from[i]!)) as [number, number];
          const hit = layout.blocks.find(
            (b) => p[0] > b.position[0] + EPS && p[0] < b.position[0] + b.size[0] - EPS && p[1] < b.position[1] - EPS && p[1] > b.position[1] - b.size[1] + EPS,
          );
          expect(hit?.id, `T = ${layout.T}: ${s.fromBlock} -> ${s.toBlock} crosses ${hit?.id}`).toBeUndefined();
        }
      }
    }
  });

  it('is computed once per layout', () => {
    const layout = layoutModel('nano', 6);
    expect(flowSegments(layout)).toBe(flowSegments(layout));
  });
});

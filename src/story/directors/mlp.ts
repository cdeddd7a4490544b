/**
 * Chapter 7, the MLP of layer 1: layer norm 2, the expansion to 4C, GELU on every cell, the
 * projection back to C, and the addition to the residual stream; then the whole block.
 */
import type { ChapterDirector, DirectorContext } from '../director.ts';
import { beat, countAt, lerp, lerpCamera, lerpVec } from '../beats.ts';
import { cell, cols, computedUpTo, frame, lastCol, rows, whole } from './common.ts';
import { columnAt, frameRegion, layerNormStep, narrow, num, productsOf, regionOf, valueAt } from './forward-sweep.ts';
import { layerBlockIds, lnBlockIds, lnId, TOP_IDS } from '../../scene/ids.ts';
import type { Callout, Highlight, Vec3 } from '../../scene/types.ts';

const L = layerBlockIds(0);
const LN = lnBlockIds(lnId(0, 'ln_2'));

/** The channel the projection and the residual steps follow (0-based; the prose calls it channel 29). */
export const MLP_CHANNEL = 28;

/**
 * Where the GELU block sits while the chapter compares it with its input: beside the
 * pre-activation block (same rows, two cells to its right) instead of below it. Computed from the
 * layout so it follows any change of spacing.
 */
function geluBeside(ctx: DirectorContext): Vec3 {
  const fc = ctx.layout.blocks.find((b) => b.id === L.fc)!;
  const g = ctx.layout.blocks.find((b) => b.id === L.gelu)!;
  return [fc.position[0] + fc.size[0] + 2 - g.position[0], fc.position[1] - g.position[1], 0];
}

/**
 * Three cells of the last column to show GELU on: the most negative input (squashed toward 0),
 * the most positive (passed almost unchanged) and one in the bend near 0.3, kept at least `gap`
 * rows apart so their labels do not collide.
 */
function geluSamples(ctx: DirectorContext, gap = 14): number[] {
  const x = columnAt(ctx, L.fc, lastCol(ctx));
  const order = x.map((_, i) => i);
  const lo = order.reduce((a, b) => (x[b]! < x[a]! ? b : a));
  const hi = order.reduce((a, b) => (x[b]! > x[a]! ? b : a));
  const picked = [lo, hi];
  const byBend = [...order].sort((a, b) => Math.abs(x[a]! - 0.3) - Math.abs(x[b]! - 0.3));
  const mid = byBend.find((i) => picked.every((p) => Math.abs(p - i) >= gap));
  if (mid !== undefined) picked.push(mid);
  return picked.sort((a, b) => a - b);
}

export const mlp: ChapterDirector = {
  chapter: 'mlp',
  model: 'nano',
  steps: {
    ln2: (ctx, t) => layerNormStep(ctx, t, LN, L.resid1, 'Layer norm 2, after attention,'),

    expand: (ctx, t) => {
      const T = lastCol(ctx);
      const { fill, focus, pull } = { fill: beat(t, 0.22, 0.3), focus: beat(t, 0.55, 0.1), pull: beat(t, 0.58, 0.37) };
      // The example cell: the largest value among the rows visible in the close-up.
      const top = columnAt(ctx, L.fc, T).slice(0, 40);
      const row = top.reduce((best, v, i) => (v > top[best]! ? i : best), 0);
      const { bias, products, value } = productsOf(ctx, L.fc, row, T);
      const fcTop = ctx.layout.blocks.find((b) => b.id === L.fc)!.position[1];
      const near = regionOf(ctx.layout, [LN.out, L.cFcWeight, L.fc], undefined, fcTop - 44);
      const far = regionOf(ctx.layout, [LN.out, L.cFcWeight, L.fc]);
      const camera = lerpCamera(frameRegion(ctx, near.min, near.max, { zoom: 1.05 }), frameRegion(ctx, far.min, far.max, { zoom: 1.05 }), pull);
      const highlights: Highlight[] = [cols(LN.out, [T, T + 1], 'source')];
      const callouts: Callout[] = [];
      if (focus > 0) {
        highlights.push(rows(L.cFcWeight, [row, row + 1], 'source'), rows(L.cFcBias, [row, row + 1], 'source'), cell(L.fc, row, T, 'result'));
        callouts.push({ block: L.fc, row, col: T, text: `${num(bias)} + Σ ${products.length} products = ${num(value)}`, role: 'result' });
      }
      if (pull >= 1) callouts.push({ block: L.fc, row: 191, col: T, text: `${ctx.layout.blocks.find((b) => b.id === L.fc)!.rows.size} numbers per letter`, role: 'muted' });
      return {
        camera,
        blocks: computedUpTo(ctx.layout, L.fc, fill),
        highlights,
        callouts,
        dim: focus * 0.35,
        describe: `The expansion multiplies each normalized column by ${products.length}-wide rows of weights, giving ${ctx.config.n_embd * 4} numbers per letter; hidden unit ${row + 1} of the last letter is ${num(bias)} plus the sum of ${products.length} products, ${num(value)}.`,
      };
    },

    gelu: (ctx, t) => {
      const T = lastCol(ctx);
      const { slide, fill } = { slide: beat(t, 0.05, 0.3), fill: beat(t, 0.38, 0.32) };
      const offset = lerpVec([0, 0, 0], geluBeside(ctx), slide);
      const samples = geluSamples(ctx);
      const shown = samples.filter((_, i) => t >= 0.76 + i * 0.06);
      const blocks = computedUpTo(ctx.layout, L.gelu, fill);
      blocks[L.gelu] = { ...blocks[L.gelu], offset };
      const box = regionOf(ctx.layout, [L.fc]);
      const side = geluBeside(ctx);
      const right = box.max[0] + side[0];
      const full = frameRegion(ctx, box.min, [right, box.max[1], box.max[2]], { zoom: 1.08, yaw: -0.12 });
      // Then closer, on the rows of the three examples, with room on the right for their labels.
      const top = box.max[1];
      const close = frameRegion(ctx, [box.min[0], top - samples[samples.length - 1]! - 10, -1], [right + 24, top - Math.max(0, samples[0]! - 10), 0], { zoom: 1.05, yaw: -0.12 });
      const camera = lerpCamera(full, close, beat(t, 0.7, 0.2));
      const highlights: Highlight[] = fill >= 1 ? [cols(L.fc, [T, T + 1], 'source'), cols(L.gelu, [T, T + 1], 'result')] : [];
      const callouts: Callout[] = [];
      for (const r of shown) {
        const x = valueAt(ctx, L.fc, r, T);
        highlights.push(cell(L.fc, r, T, 'focus'), cell(L.gelu, r, T, 'focus'));
        callouts.push({ block: L.gelu, row: r, col: T, text: `GELU(${num(x)}) = ${num(valueAt(ctx, L.gelu, r, T))}`, role: 'result' });
      }
      const said = samples.map((r) => `${num(valueAt(ctx, L.fc, r, T))} becomes ${num(valueAt(ctx, L.gelu, r, T))}`);
      return {
        camera,
        blocks,
        highlights,
        callouts,
        dim: shown.length ? 0.15 : 0,
        describe: `GELU is applied to every one of the ${ctx.config.n_embd * 4 * ctx.trace.ids.length} hidden numbers; the output is drawn beside its input. In the last column ${said.join(', ')}.`,
      };
    },

    project: (ctx, t) => {
      const T = lastCol(ctx);
      const ch = MLP_CHANNEL;
      const { back, run, fill } = { back: beat(t, 0, 0.3), run: beat(t, 0.3, 0.4), fill: beat(t, 0.74, 0.22) };
      const { bias, products, value } = productsOf(ctx, L.mlpProj, ch, T);
      const n = products.length;
      const k = countAt(n, run);
      const partial = bias + products.slice(0, k).reduce((s, [a, b]) => s + a * b, 0);
      const blocks = computedUpTo(ctx.layout, L.mlpProj, fill);
      blocks[L.gelu] = { offset: lerpVec(geluBeside(ctx), [0, 0, 0], back) };
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      if (run > 0) {
        highlights.push(
          { block: L.mlpCProjWeight, rows: [ch, ch + 1], cols: [0, k], role: 'source' },
          { block: L.gelu, rows: [0, k], cols: [T, T + 1], role: 'source' },
          cell(L.mlpCProjBias, ch, 0, 'source'),
          cell(L.mlpProj, ch, T, 'result'),
        );
        const text = k < n ? `bias + ${k} of ${n} products = ${num(partial)}` : `${num(bias)} + Σ ${n} products = ${num(value)}`;
        // On a phone the label would run off the right edge beside the result: pin it to the start of the row of weights.
        callouts.push(narrow(ctx) ? { block: L.mlpCProjWeight, row: ch, col: 0, text, role: 'result' } : { block: L.mlpProj, row: ch, col: T, text, role: 'result' });
      }
      const box = regionOf(ctx.layout, [L.mlpCProjWeight, L.gelu, L.mlpProj]);
      // Room on the right for the running sum's label.
      box.max[0] += 72;
      return {
        camera: frameRegion(ctx, box.min, box.max, { zoom: 1.0, yaw: -0.1 }),
        blocks,
        highlights,
        callouts,
        dim: run > 0 ? 0.3 : 0,
        describe: `The projection shrinks each column back to ${ctx.config.n_embd} channels: channel ${ch + 1} of the last letter is ${num(bias)} plus ${n} products, ${num(value)}.`,
      };
    },

    add: (ctx, t) => {
      const T = lastCol(ctx);
      const ch = MLP_CHANNEL;
      const fill = beat(t, 0.25, 0.45);
      const a = valueAt(ctx, L.resid1, ch, T);
      const b = valueAt(ctx, L.mlpProj, ch, T);
      const c = valueAt(ctx, L.resid2, ch, T);
      const done = fill >= 1;
      return {
        camera: frame(ctx, [L.mlpCProjBias, L.mlpProj, L.resid2], { zoom: 1.25, yaw: -0.2 }),
        blocks: computedUpTo(ctx.layout, L.resid2, fill),
        highlights: [cols(L.mlpProj, [T, T + 1], 'source'), cols(L.resid2, done ? [T, T + 1] : [countAt(T + 1, fill) - 1, countAt(T + 1, fill)], 'result'), cell(L.mlpProj, ch, T, 'focus'), cell(L.resid2, ch, T, 'focus')],
        callouts: done
          ? [
              { block: L.mlpProj, row: ch, col: T, text: `MLP adds ${num(b)}`, role: 'source' },
              { block: L.resid2, row: ch, col: T, text: `${num(a)} + ${num(b)} = ${num(c)}`, role: 'result' },
            ]
          : [],
        dim: 0.2,
        describe: `The MLP's output is added to the residual stream: in channel ${ch + 1} of the last letter, ${num(a)} + ${num(b)} = ${num(c)}.`,
      };
    },

    block: (ctx, t) => {
      const layer = ctx.layout.blocks.filter((b) => b.layer === 0);
      const attention = layer.filter((b) => ['ln_1', 'attention', 'projection'].includes(b.stage));
      const mlpPart = layer.filter((b) => ['ln_2', 'mlp'].includes(b.stage));
      const weightsOf = (bs: typeof layer) => bs.filter((b) => b.kind === 'weight').reduce((s, b) => s + b.rows.size * b.cols.size, 0);
      const wAttn = weightsOf(attention);
      const wMlp = weightsOf(mlpPart);
      const { pull, attn, mlpOn } = { pull: beat(t, 0, 0.5), attn: beat(t, 0.35, 0.05), mlpOn: beat(t, 0.62, 0.05) };
      const near = frame(ctx, [L.mlpCProjBias, L.mlpProj, L.resid2], { zoom: 1.25, yaw: -0.2 });
      const far = frame(ctx, layer.map((b) => b.id), { zoom: 1.12, yaw: -0.25, pitch: 0.05 });
      const highlights: Highlight[] = [whole(TOP_IDS.embed, 'result'), whole(L.resid1, 'result'), whole(L.resid2, 'result')];
      const callouts: Callout[] = [];
      if (attn > 0) {
        for (const b of attention) highlights.push(whole(b.id, mlpOn > 0 ? 'muted' : 'focus'));
        callouts.push({ block: attention[0]!.id, text: `attention: ${wAttn.toLocaleString('en-US')} weights`, role: 'source' });
      }
      if (mlpOn > 0) {
        for (const b of mlpPart) highlights.push(whole(b.id, 'focus'));
        callouts.push({ block: mlpPart[0]!.id, text: `MLP: ${wMlp.toLocaleString('en-US')} weights`, role: 'focus' });
      }
      return {
        camera: lerpCamera(near, far, pull),
        blocks: computedUpTo(ctx.layout, L.resid2),
        highlights,
        callouts,
        dim: lerp(0, 0.45, attn),
        describe: `One whole transformer block: attention (${wAttn.toLocaleString('en-US')} weights) and the MLP (${wMlp.toLocaleString('en-US')} weights), each adding its result to the residual stream.`,
      };
    },
  },
};

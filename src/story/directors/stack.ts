/**
 * Chapter 8, the stack: the same block three times; layers 2 and 3 computed by a scan line the
 * camera follows; the residual stream as the spine; the last column gathered from four depths; and
 * what the output head would read from each of them.
 */
import type { ChapterDirector, DirectorContext } from '../director.ts';
import { beat, countAt, lerp, lerpVec } from '../beats.ts';
import { cell, cols, computedUpTo, folded, lastCol, mergeStyles, paramsOf, whole } from './common.ts';
import { foldStyles } from '../../scene/fold.ts';
import { CAMERA_MOVE } from '../director.ts';
import { argmax, blockOf, columnAt, frameRegion, norm, num, prob, scanStyles, softmaxAt, valueAt } from './forward-sweep.ts';
import { layerBlockIds, lnBlockIds, lnId, TOP_IDS } from '../../scene/ids.ts';
import type { BlockStyle, Callout, Highlight, Vec3 } from '../../scene/types.ts';
import { LN_EPS, VOCAB } from '../../gpt/config.ts';
import { grouped } from '../../scene/numbers.ts';

/** The channel the chapter follows through the layers (0-based; the prose calls it channel 29). */
const CHANNEL = 28;

const layerIds = (ctx: DirectorContext, l: number) => ctx.layout.blocks.filter((b) => b.layer === l).map((b) => b.id);

/** The residual stream in order: the embedding, then after attention and after the MLP of each layer. */
function spine(ctx: DirectorContext): { id: string; name: string }[] {
  const out: { id: string; name: string }[] = [{ id: TOP_IDS.embed, name: 'embedding' }];
  for (let l = 0; l < ctx.config.n_layer; l++) {
    const ids = layerBlockIds(l);
    out.push({ id: ids.resid1, name: `+ attention ${l + 1}` }, { id: ids.resid2, name: `+ MLP ${l + 1}` });
  }
  return out;
}

/** The length of the last column at each point of the spine, worked out once per trace (every frame of the step shows the same). */
export function spineLengths(ctx: DirectorContext): number[] {
  let lengths = lengthsByTrace.get(ctx.trace);
  if (!lengths) lengthsByTrace.set(ctx.trace, (lengths = spine(ctx).map((x) => norm(columnAt(ctx, x.id, lastCol(ctx))))));
  return lengths;
}

const lengthsByTrace = new WeakMap<DirectorContext['trace'], number[]>();

/** The snapshots gathered in the last two steps: the stream before layer 1 and after each layer. */
function snapshots(ctx: DirectorContext): { id: string; name: string }[] {
  const out: { id: string; name: string }[] = [{ id: TOP_IDS.embed, name: 'embedding' }];
  for (let l = 0; l < ctx.config.n_layer; l++) out.push({ id: layerBlockIds(l).resid2, name: `layer ${l + 1}` });
  return out;
}

/** Where the snapshots line up: side by side, to the right of the last residual, at its height. */
function gatherOffsets(ctx: DirectorContext): Vec3[] {
  const shots = snapshots(ctx);
  const anchor = blockOf(ctx.layout, shots[shots.length - 1]!.id);
  const step = anchor.size[0] + 7;
  // Past the columns the spine keeps free for generated letters.
  const x0 = anchor.position[0] + Math.max(ctx.layout.T, ctx.config.block_size) + 3;
  return shots.map((s, i) => {
    const b = blockOf(ctx.layout, s.id);
    return [x0 + i * step - b.position[0], anchor.position[1] - b.position[1], 0];
  });
}

function gatheredStyles(ctx: DirectorContext, u: number): Record<string, BlockStyle> {
  const offsets = gatherOffsets(ctx);
  const out: Record<string, BlockStyle> = {};
  snapshots(ctx).forEach((s, i) => {
    out[s.id] = { offset: lerpVec([0, 0, 0], offsets[i]!, u) };
  });
  return out;
}

function gatherCamera(ctx: DirectorContext) {
  const offsets = gatherOffsets(ctx);
  const shots = snapshots(ctx);
  const first = blockOf(ctx.layout, shots[0]!.id);
  const last = blockOf(ctx.layout, shots[shots.length - 1]!.id);
  const o0 = offsets[0]!;
  const o1 = offsets[offsets.length - 1]!;
  const min: Vec3 = [first.position[0] + o0[0] - 1, last.position[1] - last.size[1] - 2, -1];
  const max: Vec3 = [last.position[0] + o1[0] + last.size[0] + 4, last.position[1] + 3, 0];
  return frameRegion(ctx, min, max, { zoom: 0.94, yaw: -0.15 });
}

/**
 * What the output head would say if the model stopped at this column: the final layer norm and
 * the lm head applied to it. The model itself only does this after the last layer. Worked out
 * once per trace, weights and block: every frame of the step reads the same numbers.
 */
export function readOut(ctx: DirectorContext, id: string): number[] {
  let known = readOuts.get(ctx.trace);
  if (!known || known.params !== ctx.params) readOuts.set(ctx.trace, (known = { params: ctx.params, byId: new Map() }));
  let probs = known.byId.get(id);
  if (!probs) known.byId.set(id, (probs = readOutNow(ctx, id)));
  return probs;
}

const readOuts = new WeakMap<DirectorContext['trace'], { params: Float32Array; byId: Map<string, number[]> }>();

function readOutNow(ctx: DirectorContext, id: string): number[] {
  const x = columnAt(ctx, id, lastCol(ctx));
  const w = paramsOf(ctx);
  const gamma = w.get('transformer.ln_f.weight')!;
  const beta = w.get('transformer.ln_f.bias')!;
  const head = w.get('lm_head.weight')!;
  const C = x.length;
  const mean = x.reduce((s, v) => s + v, 0) / C;
  const rstd = 1 / Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / C + LN_EPS);
  const y = x.map((v, i) => (v - mean) * rstd * gamma[i]! + beta[i]!);
  const logits = Array.from({ length: ctx.config.vocab_size }, (_, v) => y.reduce((s, yi, i) => s + head[v * C + i]! * yi, 0));
  return softmaxAt(logits, 1);
}

export const stack: ChapterDirector = {
  chapter: 'stack',
  model: 'nano',
  overviews: ['same-block', 'spine'],
  steps: {
    'same-block': (ctx, t) => {
      const L = ctx.config.n_layer;
      const u = beat(t, 0.22, 0.7);
      const k = Math.min(L - 1, Math.floor(u * L));
      const highlights: Highlight[] = u > 0 ? layerIds(ctx, k).map((id) => whole(id, 'focus')) : [];
      const callouts: Callout[] = [];
      for (let l = 0; l <= (u > 0 ? k : -1); l++) {
        const weights = ctx.layout.blocks.filter((b) => b.layer === l && b.kind === 'weight').reduce((s, b) => s + b.rows.size * b.cols.size, 0);
        callouts.push({ block: lnBlockIds(lnId(l, 'ln_1')).mean, text: `layer ${l + 1}: ${grouped(weights)} weights of its own`, role: l === k ? 'focus' : 'muted' });
      }
      // The whole model folded into columns, so the three layers stand side by side and fill the stage.
      const { fold, camera } = folded(ctx);
      return {
        camera,
        blocks: mergeStyles(foldStyles(null, fold, beat(t, 0, CAMERA_MOVE)), computedUpTo(ctx.layout, layerBlockIds(0).resid2)),
        highlights,
        callouts,
        dim: u > 0 ? 0.35 : 0,
        describe: `The ${L} layers side by side in depth: the same shapes repeated, each with its own weights. Layer 1 is computed; layers 2 and 3 are still empty.`,
      };
    },

    sweep: (ctx, t) => {
      const from = lnBlockIds(lnId(1, 'ln_1')).mean;
      const to = layerBlockIds(ctx.config.n_layer - 1).resid2;
      const top = blockOf(ctx.layout, from).position[1] + 1;
      const end = blockOf(ctx.layout, to);
      const bottom = end.position[1] - end.size[1] - 1;
      const u = beat(t, 0.22, 0.72);
      const y = lerp(top, bottom, u);
      // The camera rides along with the scan line, a window of fixed size kept inside the two layers.
      const rows = ctx.layout.blocks.filter((b) => b.layer === 1 || b.layer === 2);
      const xs = rows.flatMap((b) => [b.position[0], b.position[0] + b.size[0]]);
      const half = 260;
      const cy = Math.min(top - half, Math.max(bottom + half, y));
      const camera = frameRegion(ctx, [Math.min(...xs), cy - half, -1], [Math.max(...xs), cy + half, 0], { zoom: 0.98, yaw: -0.15 });
      const crossing = rows.filter((b) => b.kind !== 'weight' && b.position[1] > y && b.position[1] - b.size[1] < y);
      return {
        camera,
        // Unfolds from the previous step's whole-model view while the camera moves in.
        blocks: mergeStyles(foldStyles(folded(ctx).fold, null, beat(t, 0, CAMERA_MOVE)), scanStyles(ctx.layout, from, to, y)),
        highlights: crossing.map((b) => whole(b.id, 'focus')),
        describe: `Layers 2 and 3 compute in turn, top to bottom${crossing.length ? `; now ${crossing[0]!.label}` : ''}.`,
      };
    },

    spine: (ctx, t) => {
      const s = spine(ctx);
      const u = beat(t, 0.25, 0.65);
      const k = countAt(s.length, u);
      const T = lastCol(ctx);
      const lengths = spineLengths(ctx);
      const highlights: Highlight[] = s.map((x, i) => whole(x.id, i < k ? 'result' : 'muted'));
      if (k > 0 && k <= s.length) highlights.push(cols(s[k - 1]!.id, [T, T + 1], 'focus'));
      const callouts: Callout[] = s.slice(0, k).map((x, i) => ({ block: x.id, row: 0, col: T, text: `${x.name}: length ${num(lengths[i]!)}`, role: i === k - 1 ? 'focus' : 'result' }));
      const { fold, camera } = folded(ctx);
      return {
        camera,
        blocks: foldStyles(null, fold, beat(t, 0, CAMERA_MOVE)),
        highlights,
        callouts,
        dim: 0.6,
        describe: `The residual stream runs down the middle of the model; every attention and MLP branch reads it and adds to it. The last column's length goes from ${num(lengths[0]!)} to ${num(lengths[lengths.length - 1]!)}.`,
      };
    },

    'one-column': (ctx, t) => {
      const T = lastCol(ctx);
      const shots = snapshots(ctx);
      const { gather, label } = { gather: beat(t, 0.2, 0.4), label: beat(t, 0.6, 0.35) };
      const k = countAt(shots.length, label);
      const values = shots.map((s) => valueAt(ctx, s.id, CHANNEL, T));
      const highlights: Highlight[] = shots.flatMap((s, i) => (i < k ? [cols(s.id, [T, T + 1], 'focus'), cell(s.id, CHANNEL, T, 'result')] : [cols(s.id, [T, T + 1], 'focus')]));
      const callouts: Callout[] = [];
      shots.forEach((s, i) => {
        if (gather >= 1) callouts.push({ block: s.id, text: s.name, role: 'muted' });
        if (i < k) callouts.push({ block: s.id, row: CHANNEL, col: T, text: num(values[i]!), role: 'result' });
      });
      return {
        camera: gatherCamera(ctx),
        blocks: mergeStyles(foldStyles(folded(ctx).fold, null, beat(t, 0, CAMERA_MOVE)), gatheredStyles(ctx, gather)),
        highlights,
        callouts,
        dim: 0.3 * gather,
        describe: `The residual stream after the embedding and after each layer, side by side. Channel ${CHANNEL + 1} of the last column goes ${values.map((v) => num(v)).join(', ')}.`,
      };
    },

    'read-out': (ctx, t) => {
      const T = lastCol(ctx);
      const shots = snapshots(ctx);
      const u = beat(t, 0.22, 0.7);
      const k = countAt(shots.length, u);
      const reads = shots.map((s) => readOut(ctx, s.id));
      const text = (p: number[]) => {
        const best = argmax(p);
        return `${VOCAB[best]} ${prob(p[best]!)}`;
      };
      const highlights: Highlight[] = shots.map((s, i) => cols(s.id, [T, T + 1], i < k ? 'result' : 'focus'));
      const callouts: Callout[] = shots.map((s) => ({ block: s.id, text: s.name, role: 'muted' as const }));
      shots.forEach((s, i) => {
        // Neighbouring labels alternate in height so they cannot overlap on a narrow canvas.
        const row = blockOf(ctx.layout, s.id).rows.size - 1 - (i % 2) * 5;
        if (i < k) callouts.push({ block: s.id, row, col: T, text: text(reads[i]!), role: i === shots.length - 1 ? 'result' : 'focus' });
      });
      return {
        camera: gatherCamera(ctx),
        blocks: gatheredStyles(ctx, 1),
        highlights,
        callouts,
        dim: 0.3,
        describe: `Read through the final layer norm and the output head, the last column would say: ${shots.map((s, i) => `${s.name}, ${text(reads[i]!)}`).join('; ')}.`,
      };
    },
  },
};

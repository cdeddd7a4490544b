/**
 * Chapter 10, generation: the picked letter is appended and the model runs again, six times
 * (T = 6..11). Each step shows one real pass from the worker's generation; until the worker has
 * produced it, the same choreography plays on the first pass (ctx.trace) and says so.
 */
import { VOCAB } from '../../gpt/config.ts';
import type { Trace } from '../../gpt/trace.ts';
import { formatNumber } from '../../scene/explain.ts';
import { headBlockIds, lnBlockIds, TOP_IDS } from '../../scene/ids.ts';
import type { BlockStyle, CameraState, Callout, Highlight, ModelLayout } from '../../scene/types.ts';
import { beat, countAt, lerpCamera } from '../beats.ts';
import type { ChapterDirector, DirectorContext } from '../director.ts';
import { FOV_Y } from '../../scene/camera.ts';
import { fly } from './camera-paths.ts';
import { ALL_COMPUTED, cell, cols, frame, overview, type FrameOptions } from './common.ts';

/** One forward pass of the generation, with the layout for its T. */
interface Pass {
  trace: Trace;
  layout: ModelLayout;
  T: number;
  /** The column this pass adds (the newest token): T - 1. */
  col: number;
  /** The token this pass picks (greedy: the largest probability in the last column). */
  pick: number;
  /** False while the worker has not generated yet: the pass is ctx.trace standing in. */
  live: boolean;
}

const PASSES = 6;

function argmaxLast(trace: Trace): number {
  const probs = trace.tensors['probs']!;
  const [T, V] = probs.shape as [number, number];
  let best = 0;
  for (let v = 1; v < V; v++) if (probs.data[(T - 1) * V + v]! > probs.data[(T - 1) * V + best]!) best = v;
  return best;
}

/** Pass k (0-based) of the generation: its trace is over the input plus the first k outputs. */
function passOf(ctx: DirectorContext, k: number): Pass {
  const g = ctx.generation;
  const trace = g ? g.traces[Math.min(k, g.traces.length - 1)]! : ctx.trace;
  const T = trace.ids.length;
  return { trace, layout: ctx.layoutOf('nano', T), T, col: T - 1, pick: argmaxLast(trace), live: g !== null };
}

/** The probability the pass gives to each letter at its newest position. */
function lastProbs(p: Pass): number[] {
  const probs = p.trace.tensors['probs']!;
  const V = probs.shape[1]!;
  return Array.from(probs.data.subarray(p.col * V, p.col * V + V));
}

const letter = (id: number) => VOCAB[id] ?? '?';

function percent(v: number): string {
  if (v > 0.9999) return 'over 99.99%';
  if (v < 0.0001) return 'under 0.01%';
  return `${(v * 100).toFixed(2)}%`;
}

/** The value a sequence tensor ([T, width]) holds for channel `row` of position `col`. */
function seqValue(trace: Trace, tensor: string, row: number, col: number): number {
  const t = trace.tensors[tensor]!;
  return t.data[col * t.shape[1]! + row]!;
}

/**
 * The largest difference between any number of the previous pass and the same number (same
 * tensor, same indices) in this pass: 0 means the old columns were recomputed exactly.
 */
const diffCache = new WeakMap<Trace, number>();
function largestChange(prev: Trace, cur: Trace): number {
  const cached = diffCache.get(cur);
  if (cached !== undefined) return cached;
  let worst = 0;
  for (const [name, a] of Object.entries(prev.tensors)) {
    const b = cur.tensors[name];
    if (!b) continue;
    const n = a.data.length;
    const idx = new Array<number>(a.shape.length).fill(0);
    for (let i = 0; i < n; i++) {
      let flat = 0;
      for (let d = 0; d < idx.length; d++) flat = flat * b.shape[d]! + idx[d]!;
      const x = a.data[i]!;
      const y = b.data[flat]!;
      // Masked scores are -Infinity in both passes.
      if (x !== y) worst = Math.max(worst, Math.abs(x - y));
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d]! < a.shape[d]!) break;
        idx[d] = 0;
      }
    }
  }
  diffCache.set(cur, worst);
  return worst;
}

/**
 * Styles for a pass that is computing its newest column: blocks before `id` are complete, `id`
 * has its old columns plus the new column filling row by row as u goes 0 -> 1, and everything
 * after it still shows only the old columns. Weights are always complete.
 */
function newColumnUpTo(layout: ModelLayout, id: string, u: number): Record<string, BlockStyle> {
  const at = layout.blocks.findIndex((b) => b.id === id);
  if (at < 0) throw new Error(`no block "${id}" in the ${layout.model} layout`);
  const out: Record<string, BlockStyle> = {};
  layout.blocks.forEach((b, i) => {
    if (b.kind === 'weight') return;
    const old = b.cols.size - 1;
    if (i > at) out[b.id] = { reveal: { cols: old } };
    else if (i === at && u < 1) out[b.id] = { reveal: { cols: old, rows: countAt(b.rows.size, u) } };
  });
  return out;
}

/** Fills the new column of `ids` one after another as u goes 0 -> 1; returns the block now filling. */
function fillInTurn(layout: ModelLayout, ids: readonly string[], u: number): { blocks: Record<string, BlockStyle>; current: string; done: boolean } {
  const n = ids.length;
  const k = Math.min(n - 1, Math.floor(u * n));
  const current = ids[k]!;
  return { blocks: u >= 1 ? newColumnUpTo(layout, ids[n - 1]!, 1) : newColumnUpTo(layout, current, u * n - k), current, done: u >= 1 };
}

const pending = 'The generation is still being computed, so this shows the first pass over your six letters.';

const HEAD = headBlockIds(0, 0);
const HEAD_QKV = [HEAD.q.bias, HEAD.q.out, HEAD.k.out, HEAD.v.out, HEAD.scores];
const HEAD_ATTEND = [HEAD.v.bias, HEAD.v.out, HEAD.scores, HEAD.probs, HEAD.out];
const LNF = lnBlockIds('ln_f');
const BOTTOM = [LNF.mean, LNF.gamma, LNF.out, TOP_IDS.logits, TOP_IDS.probs];
const BOTTOM_FILL = [LNF.mean, LNF.rstd, LNF.out, TOP_IDS.logits, TOP_IDS.probsMax, TOP_IDS.probsSum, TOP_IDS.probs];

/**
 * Frames the blocks, then slides them `shift` of the view's width to the left, leaving room on
 * the right for the callouts (which sit to the right of their cells).
 */
function framedLeft(ctx: DirectorContext, ids: readonly string[], layout: ModelLayout, shift: number, opts: FrameOptions = {}): CameraState {
  // A phone's square stage has less room beside the blocks: pull back a little and slide further.
  const cam = frame(ctx, ids, narrow(ctx) ? { ...opts, zoom: (opts.zoom ?? 1) * 1.15 } : opts, layout);
  const width = 2 * cam.distance * Math.tan(FOV_Y / 2) * (ctx.viewport.width / Math.max(1, ctx.viewport.height));
  return { ...cam, target: [cam.target[0] + (shift + (narrow(ctx) ? 0.1 : 0)) * width, cam.target[1], cam.target[2]] };
}

const narrow = (ctx: DirectorContext) => ctx.viewport.width < 500;

/** Close on the input row, near enough that its cells carry their letters. */
function tokensCamera(ctx: DirectorContext, layout: ModelLayout): CameraState {
  // On a phone, closer still (undoing framedLeft's pull-back), or the letters would not fit their cells.
  const cam = framedLeft(ctx, [TOP_IDS.tokens, TOP_IDS.wte, TOP_IDS.tokEmb], layout, narrow(ctx) ? -0.02 : 0.12, { zoom: narrow(ctx) ? 0.34 : 0.62 });
  // The input row (top at y = 0) a fifth of the way down, clear of the model's name above it.
  const height = 2 * cam.distance * Math.tan(FOV_Y / 2);
  return { ...cam, target: [cam.target[0], -0.3 * height, cam.target[2]] };
}
const embedCamera = (ctx: DirectorContext, layout: ModelLayout) => framedLeft(ctx, [TOP_IDS.wpe, TOP_IDS.posEmb, TOP_IDS.embed], layout, 0.12, { zoom: 1.15 });
/** The head's q, k, v and scores, then (headCamera) its scores, softmax and output. */
const qkvCamera = (ctx: DirectorContext, layout: ModelLayout) => framedLeft(ctx, HEAD_QKV, layout, 0.15, { zoom: 1.05, yaw: -0.12 });
const headCamera = (ctx: DirectorContext, layout: ModelLayout) => framedLeft(ctx, HEAD_ATTEND, layout, 0.15, { zoom: 1.3, yaw: -0.12 });
const bottomCamera = (ctx: DirectorContext, layout: ModelLayout) => framedLeft(ctx, BOTTOM, layout, 0.2, { zoom: 1.05 });
/** Close on the logits and probabilities, with the last rows of the final layer norm above them. */
function outputCamera(ctx: DirectorContext, layout: ModelLayout): CameraState {
  const cam = framedLeft(ctx, [TOP_IDS.logits, TOP_IDS.probs], layout, 0.12, { zoom: 3.4 });
  return { ...cam, target: [cam.target[0], cam.target[1] + 5, cam.target[2]] };
}

/** The pass after the first: the first output letter has just been appended (T = 7). */
const SECOND = 1;

export const generation: ChapterDirector = {
  chapter: 'generation',
  model: 'nano',
  steps: {
    append: (ctx, t) => {
      const p = passOf(ctx, SECOND);
      const prev = ctx.generation ? passOf(ctx, SECOND - 1) : p;
      const added = p.trace.ids[p.col]!;
      const u = beat(t, 0.2, 0.75);
      const fill = fillInTurn(p.layout, [TOP_IDS.tokens, TOP_IDS.tokEmb, TOP_IDS.posEmb, TOP_IDS.embed], u);
      // Down from the letters to the position embeddings and the sum as the fill gets there.
      const camera = lerpCamera(tokensCamera(ctx, p.layout), embedCamera(ctx, p.layout), beat(u, 0.36, 0.24));
      const c = p.col;
      const highlights: Highlight[] = [cols(TOP_IDS.tokens, [c, c + 1], 'result')];
      // Pinned below the input row so the new cell's letter stays readable (on a phone, at the left,
      // where the text has room).
      const callouts: Callout[] = [{ block: TOP_IDS.tokEmb, row: 1, col: narrow(ctx) ? 0 : c, text: `${letter(added)} joins as position ${c + 1}`, role: 'result' }];
      const stage = fill.done ? TOP_IDS.embed : fill.current;
      if (stage === TOP_IDS.tokEmb || stage === TOP_IDS.embed) {
        highlights.push(cols(TOP_IDS.wte, [added, added + 1], 'source'), cols(TOP_IDS.tokEmb, [c, c + 1], stage === TOP_IDS.embed ? 'source' : 'focus'));
        if (stage === TOP_IDS.tokEmb) callouts.push({ block: TOP_IDS.wte, row: 4, col: added, text: `column of ${letter(added)}`, role: 'source' });
      }
      if (stage === TOP_IDS.posEmb || stage === TOP_IDS.embed) {
        highlights.push(cols(TOP_IDS.wpe, [c, c + 1], 'source'), cols(TOP_IDS.posEmb, [c, c + 1], stage === TOP_IDS.embed ? 'source' : 'focus'));
        callouts.push({ block: TOP_IDS.wpe, row: 0, col: c, text: `position ${c + 1}`, role: 'source' });
      }
      if (stage === TOP_IDS.embed) {
        highlights.push(cols(TOP_IDS.embed, [c, c + 1], 'result'));
        const tok = seqValue(p.trace, 'tok_emb', 0, c);
        const pos = seqValue(p.trace, 'pos_emb', 0, c);
        callouts.push({ block: TOP_IDS.embed, row: 0, col: c, text: `${narrow(ctx) ? '' : 'channel 1: '}${formatNumber(tok)} + ${formatNumber(pos)} = ${formatNumber(seqValue(p.trace, 'embed', 0, c))}`, role: 'result' });
      }
      return {
        camera,
        trace: p.trace,
        blocks: fill.blocks,
        highlights,
        callouts,
        dim: 0.3,
        describe: p.live
          ? `The first output letter, ${letter(added)} (picked with ${percent(Math.max(...lastProbs(prev)))}), is appended to the input ${ctx.choices.input} as position ${c + 1}; its token and position embeddings fill one new column, T = ${p.T}.`
          : pending,
      };
    },

    'same-past': (ctx, t) => {
      const p = passOf(ctx, SECOND);
      const c = p.col;
      const u = beat(t, 0.32, 0.63);
      const fill = fillInTurn(p.layout, [HEAD.q.out, HEAD.k.out, HEAD.v.out, HEAD.scores, HEAD.max, HEAD.sum, HEAD.probs, HEAD.out], u);
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      if (t >= 0.12 && c > 0) {
        highlights.push(cols(HEAD.k.out, [0, c], 'source'), cols(HEAD.v.out, [0, c], 'source'));
        const change = ctx.generation ? largestChange(passOf(ctx, SECOND - 1).trace, p.trace) : null;
        const text = change === null ? 'kept from the last pass' : `as in the last pass (largest change ${formatNumber(change)})`;
        callouts.push({ block: HEAD.k.out, row: 0, col: c, text, role: 'source' });
      }
      if (u > 0) {
        const current = fill.done ? HEAD.out : fill.current;
        highlights.push(cols(current, [c, c + 1], 'focus'));
        const attending = current !== HEAD.q.out && current !== HEAD.k.out && current !== HEAD.v.out;
        if (attending) {
          highlights.push(cols(HEAD.q.out, [c, c + 1], 'source'));
          if (c > 0) {
            highlights.push({ block: HEAD.scores, rows: [c, c + 1], cols: [0, c], role: 'muted' });
            callouts.push({ block: HEAD.scores, row: c, col: c, text: 'masked: older letters never see the new one', role: 'muted' });
          }
        }
      }
      return {
        camera: lerpCamera(qkvCamera(ctx, p.layout), headCamera(ctx, p.layout), beat(u, 0.42, 0.2)),
        trace: p.trace,
        blocks: fill.blocks,
        highlights,
        callouts,
        dim: 0.25,
        describe: p.live
          ? `Head 1 of layer 1 in the pass over ${p.T} letters: the keys and values of the first ${c} positions are exactly those of the previous pass (largest change ${formatNumber(largestChange(passOf(ctx, SECOND - 1).trace, p.trace))}); only the new column ${c + 1} is computed, its query scored against all ${p.T} keys.`
          : pending,
      };
    },

    'last-column': (ctx, t) => {
      const p = passOf(ctx, SECOND);
      const c = p.col;
      // A long way down, from layer 1's first head to the output: fly over the model.
      const flown = fly(headCamera(ctx, p.layout), bottomCamera(ctx, p.layout), beat(t, 0.2, 0.3), overview(ctx, p.layout).distance * 0.4);
      // Then closer, to the probabilities, for the pick.
      const camera = lerpCamera(flown, outputCamera(ctx, p.layout), beat(t, 0.74, 0.16));
      const u = beat(t, 0.5, 0.28);
      const fill = fillInTurn(p.layout, BOTTOM_FILL, u);
      const pick = beat(t, 0.82, 0.1);
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      if (u > 0 && !fill.done) highlights.push(cols(fill.current, [c, c + 1], 'focus'));
      if (pick > 0) {
        if (c > 0) highlights.push(cols(TOP_IDS.probs, [0, c], 'muted'), cols(TOP_IDS.logits, [0, c], 'muted'));
        highlights.push(cols(TOP_IDS.probs, [c, c + 1], 'focus'), cell(TOP_IDS.probs, p.pick, c, 'result'));
        callouts.push({ block: TOP_IDS.probs, row: p.pick, col: c, text: `next: ${letter(p.pick)}, ${percent(lastProbs(p)[p.pick]!)}`, role: 'result' });
        if (c > 0) callouts.push({ block: TOP_IDS.logits, row: 0, col: c - 1, text: 'older columns: letters we already have', role: 'muted' });
      }
      return {
        camera,
        trace: p.trace,
        blocks: fill.blocks,
        highlights,
        callouts,
        dim: 0.3 * pick,
        describe: p.live
          ? `The bottom of the pass over ${p.T} letters: of the ${p.T} columns of probabilities only the last is read; it picks ${letter(p.pick)} with ${percent(lastProbs(p)[p.pick]!)}.`
          : pending,
      };
    },

    'six-passes': (ctx, t) => {
      // Six passes in turn; the camera holds on the output blocks, framed for the longest sequence.
      const last = passOf(ctx, PASSES - 1);
      const begin = 0.12;
      const span = (0.96 - begin) / PASSES;
      const k = Math.max(0, Math.min(PASSES - 1, Math.floor((t - begin) / span)));
      const local = Math.max(0, Math.min(1, (t - begin - k * span) / span));
      const p = passOf(ctx, k);
      const fill = fillInTurn(p.layout, BOTTOM_FILL, beat(local, 0, 0.65));
      const picked = t >= begin && local >= 0.72;
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      // Each pass's pick is the cell of its newest column: together they form a diagonal.
      const done = p.live ? k + (picked ? 1 : 0) : picked ? 1 : 0;
      for (let j = 0; j < done; j++) {
        const q = p.live ? passOf(ctx, j) : p;
        highlights.push(cell(TOP_IDS.probs, q.pick, q.col, 'result'));
      }
      if (picked) callouts.push({ block: TOP_IDS.probs, row: p.pick, col: p.col, text: `${letter(p.pick)}, ${percent(lastProbs(p)[p.pick]!)}`, role: 'result' });
      else if (t >= begin) highlights.push(cols(fill.current, [p.col, p.col + 1], 'focus'));
      const so = ctx.generation ? ctx.generation.tokens.slice(0, done).map(letter).join('') : '';
      callouts.push({ block: TOP_IDS.logits, row: 0, col: p.col, text: `pass ${k + 1} of ${PASSES}, T = ${p.T}${so ? `: ${so}` : ''}`, role: 'focus' });
      return {
        camera: outputCamera(ctx, last.layout),
        trace: p.trace,
        blocks: t < begin ? ALL_COMPUTED : fill.blocks,
        highlights,
        callouts,
        dim: 0.2,
        describe: p.live
          ? `Six forward passes, T = 6 to ${last.T}, one after another; each reads its last column and picks the next letter, writing ${ctx.generation!.tokens.map(letter).join('')}. Now pass ${k + 1}, over ${p.T} letters.`
          : pending,
      };
    },

    'read-out': (ctx, t) => {
      const p = passOf(ctx, PASSES - 1);
      const out = ctx.generation ? ctx.generation.tokens.map(letter).join('') : '…';
      // Up from the output to the input row, high enough on the way to see the whole model.
      const camera = fly(outputCamera(ctx, p.layout), tokensCamera(ctx, p.layout), beat(t, 0.12, 0.5), overview(ctx, p.layout).distance);
      const first = ctx.choices.input.length;
      const lit = beat(t, 0.62, 0.3);
      const highlights: Highlight[] = [cell(TOP_IDS.probs, p.pick, p.col, 'result')];
      const callouts: Callout[] = [{ block: TOP_IDS.probs, row: p.pick, col: p.col, text: `last letter ${letter(p.pick)}: never fed back`, role: 'result' }];
      if (lit > 0 && p.T > first) {
        // The fed-back letters light up one by one, then their embedding columns below them.
        const n = countAt(p.T - first, lit);
        highlights.push(cols(TOP_IDS.tokens, [first, first + n], 'result'), cols(TOP_IDS.tokEmb, [first, first + n], 'result'));
        callouts.push({ block: TOP_IDS.tokEmb, row: 1, col: narrow(ctx) ? 0 : p.col, text: `${ctx.choices.input} in, ${out} out`, role: 'result' });
      }
      return {
        camera,
        trace: p.trace,
        blocks: ALL_COMPUTED,
        highlights,
        callouts,
        dim: 0.2 * lit,
        describe: p.live
          ? `Back at the top after the last pass, over ${p.T} letters: the input ${ctx.choices.input} followed by the ${p.T - first} letters fed back; the sixth, ${letter(p.pick)}, comes out of the last column. The answer is ${out}.`
          : pending,
      };
    },
  },
};

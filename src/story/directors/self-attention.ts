/**
 * Chapter 5, self-attention, in layer 1: head 1's queries, keys and values; one query cell built
 * product by product; the last letter's query against every key; the scaling, the causal mask and
 * the softmax; the weighted sum of values; then the three heads side by side.
 *
 * The grids fill column by column (a block's reveal is a prefix in column order), so each step
 * first lets the earlier positions through and then slows down on the last letter, the one whose
 * column will predict the next token.
 */
import { easeLinear } from 'd3-ease';
import { VOCAB } from '../../gpt/config.ts';
import { frameBox } from '../../scene/camera.ts';
import { explainCell, formatNumber } from '../../scene/explain.ts';
import { headBlockIds } from '../../scene/ids.ts';
import type { BlockStyle, Callout, Highlight, Link } from '../../scene/types.ts';
import type { ChapterDirector, DirectorContext } from '../director.ts';
import { arcVec, beat, clamp, countAt, lerpCamera } from '../beats.ts';
import { boxOf, cell, cols, computedUpTo, frame, lastCol } from './common.ts';
import { arithmeticAbove, besideFrame, besideWeights, H0, HOME, LN, oneCellFrame, oneCellPlace, qkvFrame, withInput } from './attention-input.ts';
import { fitBox, PHONE_TIGHT, visibleFrom } from './forward-sweep.ts';
import { firstLegible, frameWithRoom, matmulMoment, subscript } from './matmul-moment.ts';
import { narrow } from './stage-fit.ts';

const HEADS = [0, 1, 2].map((h) => headBlockIds(0, h));

const letter = (ctx: DirectorContext, t: number) => VOCAB[ctx.trace.ids[t]!] ?? '?';
const pct = (p: number) => `${(p * 100).toFixed(p >= 0.995 ? 0 : 1)}%`;

/** One number of layer 1's attention trace tensor `name` (e.g. 'probs' [H][T][T], 'heads' [T][C]), by index. */
function attn(ctx: DirectorContext, name: string, ...index: number[]): number {
  const t = ctx.trace.tensors[`h.0.attn.${name}`]!;
  let flat = 0;
  for (let d = 0; d < index.length; d++) flat = flat * t.shape[d]! + index[d]!;
  return t.data[flat]!;
}

/** Attention weight head h's query t gives key s. */
const prob = (ctx: DirectorContext, h: number, t: number, s: number) => attn(ctx, 'probs', h, t, s);

/** The raw (unscaled) dot product of head 0's query t with key s, from the products the tooltip shows. */
function rawDot(ctx: DirectorContext, s: number, t: number): number {
  const f = explainCell(ctx.layout, H0.scores, s, t, ctx.trace, ctx.params).formula;
  if (f.kind !== 'scaled-dot') return -Infinity;
  return f.products.reduce((sum, [a, b]) => sum + a * b, 0);
}

/** Block styles: everything up to `upTo` computed, then the given blocks partly filled. */
function filled(ctx: DirectorContext, upTo: string, partial: Record<string, { cols: number; rows?: number }>): Record<string, BlockStyle> {
  const out = { ...computedUpTo(ctx.layout, upTo) };
  for (const [id, reveal] of Object.entries(partial)) out[id] = { reveal };
  return out;
}

/** Columns 0..last-1 of the given blocks filled as u goes 0 -> 1 (the last column waits). */
function earlierColumns(ctx: DirectorContext, ids: readonly string[], u: number): Record<string, { cols: number }> {
  const n = countAt(lastCol(ctx), u);
  return Object.fromEntries(ids.map((id) => [id, { cols: n }]));
}

const QKV_FRAME = [LN, H0.q.weight, H0.q.out, H0.v.out];

/** Columns of free space right of each gathered probability block, for its callout (three-heads). */
const GATHER_GAP = 9;

/** Head 1's scores, softmax aggregates and probabilities, with room on both sides for callouts. */
const scoresFrame = (ctx: DirectorContext) => frameWithRoom(ctx, [H0.scores, H0.probs], { right: 10, top: 3, left: 9 }, { zoom: 1.1 });

export const selfAttention: ChapterDirector = {
  chapter: 'self-attention',
  model: 'nano',
  steps: {
    'three-vectors': (ctx, t) => {
      const last = lastCol(ctx);
      const u = beat(t, 0.22, 0.66, easeLinear);
      const n = countAt(last, u);
      const c = Math.min(n, last - 1);
      const sweeping = u > 0 && u < 1;
      const at = sweeping ? c : last;
      // First the layer-norm output comes down beside the three weight blocks, then the columns go through.
      const come = beat(t, 0.03, 0.19);
      // The weights are marked as far as the stage shows them (a phone's shows only their right part).
      const from = come >= 1 ? visibleFrom(ctx, besideFrame(ctx), H0.q.weight, 'x') : 0;
      const highlights: Highlight[] = [...[H0.q, H0.k, H0.v].map((p): Highlight => ({ block: p.weight, cols: [from, ctx.config.n_embd], role: 'source' })), cols(LN, [at, at + 1], 'focus')];
      const callouts: Callout[] = [{ block: LN, row: 0, col: at, text: `${letter(ctx, at)}, position ${at + 1}${sweeping ? '' : ': next'}`, role: 'focus' }];
      const links: Link[] = [];
      const outs = [[H0.q.out, 'query'], [H0.k.out, 'key'], [H0.v.out, 'value']] as const;
      if (sweeping) {
        for (const [part, name] of outs) {
          highlights.push(cols(part, [c, c + 1], 'result'));
          callouts.push({ block: part, row: 0, col: c, text: name, role: 'result' });
          links.push({ from: { block: LN, cols: [c, c + 1] }, to: { block: part, cols: [c, c + 1] }, role: 'source' });
        }
      } else if (u >= 1) {
        // The last column waits, joined to the three places it will fill.
        for (const [part] of outs) links.push({ from: { block: LN, cols: [last, last + 1] }, to: { block: part, cols: [last, last + 1] }, role: 'focus' });
      }
      return {
        camera: lerpCamera(frame(ctx, QKV_FRAME, { zoom: 1.02 }), besideFrame(ctx), come),
        blocks: withInput(filled(ctx, LN, earlierColumns(ctx, [H0.q.out, H0.k.out, H0.v.out], u)), HOME, besideWeights(ctx), come),
        highlights,
        callouts,
        links,
        dim: 0.35,
        describe: `Layer 1, head 1: the layer-norm output stands beside the query, key and value weights, and each of its columns becomes a query, a key and a value of ${ctx.config.n_embd / ctx.config.n_head} numbers; ${n} of ${last + 1} positions done, the last one (${letter(ctx, last)}) next.`,
      };
    },

    'one-cell': (ctx, t) => {
      const last = lastCol(ctx);
      // The layer-norm output slides over to stand above the query (on a phone it stays beside the weights), then the products run.
      const m = matmulMoment(ctx, H0.q.out, 0, last, beat(t, 0.26, 0.72, easeLinear));
      return {
        camera: oneCellFrame(ctx),
        blocks: withInput(filled(ctx, LN, { [H0.q.out]: { cols: last, rows: m.filled ? 1 : 0 }, [H0.k.out]: { cols: last }, [H0.v.out]: { cols: last } }), besideWeights(ctx), oneCellPlace(ctx), beat(t, 0.03, 0.22)),
        highlights: m.highlights,
        callouts: arithmeticAbove(ctx, m.callouts),
        links: m.links,
        dim: 0.55,
        describe: m.describe,
      };
    },

    'whole-column': (ctx, t) => {
      const last = lastCol(ctx);
      const hs = ctx.config.n_embd / ctx.config.n_head;
      const parts = [H0.q, H0.k, H0.v];
      // Cell 0 of the query is already there; the other 3·hs − 1 cells of the column follow in turn,
      // and the newest one is marked with its weight row and its value.
      const u = beat(t, 0.22, 0.7, easeLinear);
      const done = 1 + countAt(3 * hs - 1, u);
      const j = done - 1;
      const part = parts[Math.floor(j / hs)]!;
      const r = j % hs;
      const rowsOf = (k: number) => Math.max(0, Math.min(hs, done - k * hs));
      const place = oneCellPlace(ctx);
      const blocks = withInput(filled(ctx, LN, Object.fromEntries(parts.map((p, k) => [p.out, { cols: last, rows: rowsOf(k) }]))), place, place, 1);
      const column = { block: LN, cols: [last, last + 1] as [number, number] };
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      const names = ['query', 'key', 'value'] as const;
      if (u < 1) {
        const value = explainCell(ctx.layout, part.out, r, last, ctx.trace, ctx.params).value;
        const target = { block: part.out, rows: [r, r + 1] as [number, number], cols: [last, last + 1] as [number, number] };
        highlights.push(cols(LN, column.cols, 'source'), { block: part.weight, rows: [r, r + 1], role: 'source' }, { block: part.bias, rows: [r, r + 1], role: 'source' }, cell(part.out, r, last, 'result'));
        callouts.push({ block: part.out, row: r, col: last, text: `${names[Math.floor(j / hs)]} ${r + 1}: ${formatNumber(value)}`, role: 'result' });
        links.push({ from: { block: part.weight, rows: [r, r + 1] }, to: target, role: 'source' }, { from: column, to: target, role: 'source' });
      } else {
        // On a desktop stage the input's column is cut by the top of the frame now: the links say where the three vectors came from.
        parts.forEach((p, k) => {
          highlights.push(cols(p.out, [last, last + 1], 'result'));
          // A phone's stage has only a few cells between these blocks and the next head's weights: the bare names.
          callouts.push({ block: p.out, row: 0, col: last, text: narrow(ctx) ? names[k] : `${names[k]} of ${letter(ctx, last)}`, role: 'result' });
        });
        links.push({ from: column, to: { block: H0.q.out, cols: [last, last + 1] }, role: 'source' });
      }
      return {
        camera: lerpCamera(oneCellFrame(ctx), qkvFrame(ctx), beat(t, 0.3, 0.4)),
        blocks,
        highlights,
        callouts,
        links,
        dim: 0.4,
        describe: `The last column's query, key and value fill in, ${done} of ${3 * hs} numbers, each a row of ${ctx.config.n_embd} weights times the same input column plus a bias.`,
      };
    },

    'dot-products': (ctx, t) => {
      const T = ctx.layout.T;
      const last = lastCol(ctx);
      const a = beat(t, 0.22, 0.12, easeLinear);
      const b = beat(t, 0.36, 0.56, easeLinear);
      const k = b <= 0 ? 0 : Math.min(T, 1 + countAt(T, b));
      const s = k - 1;
      const scores = a < 1 ? { cols: countAt(last, a) } : { cols: last, rows: k };
      const highlights: Highlight[] = [cols(H0.q.out, [last, last + 1], 'source')];
      const callouts: Callout[] = [{ block: H0.q.out, row: 0, col: last, text: `query of ${letter(ctx, last)}`, role: 'source' }];
      const links: Link[] = [];
      if (s >= 0) {
        const score = { block: H0.scores, rows: [s, s + 1] as [number, number], cols: [last, last + 1] as [number, number] };
        // Around the right of the blocks between the query, the key and the scores.
        links.push({ from: { block: H0.q.out, cols: [last, last + 1] }, to: score, role: 'source', bow: 'right' }, { from: { block: H0.k.out, cols: [s, s + 1] }, to: score, role: 'focus', bow: 'right' });
        highlights.push(cols(H0.k.out, [s, s + 1], 'focus'), { block: H0.scores, rows: [0, k], cols: [last, last + 1], role: 'result' });
        callouts.push(
          { block: H0.scores, row: s, col: last, text: `q·k${subscript(s + 1)} = ${formatNumber(rawDot(ctx, s, last))}`, role: 'result' },
          { block: H0.k.out, row: 0, col: s, text: `key of ${letter(ctx, s)}`, role: 'focus' },
        );
      }
      return {
        camera: firstLegible(ctx, frame(ctx, [H0.q.out, H0.k.out, H0.scores], { zoom: 1.05 })),
        links,
        // The layer-norm output goes back to its place: the rest of attention works on q, k and v.
        blocks: withInput(filled(ctx, H0.v.out, { [H0.scores]: scores }), oneCellPlace(ctx), HOME, beat(t, 0.02, 0.2)),
        highlights,
        callouts,
        dim: 0.45,
        describe:
          s >= 0
            ? `The query of the last letter meets the key of position ${s + 1} (${letter(ctx, s)}): their dot product is ${formatNumber(rawDot(ctx, s, last))}.`
            : 'The query of the last letter, about to be compared with every key.',
      };
    },

    scale: (ctx, t) => {
      const T = ctx.layout.T;
      const last = lastCol(ctx);
      const root = Math.sqrt(ctx.config.n_embd / ctx.config.n_head);
      const u = beat(t, 0.24, 0.5, easeLinear);
      const k = u <= 0 ? 0 : Math.min(T, 1 + countAt(T, u));
      const s = k - 1;
      const highlights: Highlight[] = [{ block: H0.scores, rows: [0, T], cols: [last, last + 1], role: 'source' }];
      const callouts: Callout[] = [];
      if (s >= 0) {
        highlights.push(cell(H0.scores, s, last, 'focus'));
        callouts.push({ block: H0.scores, row: s, col: last, text: `${formatNumber(rawDot(ctx, s, last))} ÷ ${formatNumber(root)} = ${formatNumber(attn(ctx, 'scores', 0, last, s))}`, role: 'focus' });
      }
      // What the scaling buys: the largest share the softmax would give with and without it.
      const raw = Array.from({ length: T }, (_, j) => rawDot(ctx, j, last));
      const top = (xs: number[]) => {
        const m = Math.max(...xs);
        const e = xs.map((x) => Math.exp(x - m));
        return 1 / e.reduce((x, y) => x + y, 0);
      };
      const compare = beat(t, 0.8, 0.08, easeLinear);
      if (compare > 0) {
        callouts.unshift({ block: H0.scores, row: 0, col: 0, text: `top share: ${pct(top(raw))} unscaled, ${pct(top(raw.map((x) => x / root)))} scaled`, role: 'result' });
      }
      return {
        camera: scoresFrame(ctx),
        blocks: filled(ctx, H0.scores, {}),
        highlights,
        callouts,
        dim: 0.45,
        describe: `Each dot product of the last query is divided by √${ctx.config.n_embd / ctx.config.n_head} = ${formatNumber(root)}; unscaled, the softmax would give the top key ${pct(top(raw))}, scaled ${pct(top(raw.map((x) => x / root)))}.`,
      };
    },

    mask: (ctx, t) => {
      const T = ctx.layout.T;
      const u = beat(t, 0.22, 0.66, easeLinear);
      const c = u <= 0 ? 0 : Math.min(T, 1 + countAt(T, u));
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      for (let q = 0; q < c; q++) {
        const current = q === c - 1 && u < 1;
        highlights.push({ block: H0.scores, rows: [0, q + 1], cols: [q, q + 1], role: current ? 'focus' : 'source' });
        if (q + 1 < T) highlights.push({ block: H0.scores, rows: [q + 1, T], cols: [q, q + 1], role: 'muted' });
      }
      const q = Math.max(0, c - 1);
      if (c > 0) {
        callouts.push({ block: H0.scores, row: q, col: q, text: `${letter(ctx, q)} sees ${q + 1} of ${T}`, role: 'focus' });
        // One masked cell is labelled: below the current query, or in the first column once all are done.
        const [mr, mc] = q + 1 < T && u < 1 ? [q + 1, q] : [T - 1, 0];
        callouts.push({ block: H0.scores, row: mr, col: mc, text: '−∞', role: 'muted' });
      }
      return {
        camera: scoresFrame(ctx),
        blocks: filled(ctx, H0.scores, {}),
        highlights,
        callouts,
        dim: 0.45,
        describe: `The causal mask: query position ${q + 1} (${letter(ctx, q)}) may look at keys 1 to ${q + 1}; the ${T - q - 1} later keys are set to minus infinity.`,
      };
    },

    softmax: (ctx, t) => {
      const T = ctx.layout.T;
      const last = lastCol(ctx);
      const ph = { early: beat(t, 0.22, 0.1, easeLinear), max: beat(t, 0.34, 0.12, easeLinear), sum: beat(t, 0.48, 0.12, easeLinear), probs: beat(t, 0.62, 0.3, easeLinear) };
      const k = ph.probs <= 0 ? 0 : Math.min(T, 1 + countAt(T, ph.probs));
      const s = k - 1;
      const max = attn(ctx, 'probs.max', 0, last);
      const sum = attn(ctx, 'probs.sum', 0, last);
      const earlier = countAt(last, ph.early);
      const blocks = filled(ctx, H0.scores, {
        [H0.max]: { cols: ph.max > 0 ? T : earlier },
        [H0.sum]: { cols: ph.sum > 0 ? T : earlier },
        [H0.probs]: ph.probs > 0 ? { cols: last, rows: k } : { cols: earlier },
      });
      const column = (id: string, role: Highlight['role']): Highlight => ({ block: id, rows: [0, T], cols: [last, last + 1], role });
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      if (ph.max > 0) {
        highlights.push(column(H0.scores, ph.sum > 0 ? 'muted' : 'source'), cell(H0.max, 0, last, ph.sum > 0 ? 'source' : 'result'));
        callouts.push({ block: H0.max, row: 0, col: last, text: `max = ${formatNumber(max)}`, role: ph.sum > 0 ? 'source' : 'result' });
      }
      if (ph.sum > 0) {
        highlights.push(cell(H0.sum, 0, last, ph.probs > 0 ? 'source' : 'result'));
        callouts.push({ block: H0.sum, row: 0, col: last, text: `Σ e^(x − max) = ${formatNumber(sum)}`, role: ph.probs > 0 ? 'source' : 'result' });
      }
      if (s >= 0) {
        const x = attn(ctx, 'scores', 0, last, s);
        highlights.push(cell(H0.scores, s, last, 'focus'), { block: H0.probs, rows: [0, k], cols: [last, last + 1], role: 'result' });
        let total = 0;
        for (let j = 0; j < k; j++) total += prob(ctx, 0, last, j);
        const text = k < T ? `e^(${formatNumber(x)} − ${formatNumber(max)}) ÷ ${formatNumber(sum)} = ${pct(prob(ctx, 0, last, s))}` : `${pct(prob(ctx, 0, last, s))}; all ${T} add up to ${formatNumber(total)}`;
        callouts.push({ block: H0.probs, row: s, col: last, text, role: 'result' });
      }
      if (k === T) {
        // The first position's column has one unmasked score, so its one weight is the whole of it.
        highlights.push(cell(H0.probs, 0, 0, 'focus'));
        callouts.push({ block: H0.probs, row: 0, col: 0, text: `position 1 sees only itself: ${prob(ctx, 0, 0, 0).toFixed(2)}`, role: 'focus', side: 'left' });
      }
      return {
        camera: scoresFrame(ctx),
        blocks,
        highlights,
        callouts,
        dim: 0.45,
        describe:
          s >= 0
            ? `Softmax of the last column: max ${formatNumber(max)}, sum of exponentials ${formatNumber(sum)}; key ${s + 1} (${letter(ctx, s)}) gets ${pct(prob(ctx, 0, last, s))}.`
            : `Softmax of each column of scores: its maximum ${formatNumber(max)} and the sum of exponentials ${formatNumber(sum)} for the last letter.`,
      };
    },

    'weighted-sum': (ctx, t) => {
      const T = ctx.layout.T;
      const last = lastCol(ctx);
      const hs = ctx.config.n_embd / ctx.config.n_head;
      const a = beat(t, 0.22, 0.1, easeLinear);
      const b = beat(t, 0.34, 0.5, easeLinear);
      const c = beat(t, 0.86, 0.1, easeLinear);
      const k = b <= 0 ? 0 : Math.min(T, 1 + countAt(T, b));
      const s = k - 1;
      const v = (j: number) => attn(ctx, 'v', 0, j, 0);
      let acc = 0;
      for (let j = 0; j < k; j++) acc += prob(ctx, 0, last, j) * v(j);
      const out = attn(ctx, 'heads', last, 0);
      const reveal = b <= 0 ? { cols: countAt(last, a) } : { cols: last, rows: countAt(hs, c) };
      const highlights: Highlight[] = [{ block: H0.probs, rows: [0, T], cols: [last, last + 1], role: 'source' }, cols(H0.out, [last, last + 1], 'result')];
      const callouts: Callout[] = [];
      if (s >= 0 && b < 1) {
        highlights.push(cell(H0.probs, s, last, 'focus'), cols(H0.v.out, [s, s + 1], 'focus'));
        callouts.push(
          { block: H0.out, row: 0, col: last, text: `… + ${pct(prob(ctx, 0, last, s))} × ${v(s) < 0 ? `(${formatNumber(v(s))})` : formatNumber(v(s))} = ${formatNumber(acc)}`, role: 'result' },
          { block: H0.v.out, row: 0, col: s, text: `value of ${letter(ctx, s)}`, role: 'focus' },
        );
      } else if (b >= 1) {
        callouts.push({ block: H0.out, row: 0, col: last, text: `Σ p·v = ${formatNumber(out)}`, role: 'result' });
      }
      // The weights and the value being added, to the number they build; at the end, all of them to the column.
      const outCell = { block: H0.out, rows: [0, 1] as [number, number], cols: [last, last + 1] as [number, number] };
      const links: Link[] =
        s >= 0 && b < 1
          ? [
              { from: { block: H0.v.out, cols: [s, s + 1] }, to: outCell, role: 'focus', bow: 'right' },
              { from: { block: H0.probs, rows: [s, s + 1], cols: [last, last + 1] }, to: outCell, role: 'source' },
            ]
          : b >= 1
            ? [{ from: { block: H0.v.out }, to: { block: H0.out, cols: [last, last + 1] }, role: 'source', bow: 'right' }, { from: { block: H0.probs, cols: [last, last + 1] }, to: { block: H0.out, cols: [last, last + 1] }, role: 'source' }]
            : [];
      return {
        // A phone's stage has barely the height for the three blocks at a legible size: nearly head-on, with little margin.
        camera: narrow(ctx) ? fitBox(ctx, boxOf(ctx.layout, [H0.v.out, H0.probs, H0.out]), { yaw: PHONE_TIGHT.yaw, pitch: 0, fill: 0.99, right: 220 }) : firstLegible(ctx, frame(ctx, [H0.v.out, H0.probs, H0.out], { zoom: 1.05 })),
        blocks: filled(ctx, H0.probs, { [H0.out]: reveal }),
        highlights,
        callouts,
        links,
        dim: 0.45,
        describe:
          s >= 0 && b < 1
            ? `The last letter's output adds the value of position ${s + 1} (${letter(ctx, s)}) weighted by ${pct(prob(ctx, 0, last, s))}; its first number so far is ${formatNumber(acc)}.`
            : `The head's output for the last letter: the attention-weighted sum of the value vectors; its first number is ${formatNumber(out)}.`,
      };
    },

    'three-heads': (ctx, t) => {
      const T = ctx.layout.T;
      const last = lastCol(ctx);
      const u = beat(t, 0.24, 0.56, easeLinear);
      const parts = (h: (typeof HEADS)[number]) => [h.q.out, h.k.out, h.v.out, h.scores, h.max, h.sum, h.probs, h.out];
      const blocks = { ...computedUpTo(ctx.layout, H0.out) };
      for (const h of HEADS.slice(1)) {
        parts(h).forEach((id, j, all) => {
          const cols = countAt(T, clamp(u * all.length - j));
          if (cols < T) blocks[id] = { reveal: { cols } };
          else delete blocks[id];
        });
      }
      // Then the three probability blocks gather side by side under head 1's, a callout's width apart,
      // so the three columns for the last letter can be compared cell for cell.
      const g = beat(t, 0.8, 0.14);
      const first = ctx.layout.blocks.find((b) => b.id === H0.probs)!;
      const spacing = T + GATHER_GAP;
      HEADS.slice(1).forEach((h, j) => {
        const b = ctx.layout.blocks.find((x) => x.id === h.probs)!;
        const dx = first.position[0] + (j + 1) * spacing - b.position[0];
        if (g > 0) blocks[h.probs] = { ...blocks[h.probs], offset: arcVec([0, 0, 0], [dx, 0, 0], g, 1.5) };
      });
      const gathered = frameBox(
        [first.position[0], first.position[1] - T - 1, first.position[2] - 1],
        [first.position[0] + 2 * spacing + T + GATHER_GAP, first.position[1] + 3, first.position[2]],
        ctx.viewport.width,
        ctx.viewport.height,
        -0.12,
        0.08,
      );
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const summary: string[] = [];
      HEADS.forEach((h, i) => {
        let best = 0;
        for (let s = 1; s < T; s++) if (prob(ctx, i, last, s) > prob(ctx, i, last, best)) best = s;
        summary.push(`head ${i + 1} gives ${pct(prob(ctx, i, last, best))} to position ${best + 1} (${letter(ctx, best)})`);
        if (i > 0 && u < 1) return;
        highlights.push({ block: h.probs, rows: [0, T], cols: [last, last + 1], role: 'result' });
        callouts.push({ block: h.probs, row: best, col: last, text: `head ${i + 1}: ${pct(prob(ctx, i, last, best))} on ${letter(ctx, best)} (${best + 1})`, role: 'result' });
      });
      return {
        camera: lerpCamera(frameWithRoom(ctx, [HEADS[0]!.q.weight, HEADS[2]!.out], { right: 24 }), gathered, beat(t, 0.8, 0.16)),
        blocks,
        highlights,
        callouts,
        dim: 0.15,
        describe: `The ${HEADS.length} heads of layer 1 side by side, each with its own weights; for the last letter ${summary.join(', ')}.`,
      };
    },
  },
};

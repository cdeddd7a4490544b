/**
 * Chapter 9, the output: the final layer norm, the lm head's logits, softmax into probabilities,
 * why only the last column counts, and picking the letter greedily or by a seeded draw at the
 * reader's temperature (the same pickToken and mulberry32 as the worker, so the picture agrees
 * with what the model would generate).
 *
 * The lm head is a matrix-product diagram: the normalized column stands above the logits and each
 * letter's row of weights runs into its logit from the left; arrows join them, and the sum sits
 * over the weights. From softmax on, the camera holds one close view of the logits, the softmax's
 * largest logit and sum, and the probabilities, with every label right of its row.
 */
import type { ChapterDirector, DirectorContext } from '../director.ts';
import { beat, clamp, countAt, lerp, lerpVec } from '../beats.ts';
import { cell, cols, computedUpTo, lastCol, rows, whole } from './common.ts';
import { besideNorm, layerNormStep } from './norm-step.ts';
import {
  argmax,
  blockOf,
  cellEnd,
  cellsBox,
  columnAt,
  end,
  fillRun,
  fitBox,
  fixed,
  link,
  narrow,
  num,
  PHONE_TIGHT,
  pinAt,
  ppuOf,
  prob,
  productsOf,
  sayAt,
  softmaxAt,
  unionOf,
  valueAt,
} from './forward-sweep.ts';
import { layerBlockIds, lnBlockIds, lnId, TOP_IDS } from '../../scene/ids.ts';
import type { Callout, CameraState, Highlight, HighlightRole, Link } from '../../scene/types.ts';
import { VOCAB } from '../../gpt/config.ts';
import { mulberry32 } from '../../gpt/random.ts';
import { pickToken } from '../../gpt/sort.ts';

const LNF = lnBlockIds(lnId(null, 'ln_f'));
const { lmHead, logits: LOGITS, probs: PROBS, probsMax: MAX, probsSum: SUM } = TOP_IDS;
/** Px between a label and the block it sits beside. */
const GAP_PX = 10;

const letter = (v: number) => VOCAB[v] ?? '?';

/** The residual stream the final layer norm reads: the last layer's output. */
const lastResid = (ctx: DirectorContext) => layerBlockIds(ctx.config.n_layer - 1).resid2;

/**
 * The close view from softmax on: logits, the softmax's largest logit and sum, and the
 * probabilities, with the ends of the lm head and the final layer norm for context, and `right`
 * px free on the right for the rows' labels. Rows are then far enough apart for a label each.
 */
function closeUp(ctx: DirectorContext, right: number): CameraState {
  const lay = ctx.layout;
  const V = blockOf(lay, lmHead).cols.size;
  const box = unionOf(cellsBox(lay, lmHead, undefined, [V - 2, V]), cellsBox(lay, LOGITS), cellsBox(lay, PROBS));
  return fitBox(ctx, box, { right, yaw: -0.12 });
}

/** Room the close view keeps for labels: enough for the widest the steps from softmax on show. */
function labelRoom(ctx: DirectorContext): number {
  return narrow(ctx) ? 170 : 340;
}

/** A label right of block `id`'s row `row` (at its drawn place), `GAP_PX` clear of its right edge. */
function rightOf(ctx: DirectorContext, ppu: number, id: string, row: number, text: string, role: HighlightRole, lift = 0): Callout {
  const b = blockOf(ctx.layout, id);
  return { ...pinAt(ctx.layout, ppu, id, b.position[0] + b.size[0] + lift + GAP_PX / ppu, b.position[1] - row - 0.5), text, role };
}

/** The reader's sampling choices applied to the last column: probabilities, the draw and the pick. */
export function sampling(ctx: DirectorContext): { temperature: number; seed: number; logits: number[]; plain: number[]; probs: number[]; draw: number; picked: number } {
  const T = lastCol(ctx);
  const temperature = ctx.choices.temperature;
  const seed = ctx.choices.seed;
  const logits = columnAt(ctx, LOGITS, T);
  const traced = columnAt(ctx, PROBS, T);
  const probs = temperature > 0 ? softmaxAt(logits, temperature) : logits.map((_, i) => (i === argmax(logits) ? 1 : 0));
  // The worker seeds one generator per generation and spends its first number on the first letter.
  const draw = mulberry32(seed >>> 0)();
  const picked = pickToken(traced, temperature, mulberry32(seed >>> 0));
  return { temperature, seed, logits, plain: traced, probs, draw, picked };
}

export const output: ChapterDirector = {
  chapter: 'output',
  model: 'nano',
  steps: {
    'final-norm': (ctx, t) => layerNormStep(ctx, t, LNF, lastResid(ctx), `The final layer norm, after layer ${ctx.config.n_layer},`),

    'lm-head': (ctx, t) => {
      const lay = ctx.layout;
      const T = lastCol(ctx);
      const V = ctx.config.vocab_size;
      const back = beat(t, 0, 0.25);
      const others = beat(t, 0.22, 0.16);
      const each = Array.from({ length: V }, (_, v) => beat(t, 0.4 + v * 0.14, 0.1));
      const all = beat(t, 0.84, 0.1);
      const done = each.filter((u) => u >= 1).length;
      // The row being worked: the last one started (its sum stays up until the next starts).
      const now = Math.max(0, each.filter((u) => u > 0).length - 1);
      const blocks = computedUpTo(lay, LNF.out);
      blocks[LOGITS] = { reveal: each[0]! > 0 ? { cols: T, rows: done } : { cols: countAt(T, others) } };
      if (all > 0) delete blocks[LOGITS];
      blocks[lastResid(ctx)] = { offset: lerpVec(besideNorm(lay, lastResid(ctx), LNF.out), [0, 0, 0], back) };
      const values = Array.from({ length: V }, (_, v) => productsOf(ctx, LOGITS, v, T));
      const n = values[0]!.products.length;
      const box = unionOf(cellsBox(lay, LNF.out), cellsBox(lay, lmHead), cellsBox(lay, LOGITS));
      const camera = fitBox(ctx, box, narrow(ctx) ? PHONE_TIGHT : {});
      const ppu = ppuOf(ctx, camera);
      // Over the weights, right-aligned left of the final layer norm's γ: open space in any zoom.
      const gammaX = blockOf(lay, LNF.gamma).position[0];
      const head = blockOf(lay, lmHead);
      // In the free corner of the diagram: above the weights, left of the normalized column.
      const say = (parts: string[], role: HighlightRole) => sayAt(lay, ppu, lmHead, gammaX - GAP_PX / ppu, head.position[1] + 12, parts, { side: 'left', role, maxPx: (gammaX - head.position[0]) * ppu - 2 * GAP_PX, upward: true });

      // Arrows start from the ends of the long operands next to the logits (see TAIL in mlp.ts).
      const C = head.cols.size;
      const column = end(LNF.out, [C - 8, C], [T, T + 1]);
      const highlights: Highlight[] = [cols(LNF.out, [T, T + 1], 'source')];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (all > 0) {
        highlights.push(whole(lmHead, 'source'), cols(LOGITS, [T, T + 1], 'result'));
        callouts.push(...say(narrow(ctx) ? values.map((x, v) => `${letter(v)} ${num(x.value)}`) : [`logits: ${values.map((x, v) => `${letter(v)} ${num(x.value)}`).join(' · ')}`], 'result'));
        const logits = end(LOGITS, undefined, [T, T + 1]);
        links.push(...link(end(lmHead, undefined, [C - 8, C]), logits, all, 'source'), ...link(column, logits, all, 'source'), ...link(logits, { callout: callouts.length - 1 }, all, 'result'));
      } else if (each[0]! > 0) {
        const v = now;
        const u = each[v]!;
        highlights.push(rows(lmHead, [v, v + 1], 'source'), cell(LOGITS, v, T, 'result'));
        const result = cellEnd(LOGITS, v, T);
        links.push(...link(end(lmHead, [v, v + 1], [C - 8, C]), result, u, 'source'), ...link(column, result, u, 'source'));
        if (u >= 1) {
          callouts.push(...say([`${letter(v)}: ${n} products, no bias`, `= ${num(values[v]!.value)}`], 'result'));
          links.push(...link(result, { callout: callouts.length - 1 }, 1, 'result'));
        }
      }
      return {
        camera,
        blocks,
        highlights,
        callouts,
        links,
        dim: lerp(0, 0.5, beat(t, 0.3, 0.1)),
        describe: `The output head turns each column into ${V} logits, one per letter, each the dot product of the letter's row of ${n} weights with the column; for the last column: ${values.map((x, v) => `${letter(v)} ${num(x.value)}`).join(', ')}.`,
      };
    },

    softmax: (ctx, t) => {
      const lay = ctx.layout;
      const T = lastCol(ctx);
      const u = beat(t, 0.22, 0.65);
      const { blocks, current } = fillRun(lay, MAX, PROBS, u);
      const done = (id: string) => current === null || lay.blocks.indexOf(current) > lay.blocks.indexOf(blockOf(lay, id));
      const max = valueAt(ctx, MAX, 0, T);
      const sum = valueAt(ctx, SUM, 0, T);
      const l = columnAt(ctx, LOGITS, T);
      const p = columnAt(ctx, PROBS, T);
      const camera = closeUp(ctx, labelRoom(ctx));
      const ppu = ppuOf(ctx, camera);
      const grow = (id: string) => (done(id) ? 1 : current?.id === id ? clamp(u * 3 - ([MAX, SUM, PROBS] as string[]).indexOf(id)) : 0);
      const highlights: Highlight[] = [cols(LOGITS, [T, T + 1], 'source')];
      const callouts: Callout[] = [];
      const links: Link[] = [...link(end(LOGITS, undefined, [T, T + 1]), cellEnd(MAX, 0, T), grow(MAX), 'source')];
      if (done(MAX)) {
        highlights.push(cell(MAX, 0, T, 'focus'));
        callouts.push(rightOf(ctx, ppu, MAX, 0, narrow(ctx) ? `largest ${num(max)}` : `largest logit ${num(max)}`, 'focus'));
        links.push(...link(cellEnd(MAX, 0, T), cellEnd(SUM, 0, T), grow(SUM), 'source'));
      }
      if (done(SUM)) {
        highlights.push(cell(SUM, 0, T, 'focus'));
        callouts.push(rightOf(ctx, ppu, SUM, 0, narrow(ctx) ? `sum ${fixed(sum, 4)}` : `Σ e^(logit − ${num(max)}) = ${fixed(sum, 4)}`, 'focus'));
        links.push(...link(cellEnd(SUM, 0, T), end(PROBS, undefined, [T, T + 1]), grow(PROBS), 'result'));
      }
      if (done(PROBS)) {
        highlights.push(cols(PROBS, [T, T + 1], 'result'));
        const best = argmax(p);
        p.forEach((x, v) => {
          const share = prob(x).replace('> ', 'over ');
          const text = narrow(ctx) ? `${letter(v)} ${share}` : `${letter(v)}: e^(${num(l[v]! - max)}) ÷ ${fixed(sum, 4)} = ${share}`;
          callouts.push(rightOf(ctx, ppu, PROBS, v, text, v === best ? 'result' : 'focus'));
        });
      }
      return {
        camera,
        blocks,
        highlights,
        callouts,
        links,
        dim: 0.5,
        describe: `Softmax turns the last column's logits into probabilities: the largest logit is ${num(max)}, the sum of e^(logit − largest) is ${num(sum)}, and each letter's share is ${p.map((x, v) => `${letter(v)} ${prob(x)}`).join(', ')}.`,
      };
    },

    'last-column': (ctx, t) => {
      const T = lastCol(ctx);
      const u = beat(t, 0.22, 0.7);
      const k = Math.min(T, Math.floor(u * (T + 1)));
      const best = argmax(columnAt(ctx, PROBS, k));
      const camera = closeUp(ctx, labelRoom(ctx));
      const ppu = ppuOf(ctx, camera);
      const highlights: Highlight[] = [];
      for (let c = 0; c < k; c++) highlights.push(cols(PROBS, [c, c + 1], 'muted'), cols(LOGITS, [c, c + 1], 'muted'));
      highlights.push(cols(LOGITS, [k, k + 1], 'source'), cols(PROBS, [k, k + 1], k === T ? 'result' : 'focus'), cell(PROBS, best, k, k === T ? 'result' : 'focus'));
      const input = ctx.choices.input;
      const seen = k === T ? `all ${T + 1} letters` : input.slice(0, k + 1);
      const guess = `${letter(best)}${k === T ? ', the answer' : '?'}`;
      const text = narrow(ctx) ? (k === T ? guess : `after ${seen}: ${guess}`) : `column ${k + 1}, after ${seen}: ${guess}`;
      const callouts = [rightOf(ctx, ppu, PROBS, best, text, k === T ? 'result' : 'focus')];
      return {
        camera,
        highlights,
        callouts,
        links: link(cellEnd(PROBS, best, k), { callout: 0 }, 1, k === T ? 'result' : 'focus'),
        dim: 0.5,
        describe: `Every column makes a guess, but only the last one has seen all ${T + 1} letters and was trained to answer; it says ${letter(argmax(columnAt(ctx, PROBS, T)))}.`,
      };
    },

    greedy: (ctx, t) => {
      const T = lastCol(ctx);
      const V = ctx.config.vocab_size;
      const p = columnAt(ctx, PROBS, T);
      const best = argmax(p);
      const scan = beat(t, 0.22, 0.45);
      const lift = beat(t, 0.7, 0.25);
      const k = Math.min(V, countAt(V + 1, scan));
      const camera = closeUp(ctx, labelRoom(ctx));
      const ppu = ppuOf(ctx, camera);
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      let links: Link[] = [];
      for (let v = 0; v < k; v++) {
        const winner = lift > 0 && v === best;
        const h: Highlight = { block: PROBS, rows: [v, v + 1], cols: [T, T + 1], role: winner ? 'result' : lift > 0 ? 'muted' : 'focus' };
        highlights.push(winner ? { ...h, lift: [0.6 * lift, 0, 1.5 * lift] } : h);
        const text = `${letter(v)} ${prob(p[v]!)}${winner ? (narrow(ctx) ? ', picked' : ': the largest, so picked') : ''}`;
        callouts.push(rightOf(ctx, ppu, PROBS, v, text, winner ? 'result' : lift > 0 ? 'muted' : 'focus', winner ? 0.6 * lift : 0));
        if (winner) links = link(cellEnd(PROBS, v, T), { callout: callouts.length - 1 }, lift, 'result');
      }
      return {
        camera,
        highlights,
        callouts,
        links,
        dim: 0.5,
        describe: `Greedy decoding takes the most probable letter of the last column: ${letter(best)}, with probability ${prob(p[best]!)}.`,
      };
    },

    sample: (ctx, t) => {
      const T = lastCol(ctx);
      const V = ctx.config.vocab_size;
      const s = sampling(ctx);
      const cool = beat(t, 0.22, 0.3);
      const walk = beat(t, 0.55, 0.25);
      const lift = beat(t, 0.82, 0.15);
      // The temperature eases from 1 (the plain softmax) to the reader's choice, so its effect shows.
      const tau = lerp(1, s.temperature, cool);
      const tauText = String(Number(tau.toFixed(2)));
      const p = tau > 0 ? softmaxAt(s.logits, tau) : s.probs;
      const greedy = s.temperature <= 0;
      // The draw walks down the letters, each covering its share of [0, 1), until it reaches the one where the random number lands.
      const reached = greedy ? 0 : Math.min(V, countAt(s.picked + 1, walk));
      const camera = closeUp(ctx, labelRoom(ctx));
      const ppu = ppuOf(ctx, camera);
      const highlights: Highlight[] = [cols(LOGITS, [T, T + 1], 'source')];
      const callouts: Callout[] = [rightOf(ctx, ppu, LOGITS, 1, tau > 0 ? `temperature ${tauText}: logits ÷ ${tauText}` : 'temperature 0: no draw', 'source')];
      const links: Link[] = [...link(end(LOGITS, undefined, [T, T + 1]), { callout: 0 }, 1, 'source')];
      for (let v = 0; v < V; v++) {
        const chosen = v === s.picked && lift > 0;
        const role = chosen ? 'result' : v < reached ? 'focus' : 'muted';
        const h: Highlight = { block: PROBS, rows: [v, v + 1], cols: [T, T + 1], role };
        highlights.push(chosen ? { ...h, lift: [0.6 * lift, 0, 1.5 * lift] } : h);
        const why = greedy ? ', picked' : `: seed ${s.seed} draws ${s.draw.toFixed(4)}, picked`;
        // At temperature 0 the choice is certain, not merely very likely.
        const share = tau > 0 ? prob(p[v]!) : `${p[v]! * 100}%`;
        const text = narrow(ctx) ? `${letter(v)} ${share}${chosen ? ', picked' : ''}` : `${letter(v)}: ${prob(s.plain[v]!)}${cool > 0 ? ` at 1, ${share} at ${tauText}` : ''}${chosen ? why : ''}`;
        callouts.push(rightOf(ctx, ppu, PROBS, v, text, role, chosen ? 0.6 * lift : 0));
        if (chosen) links.push(...link(cellEnd(PROBS, v, T), { callout: callouts.length - 1 }, lift, 'result'));
      }
      return {
        camera,
        highlights,
        callouts,
        links,
        dim: 0.5,
        describe: greedy
          ? `At temperature 0 the model picks greedily: ${letter(s.picked)}.`
          : `At temperature ${num(s.temperature)} the probabilities are ${s.probs.map((x, v) => `${letter(v)} ${prob(x)}`).join(', ')}; seed ${s.seed} draws ${s.draw.toFixed(4)}, which picks ${letter(s.picked)}.`,
      };
    },
  },
};

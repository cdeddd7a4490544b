/**
 * Chapter 9, the output: the final layer norm, the lm head's logits, softmax into probabilities,
 * why only the last column counts, and picking the letter greedily or by a seeded draw at the
 * reader's temperature (the same pickToken and mulberry32 as the worker, so the picture agrees
 * with what the model would generate).
 */
import type { ChapterDirector, DirectorContext } from '../director.ts';
import { beat, countAt, lerp } from '../beats.ts';
import { cell, cols, computedUpTo, lastCol, rows, whole } from './common.ts';
import { argmax, blockOf, columnAt, fillRun, frameRegion, layerNormStep, narrow, num, prob, productsOf, regionOf, rowLabels, softmaxAt, valueAt } from './forward-sweep.ts';
import { layerBlockIds, lnBlockIds, lnId, TOP_IDS } from '../../scene/ids.ts';
import type { Callout, CameraState, Highlight } from '../../scene/types.ts';
import { VOCAB } from '../../gpt/config.ts';
import { mulberry32 } from '../../gpt/random.ts';
import { pickToken } from '../../gpt/sort.ts';

const LNF = lnBlockIds(lnId(null, 'ln_f'));
const { lmHead, logits: LOGITS, probs: PROBS, probsMax: MAX, probsSum: SUM } = TOP_IDS;

/** A close view of the logits and probabilities, with room on the right for per-row labels. */
function closeUp(ctx: DirectorContext): CameraState {
  const top = blockOf(ctx.layout, LOGITS);
  const bottom = blockOf(ctx.layout, PROBS);
  const left = top.position[0] - 2;
  // Phones join the rows' labels into one long line, which needs more room.
  const right = top.position[0] + top.size[0] + (narrow(ctx) ? 34 : 16);
  return frameRegion(ctx, [left, bottom.position[1] - bottom.size[1] - 2, -1], [right, top.position[1] + 2, 0], { yaw: -0.12 });
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

const letter = (v: number) => VOCAB[v] ?? '?';

export const output: ChapterDirector = {
  chapter: 'output',
  model: 'nano',
  steps: {
    'final-norm': (ctx, t) => layerNormStep(ctx, t, LNF, layerBlockIds(ctx.config.n_layer - 1).resid2, `The final layer norm, after layer ${ctx.config.n_layer},`),

    'lm-head': (ctx, t) => {
      const T = lastCol(ctx);
      const V = ctx.config.vocab_size;
      const { others, last } = { others: beat(t, 0.22, 0.2), last: beat(t, 0.45, 0.45) };
      const k = countAt(V, last);
      const blocks = computedUpTo(ctx.layout, LNF.out);
      blocks[LOGITS] = { reveal: last > 0 ? { cols: T, rows: k } : { cols: countAt(T, others) } };
      const values = Array.from({ length: V }, (_, v) => productsOf(ctx, LOGITS, v, T));
      const row = Math.min(V - 1, Math.floor(last * V));
      const highlights: Highlight[] = [cols(LNF.out, [T, T + 1], 'source')];
      if (last > 0 && last < 1) highlights.push(rows(lmHead, [row, row + 1], 'source'), cell(LOGITS, row, T, 'result'));
      if (last >= 1) highlights.push(whole(lmHead, 'source'), cols(LOGITS, [T, T + 1], 'result'));
      const shown = values.slice(0, k).map((x, v) => `${letter(v)} ${num(x.value)}`);
      const callouts: Callout[] = [];
      // On a phone the row's label and the logits' label would collide or run off the right edge: one label, on the left.
      if (narrow(ctx)) {
        if (shown.length) callouts.push({ block: lmHead, row: 0, col: 0, text: `logits: ${shown.join(' · ')}`, role: 'result' });
      } else {
        if (last > 0 && last < 1) callouts.push({ block: lmHead, row, col: 0, text: `${letter(row)}: Σ ${values[row]!.products.length} products`, role: 'source' });
        if (shown.length) callouts.push({ block: LOGITS, row: 0, col: T, text: `logits: ${shown.join(' · ')}`, role: 'result' });
      }
      const box = regionOf(ctx.layout, [lmHead, LNF.out, LOGITS]);
      // Room on the right for the logits' label.
      box.max[0] += 30;
      return {
        camera: frameRegion(ctx, box.min, box.max, { zoom: 1.02, yaw: -0.12 }),
        blocks,
        highlights,
        callouts,
        dim: last > 0 ? 0.3 : 0,
        describe: `The output head turns each column into ${V} logits, one per letter; for the last column: ${values.map((x, v) => `${letter(v)} ${num(x.value)}`).join(', ')}.`,
      };
    },

    softmax: (ctx, t) => {
      const T = lastCol(ctx);
      const u = beat(t, 0.22, 0.65);
      const { blocks, current } = fillRun(ctx.layout, MAX, PROBS, u);
      const done = (id: string) => current === null || ctx.layout.blocks.indexOf(current) > ctx.layout.blocks.indexOf(blockOf(ctx.layout, id));
      const max = valueAt(ctx, MAX, 0, T);
      const sum = valueAt(ctx, SUM, 0, T);
      const p = columnAt(ctx, PROBS, T);
      const highlights: Highlight[] = [cols(LOGITS, [T, T + 1], 'source')];
      const callouts: Callout[] = [];
      if (done(MAX)) {
        highlights.push(cell(MAX, 0, T, 'focus'));
        callouts.push({ block: MAX, row: 0, col: T, text: `largest logit ${num(max)}`, role: 'focus' });
      }
      if (done(SUM)) {
        highlights.push(cell(SUM, 0, T, 'focus'));
        // On a phone the two rows are too close for two labels: the sum's label carries both.
        if (narrow(ctx)) callouts.pop();
        const text = narrow(ctx) ? `largest ${num(max)} · Σ exp(logit − largest) = ${num(sum)}` : `Σ exp(logit − largest) = ${num(sum)}`;
        callouts.push({ block: SUM, row: 0, col: T, text, role: 'focus' });
      }
      if (done(PROBS)) {
        highlights.push(cols(PROBS, [T, T + 1], 'result'));
        callouts.push(...rowLabels(ctx, PROBS, T, p.map((x, v) => `${letter(v)} ${prob(x)}`), argmax(p)));
      }
      return {
        camera: closeUp(ctx),
        blocks,
        highlights,
        callouts,
        dim: 0.2,
        describe: `Softmax turns the last column's logits into probabilities: largest logit ${num(max)}, sum of exponentials ${num(sum)}, giving ${p.map((x, v) => `${letter(v)} ${prob(x)}`).join(', ')}.`,
      };
    },

    'last-column': (ctx, t) => {
      const T = lastCol(ctx);
      const u = beat(t, 0.22, 0.7);
      const k = Math.min(T, Math.floor(u * (T + 1)));
      const best = argmax(columnAt(ctx, PROBS, k));
      const highlights: Highlight[] = [];
      for (let c = 0; c < k; c++) highlights.push(cols(PROBS, [c, c + 1], 'muted'), cols(LOGITS, [c, c + 1], 'muted'));
      highlights.push(cols(PROBS, [k, k + 1], k === T ? 'result' : 'focus'), cols(LOGITS, [k, k + 1], 'source'));
      const input = ctx.choices.input;
      const text = k === T ? `after all ${T + 1} letters: ${letter(best)}, the answer` : `after ${input.slice(0, k + 1)}: ${letter(best)}?`;
      return {
        camera: closeUp(ctx),
        highlights,
        callouts: [{ block: PROBS, row: best, col: k, text, role: k === T ? 'result' : 'focus' }],
        dim: 0.35,
        describe: `Every column makes a guess, but only the last one has seen all ${T + 1} letters and was trained to answer; it says ${letter(argmax(columnAt(ctx, PROBS, T)))}.`,
      };
    },

    greedy: (ctx, t) => {
      const T = lastCol(ctx);
      const V = ctx.config.vocab_size;
      const p = columnAt(ctx, PROBS, T);
      const best = argmax(p);
      const { scan, lift } = { scan: beat(t, 0.22, 0.45), lift: beat(t, 0.7, 0.25) };
      const k = Math.min(V, countAt(V + 1, scan));
      const highlights: Highlight[] = [];
      const texts: string[] = [];
      for (let v = 0; v < k; v++) {
        const winner = lift > 0 && v === best;
        const h: Highlight = { block: PROBS, rows: [v, v + 1], cols: [T, T + 1], role: winner ? 'result' : lift > 0 ? 'muted' : 'focus' };
        highlights.push(winner ? { ...h, lift: [0.4 * lift, 0, 1.5 * lift] } : h);
        texts.push(`${letter(v)} ${prob(p[v]!)}${winner ? (narrow(ctx) ? ', picked' : ': the largest, so picked') : ''}`);
      }
      const callouts = rowLabels(ctx, PROBS, T, texts, lift > 0 ? best : -1);
      return {
        camera: closeUp(ctx),
        highlights,
        callouts,
        dim: 0.3,
        describe: `Greedy decoding takes the most probable letter of the last column: ${letter(best)}, with probability ${prob(p[best]!)}.`,
      };
    },

    sample: (ctx, t) => {
      const T = lastCol(ctx);
      const V = ctx.config.vocab_size;
      const s = sampling(ctx);
      const { cool, walk, lift } = { cool: beat(t, 0.22, 0.3), walk: beat(t, 0.55, 0.25), lift: beat(t, 0.82, 0.15) };
      // The temperature eases from 1 (the plain softmax) to the reader's choice, so its effect shows.
      const tau = lerp(1, s.temperature, cool);
      const tauText = String(Number(tau.toFixed(2)));
      const p = tau > 0 ? softmaxAt(s.logits, tau) : s.probs;
      const greedy = s.temperature <= 0;
      // The draw walks down the letters, each covering its share of [0, 1), until it reaches the one where the random number lands.
      const reached = greedy ? 0 : Math.min(V, countAt(s.picked + 1, walk));
      const highlights: Highlight[] = [];
      const texts: string[] = [];
      for (let v = 0; v < V; v++) {
        const chosen = v === s.picked && lift > 0;
        const role = chosen ? 'result' : v < reached ? 'focus' : 'muted';
        highlights.push(chosen ? { block: PROBS, rows: [v, v + 1], cols: [T, T + 1], role, lift: [0.4 * lift, 0, 1.5 * lift] } : { block: PROBS, rows: [v, v + 1], cols: [T, T + 1], role });
        const why = greedy ? ': the largest, picked' : `: seed ${s.seed} draws ${s.draw.toFixed(4)}, picked`;
        // At temperature 0 the choice is certain, not merely very likely.
        const share = tau > 0 ? prob(p[v]!) : `${p[v]! * 100}%`;
        if (narrow(ctx)) texts.push(`${letter(v)} ${share}${chosen ? ', picked' : ''}`);
        else texts.push(`${letter(v)}: ${prob(s.plain[v]!)}${cool > 0 ? ` at 1, ${share} at ${tauText}` : ''}${chosen ? why : ''}`);
      }
      const callouts: Callout[] = [
        { block: LOGITS, row: 0, col: T, text: tau > 0 ? `temperature ${tauText}: logits ÷ ${tauText}` : 'temperature 0: no draw', role: 'source' },
        ...rowLabels(ctx, PROBS, T, texts, lift > 0 ? s.picked : -1),
      ];
      return {
        camera: closeUp(ctx),
        highlights,
        callouts,
        dim: 0.3,
        describe: greedy
          ? `At temperature 0 the model picks greedily: ${letter(s.picked)}.`
          : `At temperature ${num(s.temperature)} the probabilities are ${s.probs.map((x, v) => `${letter(v)} ${prob(x)}`).join(', ')}; seed ${s.seed} draws ${s.draw.toFixed(4)}, which picks ${letter(s.picked)}.`,
      };
    },
  },
};

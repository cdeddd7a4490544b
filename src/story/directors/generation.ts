/**
 * Chapter 10, generation: the picked letter is appended and the model runs again, six times
 * (T = 6..11). Each step shows one real pass from the worker's generation (generation-passes.ts);
 * until the worker has produced it, the same choreography plays on the first pass and says so.
 *
 * Every step ends framed on what its prose points at: the new column's embedding sum (the token
 * and position columns lifted beside the result), the cached keys and values beside the one new
 * column of a head, the last column's pick next to the column before it, and the input row with
 * the letters fed back. Labels sit beside the blocks, joined to their cells by arrows.
 */
import { headBlockIds, lnBlockIds, TOP_IDS } from '../../scene/ids.ts';
import type { Callout, CameraState, Highlight, Link, ModelLayout, Vec3 } from '../../scene/types.ts';
import { arcVec, beat, clamp, countAt, lerpCamera } from '../beats.ts';
import type { ChapterDirector, DirectorContext } from '../director.ts';
import { fly } from './camera-paths.ts';
import { ALL_COMPUTED, cell, cols, overview } from './common.ts';
import { blockOf, calloutWidth, cellEnd, cellsBox, end, fitBox, link, narrow, num, PHONE_TIGHT, pinAt, ppuOf, sayAt, unionOf } from './forward-sweep.ts';
import { fillInTurn, largestChange, lastProbs, letter, passOf, PASSES, percent, seqValue, type Pass } from './generation-passes.ts';

const pending = 'The generation is still being computed, so this shows the first pass over your six letters.';

const HEAD = headBlockIds(0, 0);
const LNF = lnBlockIds('ln_f');
const BOTTOM_FILL = [LNF.mean, LNF.rstd, LNF.out, TOP_IDS.logits, TOP_IDS.probsMax, TOP_IDS.probsSum, TOP_IDS.probs];
/** The pass after the first: the first output letter has just been appended (T = 7). */
const SECOND = 1;
/** Px between a label and the block it sits beside. */
const GAP_PX = 10;

/** A label beside block `id` of `layout`, level with its row `row`: right of the block, or left of it with side 'left'. */
function beside(ctx: DirectorContext, layout: ModelLayout, ppu: number, id: string, row: number, text: string, role: Callout['role'], side: 'right' | 'left' = 'right', dx = 0): Callout {
  const b = blockOf(layout, id);
  const x = side === 'right' ? b.position[0] + b.size[0] + dx + GAP_PX / ppu : b.position[0] - dx - GAP_PX / ppu;
  return { ...pinAt(layout, ppu, id, x, b.position[1] - row - 0.5, side), text, role };
}

/** Close on the input row and the top of the token table, near enough that the cells carry their letters, with room on the right for `text`. */
function tokensCamera(ctx: DirectorContext, layout: ModelLayout, text: string): CameraState {
  const box = unionOf(cellsBox(layout, TOP_IDS.tokens), cellsBox(layout, TOP_IDS.wte, [0, 22]), cellsBox(layout, TOP_IDS.tokEmb, [0, 22]));
  return fitBox(ctx, box, { right: calloutWidth(text) + 2 * GAP_PX, left: narrow(ctx) ? 0 : 120 });
}

/**
 * Where the new column's token column is lifted to: into the gap between the position embeddings
 * and the input embedding, rows level with both, so the new position's token column, position
 * column and sum read along one row.
 */
function tokenSlot(layout: ModelLayout, col: number): Vec3 {
  const e = blockOf(layout, TOP_IDS.embed);
  const tok = blockOf(layout, TOP_IDS.tokEmb);
  const pos = blockOf(layout, TOP_IDS.posEmb);
  const gapMiddle = (pos.position[0] + pos.size[0] + e.position[0]) / 2;
  return [gapMiddle - 0.5 - tok.position[0] - col, e.position[1] - tok.position[1], 0];
}

/** The three parts of channel 1's sum in the new column. */
function sumParts(p: Pass): string[] {
  const at = (tensor: string) => seqValue(p.trace, tensor, 0, p.col);
  return [`token ${num(at('tok_emb'))}`, `+ position ${num(at('pos_emb'))}`, `= ${num(at('embed'))}`];
}

/** The position table, the position embeddings and the input embedding, with room right of them for the sum. */
function sumCamera(ctx: DirectorContext, p: Pass): CameraState {
  const lay = p.layout;
  const box = unionOf(cellsBox(lay, TOP_IDS.wpe), cellsBox(lay, TOP_IDS.posEmb), cellsBox(lay, TOP_IDS.embed));
  const parts = sumParts(p);
  return fitBox(ctx, box, { right: (narrow(ctx) ? Math.max(...parts.map(calloutWidth)) : calloutWidth(parts.join(' '))) + 2 * GAP_PX });
}

/** The head's query, key and value vectors and its scores, while the new column's q, k and v are computed. */
function qkvCamera(ctx: DirectorContext, layout: ModelLayout): CameraState {
  return fitBox(ctx, unionOf(cellsBox(layout, HEAD.q.bias), cellsBox(layout, HEAD.q.out), cellsBox(layout, HEAD.scores)), { right: 160 });
}

/** Labels of the same-past step, by stage width: what is kept, what is new, what is masked. */
function pastTexts(ctx: DirectorContext, change: number | null): { kept: string; masked: string } {
  const kept = change === null ? 'old columns: kept from the last pass' : `old columns: as in the last pass (largest change ${num(change)})`;
  return narrow(ctx) ? { kept: change === null ? 'old columns: kept' : `old columns: unchanged (${num(change)})`, masked: 'masked' } : { kept, masked: 'masked: older letters never see the new one' };
}

/** The cached keys and values, the scores and the softmax of the head, with room on the right for the labels. */
function pastCamera(ctx: DirectorContext, layout: ModelLayout, room: number): CameraState {
  const box = unionOf(cellsBox(layout, HEAD.k.bias), cellsBox(layout, HEAD.k.out), cellsBox(layout, HEAD.v.out), cellsBox(layout, HEAD.scores), cellsBox(layout, HEAD.probs));
  return fitBox(ctx, box, narrow(ctx) ? { ...PHONE_TIGHT, fill: 0.98, right: room } : { right: room });
}

/** The logits and probabilities below the last rows of the final layer norm, with room on both sides for the labels of two columns' picks. */
function bottomCamera(ctx: DirectorContext, layout: ModelLayout): CameraState {
  const box = unionOf(cellsBox(layout, LNF.out, [40, 48]), cellsBox(layout, TOP_IDS.logits), cellsBox(layout, TOP_IDS.probs));
  return fitBox(ctx, box, narrow(ctx) ? { right: 120, left: 70 } : { right: 190, left: 210 });
}

/** Close on the logits and probabilities (with the last rows of the final layer norm above them), framed for `layout`'s T, labels on the right. */
function outputCamera(ctx: DirectorContext, layout: ModelLayout): CameraState {
  const box = unionOf(cellsBox(layout, LNF.out, [40, 48]), cellsBox(layout, TOP_IDS.logits), cellsBox(layout, TOP_IDS.probs));
  // Room below too: the lowest row's label hangs a little under its row.
  return fitBox(ctx, box, { right: narrow(ctx) ? 170 : 250, below: 24 });
}

export const generation: ChapterDirector = {
  chapter: 'generation',
  model: 'nano',
  steps: {
    append: (ctx, t) => {
      const p = passOf(ctx, SECOND);
      const prev = ctx.generation ? passOf(ctx, SECOND - 1) : p;
      const lay = p.layout;
      const c = p.col;
      const added = p.trace.ids[c]!;
      const look = beat(t, 0.18, 0.22);
      const down = beat(t, 0.42, 0.18);
      const pos = beat(t, 0.46, 0.14);
      const bring = beat(t, 0.62, 0.14);
      const sum = beat(t, 0.78, 0.14);
      // The four blocks that gain a column, one after another: a quarter of u each.
      const fill = fillInTurn(lay, [TOP_IDS.tokens, TOP_IDS.tokEmb, TOP_IDS.posEmb, TOP_IDS.embed], (clamp(2 * look) + clamp(2 * look - 1) + pos + sum) / 4);
      const joins = `${letter(added)} joins as position ${c + 1}`;
      const top = tokensCamera(ctx, lay, joins);
      const bottom = sumCamera(ctx, p);
      const camera = lerpCamera(top, bottom, down);
      const slot = tokenSlot(lay, c);
      const rise = (u: number, v: Vec3): Vec3 => arcVec([0, 0, 0], v, u, 3);

      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (down < 1) {
        highlights.push(cols(TOP_IDS.tokens, [0, c], 'source'), cols(TOP_IDS.tokens, [c, c + 1], 'result'));
        const ppu = ppuOf(ctx, top);
        // The labels stay while their cells are on the stage, not as the camera heads down.
        const said = down < 0.3;
        if (said) callouts.push(beside(ctx, lay, ppu, TOP_IDS.tokens, 0, joins, 'result'));
        if (look > 0.5) {
          highlights.push(cols(TOP_IDS.wte, [added, added + 1], 'source'), cols(TOP_IDS.tokEmb, [c, c + 1], 'focus'));
          links.push(...link(end(TOP_IDS.tokens, undefined, [c, c + 1]), end(TOP_IDS.wte, [0, 4], [added, added + 1]), clamp(2 * look - 1), 'source'));
          links.push(...link(end(TOP_IDS.wte, [0, 4], [added, added + 1]), end(TOP_IDS.tokEmb, [0, 4], [c, c + 1]), clamp(2 * look - 1), 'source'));
          if (said) callouts.push(beside(ctx, lay, ppu, TOP_IDS.wte, 2, `the column of ${letter(added)}`, 'source', 'left'));
        }
      } else {
        const ppu = ppuOf(ctx, bottom);
        const tokLift = rise(bring, slot);
        highlights.push(cols(TOP_IDS.wpe, [c, c + 1], 'source'), cols(TOP_IDS.posEmb, [c, c + 1], 'source'));
        if (bring > 0) highlights.push({ block: TOP_IDS.tokEmb, cols: [c, c + 1], role: 'source', lift: tokLift, copy: true });
        links.push(...link(end(TOP_IDS.wpe, [0, 4], [c, c + 1]), end(TOP_IDS.posEmb, [0, 4], [c, c + 1]), clamp(pos * 2), 'source'));
        if (sum > 0) {
          const result = cellEnd(TOP_IDS.embed, 0, c);
          highlights.push(cols(TOP_IDS.embed, [c, c + 1], 'result'), cell(TOP_IDS.embed, 0, c, 'result'));
          highlights.push({ block: TOP_IDS.tokEmb, rows: [0, 1], cols: [c, c + 1], role: 'focus', lift: [tokLift[0], tokLift[1], tokLift[2] + 0.02], copy: true });
          highlights.push(cell(TOP_IDS.posEmb, 0, c, 'focus'));
          links.push(...link(cellEnd(TOP_IDS.tokEmb, 0, c), result, sum, 'source'), ...link(cellEnd(TOP_IDS.posEmb, 0, c), result, sum, 'source'));
          if (sum >= 1) {
            const e = blockOf(lay, TOP_IDS.embed);
            callouts.push(...sayAt(lay, ppu, TOP_IDS.embed, e.position[0] + e.size[0] + GAP_PX / ppu, blockOf(lay, TOP_IDS.embed).position[1] - 0.5, sumParts(p), { maxPx: narrow(ctx) ? 0 : Infinity }));
            links.push(...link(result, { callout: callouts.length - 1 }, 1, 'result'));
          }
        }
      }
      return {
        camera,
        trace: p.trace,
        blocks: fill.blocks,
        highlights,
        callouts,
        links,
        dim: 0.5,
        describe: p.live
          ? `The first output letter, ${letter(added)} (picked with ${percent(Math.max(...lastProbs(prev)))}), is appended to the input ${ctx.choices.input} as position ${c + 1}; its token and position embeddings fill one new column, T = ${p.T}, and in channel 1 their sum is ${sumParts(p).join(' ')}.`
          : pending,
      };
    },

    'same-past': (ctx, t) => {
      const p = passOf(ctx, SECOND);
      const lay = p.layout;
      const c = p.col;
      const u = beat(t, 0.3, 0.55);
      const fill = fillInTurn(lay, [HEAD.q.out, HEAD.k.out, HEAD.v.out, HEAD.scores, HEAD.max, HEAD.sum, HEAD.probs, HEAD.out], u);
      const change = ctx.generation ? largestChange(passOf(ctx, SECOND - 1).trace, p.trace) : null;
      const texts = pastTexts(ctx, change);
      const room = Math.max(calloutWidth(texts.kept), calloutWidth(texts.masked)) + 2 * GAP_PX;
      const work = qkvCamera(ctx, lay);
      const past = pastCamera(ctx, lay, room);
      const settle = beat(t, 0.6, 0.2);
      const camera = lerpCamera(work, past, settle);
      const ppu = ppuOf(ctx, settle < 0.5 ? work : past);

      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      const old = beat(t, 0.1, 0.1);
      if (old > 0 && c > 0) {
        highlights.push(cols(HEAD.k.out, [0, c], 'source'), cols(HEAD.v.out, [0, c], 'source'));
        callouts.push(beside(ctx, lay, ppu, HEAD.scores, 0, texts.kept, 'source'));
        links.push(...link(end(HEAD.k.out, undefined, [0, c]), { callout: 0 }, old, 'source'), ...link(end(HEAD.v.out, undefined, [0, c]), { callout: 0 }, old, 'source'));
      }
      if (u > 0) {
        const current = fill.done ? HEAD.out : fill.current;
        const attending = current !== HEAD.q.out && current !== HEAD.k.out && current !== HEAD.v.out;
        // Once the camera settles on the cache, the new column is marked where it is in view.
        if (settle < 0.5) highlights.push(cols(current, [c, c + 1], 'focus'));
        if (attending) {
          if (settle < 0.5) highlights.push(cols(HEAD.q.out, [c, c + 1], 'source'));
          highlights.push(cols(HEAD.k.out, [c, c + 1], 'focus'), cols(HEAD.v.out, [c, c + 1], 'focus'), cols(HEAD.scores, [c, c + 1], 'result'));
          if (c > 0) {
            highlights.push({ block: HEAD.scores, rows: [c, c + 1], cols: [0, c], role: 'muted' });
            callouts.push(beside(ctx, lay, ppu, HEAD.scores, c, texts.masked, 'muted'));
            links.push(...link(end(HEAD.scores, [c, c + 1], [0, c]), { callout: callouts.length - 1 }, 1, 'muted'));
          }
        }
      }
      return {
        camera,
        trace: p.trace,
        blocks: fill.blocks,
        highlights,
        callouts,
        links,
        dim: 0.5,
        describe: p.live
          ? `Head 1 of layer 1 in the pass over ${p.T} letters: the keys and values of the first ${c} positions are exactly those of the previous pass (largest change ${num(change ?? 0)}); only the new column ${c + 1} is computed, its query scored against all ${p.T} keys.`
          : pending,
      };
    },

    'last-column': (ctx, t) => {
      const p = passOf(ctx, SECOND);
      const lay = p.layout;
      const c = p.col;
      const before = passOf(ctx, SECOND - 1);
      // A long way down, from layer 1's first head to the output: fly over the model.
      const past = pastCamera(ctx, lay, Math.max(calloutWidth(pastTexts(ctx, null).kept), 0) + 2 * GAP_PX);
      const bottom = bottomCamera(ctx, lay);
      const camera = fly(past, bottom, beat(t, 0.15, 0.4), overview(ctx, lay).distance * 0.4);
      const fill = fillInTurn(lay, BOTTOM_FILL, beat(t, 0.5, 0.3));
      const pick = beat(t, 0.82, 0.1);
      const ppu = ppuOf(ctx, bottom);
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (!fill.done && t >= 0.5) highlights.push(cols(fill.current, [c, c + 1], 'focus'));
      if (pick > 0) {
        const old = c > 0 ? before.pick : -1;
        if (c > 1) highlights.push(cols(TOP_IDS.probs, [0, c - 1], 'muted'), cols(TOP_IDS.logits, [0, c], 'muted'));
        highlights.push(cols(TOP_IDS.probs, [c, c + 1], 'focus'), cell(TOP_IDS.probs, p.pick, c, 'result'));
        callouts.push(beside(ctx, lay, ppu, TOP_IDS.probs, p.pick, `${narrow(ctx) ? '' : `column ${c + 1}: `}next ${letter(p.pick)}, ${percent(lastProbs(p)[p.pick]!)}`, 'result'));
        links.push(...link(cellEnd(TOP_IDS.probs, p.pick, c), { callout: 0 }, pick, 'result'));
        if (old >= 0) {
          // The column before: the first pass's answer, computed again.
          highlights.push(cell(TOP_IDS.probs, old, c - 1, 'focus'));
          callouts.push(beside(ctx, lay, ppu, TOP_IDS.probs, old, narrow(ctx) ? `still ${letter(old)}` : `column ${c}: still ${letter(old)}, as in pass 1`, 'focus', 'left'));
          links.push(...link(cellEnd(TOP_IDS.probs, old, c - 1), { callout: 1 }, pick, 'focus'));
        }
      }
      return {
        camera,
        trace: p.trace,
        blocks: fill.blocks,
        highlights,
        callouts,
        links,
        dim: 0.5 * pick,
        describe: p.live
          ? `The bottom of the pass over ${p.T} letters: of the ${p.T} columns of probabilities only the last is read; it picks ${letter(p.pick)} with ${percent(lastProbs(p)[p.pick]!)}. The column before still says ${letter(before.pick)}, as in the first pass.`
          : pending,
      };
    },

    'six-passes': (ctx, t) => {
      // Six passes in turn; the camera holds on the output blocks, framed for the longest sequence.
      const last = passOf(ctx, PASSES - 1);
      const begin = 0.12;
      const span = (0.96 - begin) / PASSES;
      const k = Math.max(0, Math.min(PASSES - 1, Math.floor((t - begin) / span)));
      const local = clamp((t - begin - k * span) / span);
      const p = passOf(ctx, k);
      const fill = fillInTurn(p.layout, BOTTOM_FILL, beat(local, 0, 0.65));
      const picked = t >= begin && local >= 0.72;
      const camera = outputCamera(ctx, last.layout);
      const ppu = ppuOf(ctx, camera);
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      // Each pass's pick is the cell of its newest column: together they form a diagonal.
      const done = p.live ? k + (picked ? 1 : 0) : picked ? 1 : 0;
      for (let j = 0; j < done; j++) {
        const q = p.live ? passOf(ctx, j) : p;
        highlights.push(cell(TOP_IDS.probs, q.pick, q.col, 'result'));
      }
      const so = ctx.generation ? ctx.generation.tokens.slice(0, done).map(letter).join('') : '';
      const where = narrow(ctx) ? `pass ${k + 1}, T = ${p.T}` : `pass ${k + 1} of ${PASSES}, T = ${p.T}${so ? `: written ${so}` : ''}`;
      callouts.push(beside(ctx, p.layout, ppu, TOP_IDS.logits, 1, where, 'focus', 'right', last.T - p.T));
      if (picked) {
        callouts.push(beside(ctx, p.layout, ppu, TOP_IDS.probs, p.pick, `${letter(p.pick)}, ${percent(lastProbs(p)[p.pick]!)}`, 'result', 'right', last.T - p.T));
        links.push(...link(cellEnd(TOP_IDS.probs, p.pick, p.col), { callout: 1 }, 1, 'result'));
      } else if (t >= begin) highlights.push(cols(fill.current, [p.col, p.col + 1], 'focus'));
      return {
        camera,
        trace: p.trace,
        blocks: t < begin ? ALL_COMPUTED : fill.blocks,
        highlights,
        callouts,
        links,
        dim: 0.4,
        describe: p.live
          ? `Six forward passes, T = 6 to ${last.T}, one after another; each reads its last column and picks the next letter, writing ${ctx.generation!.tokens.map(letter).join('')}. Now pass ${k + 1}, over ${p.T} letters.`
          : pending,
      };
    },

    'read-out': (ctx, t) => {
      const p = passOf(ctx, PASSES - 1);
      const lay = p.layout;
      const out = ctx.generation ? ctx.generation.tokens.map(letter).join('') : '…';
      const first = ctx.choices.input.length;
      const said = `${ctx.choices.input} in, ${out} out`;
      // Up from the output to the input row, high enough on the way to see the whole model.
      const top = tokensCamera(ctx, lay, said);
      const camera = fly(outputCamera(ctx, lay), top, beat(t, 0.12, 0.5), overview(ctx, lay).distance);
      const lit = beat(t, 0.62, 0.3);
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      if (t < 0.3) {
        highlights.push(cell(TOP_IDS.probs, p.pick, p.col, 'result'));
        callouts.push(beside(ctx, lay, ppuOf(ctx, outputCamera(ctx, lay)), TOP_IDS.probs, p.pick, `last letter ${letter(p.pick)}: never fed back`, 'result'));
      }
      if (lit > 0 && p.T > first) {
        // The fed-back letters light up one by one, then their embedding columns below them.
        const n = countAt(p.T - first, lit);
        highlights.push(cols(TOP_IDS.tokens, [0, first], 'source'), cols(TOP_IDS.tokens, [first, first + n], 'result'), { block: TOP_IDS.tokEmb, rows: [0, 22], cols: [first, first + n], role: 'result' });
        if (lit >= 1) callouts.push(beside(ctx, lay, ppuOf(ctx, top), TOP_IDS.tokens, 0, said, 'result'));
      }
      return {
        camera,
        trace: p.trace,
        blocks: ALL_COMPUTED,
        highlights,
        callouts,
        dim: 0.4 * lit,
        describe: p.live
          ? `Back at the top after the last pass, over ${p.T} letters: the input ${ctx.choices.input} followed by the ${p.T - first} letters fed back; the sixth, ${letter(p.pick)}, comes out of the last column. The answer is ${out}.`
          : pending,
      };
    },
  },
};

/**
 * Chapter 3, embedding: the token-embedding table, one lookup flown into place, the position
 * table, the channel-by-channel sum of the first column, every column, and two equal letters.
 */
import type { ChapterDirector, DirectorContext } from '../director.ts';
import type { CameraState, Callout, Highlight } from '../../scene/types.ts';
import { beat, countAt, lerpCamera } from '../beats.ts';
import { cell, cols, frame, whole } from './common.ts';
import { computedThrough, fit, flyingColumn, frameRegions, letter, num, operand, repeatedPair, scanRows, traced, visiting } from './column-focus.ts';
import { TOP_IDS } from '../../scene/ids.ts';

const { tokens: TOKENS, wte: WTE, tokEmb: TOK, wpe: WPE, posEmb: POS, embed: EMBED } = TOP_IDS;
/** The position followed through the chapter: the reader's first letter. */
const P = 0;

function lookupCam(ctx: DirectorContext): CameraState {
  return frame(ctx, [TOKENS, WTE, TOK], { zoom: 1.14 });
}

function sumCam(ctx: DirectorContext): CameraState {
  return frame(ctx, [TOK, POS, EMBED], { zoom: 1.04 });
}

/** Columns of `block` under way while u goes 0 -> 1: which column flies now and its own progress. */
function flights(n: number, u: number): { k: number; v: number } {
  const x = Math.min(n - 1e-9, u * n);
  const k = Math.floor(x);
  return { k, v: u >= 1 ? 1 : x - k };
}

export const embedding: ChapterDirector = {
  chapter: 'embedding',
  model: 'nano',
  steps: {
    table: (ctx, t) => {
      // Close on the table's three columns one by one, then pull back while a row runs down all 48 channels.
      const close = frameRegions(ctx, [{ block: TOKENS }, { block: WTE, rows: [0, 22] }, { block: TOK, rows: [0, 22] }]);
      const b = { across: beat(t, 0.24, 0.3), down: beat(t, 0.56, 0.36) };
      const V = ctx.config.vocab_size;
      const C = ctx.config.n_embd;
      const highlights: Highlight[] = [whole(WTE, 'source')];
      const callouts: Callout[] = [];
      if (b.across > 0 && b.across < 1) {
        const v = visiting(V, b.across);
        highlights.push(cols(WTE, [v, v + 1], 'focus'));
        callouts.push({ block: WTE, row: 3, col: v, text: `column of token ${v} (${letter(v)})` });
      }
      if (b.down > 0) {
        const r = visiting(C, b.down);
        if (b.down < 1) highlights.push({ block: WTE, rows: [r, r + 1], role: 'focus' });
        callouts.push({ block: WTE, row: b.down < 1 ? r : C - 1, col: V - 0.5, text: b.down < 1 ? `channel ${r + 1}` : `${C} channels`, role: b.down < 1 ? 'focus' : 'source' });
      }
      return {
        camera: lerpCamera(close, lookupCam(ctx), b.down),
        blocks: computedThrough(ctx, TOKENS),
        highlights,
        callouts,
        dim: 0.5,
        describe: `The token embedding table: ${V} columns, one per letter, each ${C} numbers (channels) tall, all learned in training.`,
      };
    },
    lookup: (ctx, t) => {
      // The first letter's id picks a column of wte, which is copied into place; then the other five follow.
      const ids = ctx.trace.ids;
      const id = ids[P]!;
      const b = { point: beat(t, 0.22, 0.14), fly: beat(t, 0.38, 0.26), rest: beat(t, 0.72, 0.24) };
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      let filled = 0;
      if (b.rest <= 0) {
        if (b.point > 0) {
          highlights.push(cols(TOKENS, [P, P + 1], 'focus'), cols(WTE, [id, id + 1], 'source'));
          callouts.push({ block: TOKENS, row: -0.7, col: P, text: `${letter(id)} = token ${id}` });
        }
        if (b.fly > 0) {
          filled = P + 1;
          highlights.push(flyingColumn(ctx, WTE, id, TOK, P, b.fly));
        }
        if (b.fly >= 1) callouts.push({ block: TOK, row: 0, col: P, text: `channel 1: ${num(traced(ctx, 'tok_emb', P, 0))}`, role: 'result' });
      } else {
        const { k, v } = flights(ids.length - 1, b.rest);
        const col = k + 1;
        filled = col + 1;
        if (b.rest < 1) {
          highlights.push(cols(TOKENS, [col, col + 1], 'focus'), cols(WTE, [ids[col]!, ids[col]! + 1], 'source'), flyingColumn(ctx, WTE, ids[col]!, TOK, col, v));
          callouts.push({ block: TOKENS, row: -0.7, col, text: `${letter(ids[col]!)} = token ${ids[col]}` });
        } else {
          highlights.push(whole(TOK, 'result'));
        }
      }
      return {
        camera: lookupCam(ctx),
        blocks: computedThrough(ctx, TOKENS, { [TOK]: filled }),
        highlights,
        callouts,
        dim: 0.5,
        describe: `Letter ${letter(id)} at position ${P + 1} is token ${id}: column ${id} of the table is copied into the token embeddings (channel 1 is ${num(traced(ctx, 'tok_emb', P, 0))}), and the other letters follow.`,
      };
    },
    position: (ctx, t) => {
      // Column k of the position table is copied to position k, for each of the six positions.
      const T = ctx.trace.ids.length;
      const S = ctx.config.block_size;
      const b = { first: beat(t, 0.24, 0.22), rest: beat(t, 0.5, 0.32), spare: beat(t, 0.86, 0.1) };
      const highlights: Highlight[] = [cols(WPE, [0, T], 'source')];
      const callouts: Callout[] = [];
      let filled = 0;
      if (b.rest <= 0) {
        if (b.first > 0) {
          filled = 1;
          highlights.push(cols(WPE, [0, 1], 'focus'), flyingColumn(ctx, WPE, 0, POS, 0, b.first));
        }
        if (b.first >= 1) callouts.push({ block: POS, row: 0, col: 0, text: `channel 1: ${num(traced(ctx, 'pos_emb', 0, 0))}`, role: 'result' });
      } else {
        const { k, v } = flights(T - 1, b.rest);
        const col = k + 1;
        filled = col + 1;
        if (b.rest < 1) highlights.push(cols(WPE, [col, col + 1], 'focus'), flyingColumn(ctx, WPE, col, POS, col, v));
        else highlights.push(whole(POS, 'result'));
      }
      if (b.spare > 0) {
        highlights.push(cols(WPE, [T, S], 'muted'));
        callouts.push({ block: WPE, row: -0.7, col: T, text: `positions ${T + 1}–${S}: for the answers`, role: 'muted' });
      }
      return {
        camera: frame(ctx, [WPE, POS], { zoom: 1.08 }),
        blocks: computedThrough(ctx, POS, { [POS]: filled }),
        highlights,
        callouts,
        dim: 0.5,
        describe: `The position table has ${S} columns; columns 1 to ${T} are copied to the six positions (position 1, channel 1: ${num(traced(ctx, 'pos_emb', 0, 0))}).`,
      };
    },
    add: (ctx, t) => {
      // Channel by channel down the first column: token value + position value = embedding value.
      const C = ctx.config.n_embd;
      const shown = scanRows(C, beat(t, 0.24, 0.36), beat(t, 0.62, 0.32));
      const r = Math.max(0, shown - 1);
      const a = traced(ctx, 'tok_emb', P, r);
      const p = traced(ctx, 'pos_emb', P, r);
      const e = traced(ctx, 'embed', P, r);
      const highlights: Highlight[] = [cols(TOK, [P, P + 1], 'source'), cols(POS, [P, P + 1], 'source')];
      const callouts: Callout[] = [];
      if (shown > 0) {
        const lift: [number, number, number] = [0, 0, 0.6];
        highlights.push({ ...cell(TOK, r, P, 'focus'), lift }, { ...cell(POS, r, P, 'focus'), lift }, { ...cell(EMBED, r, P, 'result'), lift });
        // The sum first: when labels collide on a small screen, the earlier one is kept.
        callouts.push(
          { block: EMBED, row: r, col: P, text: fit(ctx, `channel ${r + 1}: `, '') + `${num(a)} + ${operand(p)} = ${num(e)}`, role: 'result' },
          { block: TOK, row: r, col: P, text: num(a), role: 'source' },
          { block: POS, row: r, col: P, text: num(p), role: 'source' },
        );
      }
      return {
        camera: sumCam(ctx),
        blocks: computedThrough(ctx, POS, { [EMBED]: [0, shown] }),
        highlights,
        callouts,
        dim: 0.5,
        describe: `Position ${P + 1}'s token column and position column are added channel by channel; channel ${r + 1}: ${num(a)} + ${num(p)} = ${num(e)}.`,
      };
    },
    'all-columns': (ctx, t) => {
      // The remaining five columns fill cell by cell; at the end the grid's two axes are named.
      const T = ctx.trace.ids.length;
      const C = ctx.config.n_embd;
      const u = beat(t, 0.24, 0.56);
      const n = countAt((T - 1) * C, u);
      const col = Math.min(T - 1, 1 + Math.floor(n / C));
      const filled: [number, number] = u >= 1 ? [T, 0] : [col, n % C];
      const highlights: Highlight[] = u < 1 ? [cols(TOK, [col, col + 1], 'source'), cols(POS, [col, col + 1], 'source'), cols(EMBED, [col, col + 1], 'result')] : [whole(EMBED, 'result')];
      const label = beat(t, 0.84, 0.1);
      const callouts: Callout[] = label > 0 ? [
        { block: EMBED, row: -0.7, col: 0, text: `T = ${T} positions (time) →`, role: 'result' },
        { block: EMBED, row: C / 2, col: T - 0.5, text: `C = ${C} channels`, role: 'result' },
      ] : [];
      return {
        camera: sumCam(ctx),
        blocks: computedThrough(ctx, POS, { [EMBED]: filled }),
        highlights,
        callouts,
        dim: u < 1 ? 0.5 : 0.3,
        describe: `The input embedding fills in for all ${T} positions: a grid of T × C = ${T} × ${C} numbers, the start of the residual stream.`,
      };
    },
    'same-letter': (ctx, t) => {
      // Two positions with the same letter: identical token columns, different position columns, different sums.
      const ids = ctx.trace.ids;
      const [p, q] = repeatedPair(ids) ?? [0, 1];
      const b = { tok: beat(t, 0.24, 0.18), pos: beat(t, 0.46, 0.18), sum: beat(t, 0.68, 0.2) };
      const pair = (block: string, role: Highlight['role']): Highlight[] => [cols(block, [p, p + 1], role), cols(block, [q, q + 1], role)];
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const same = ids[p] === ids[q];
      if (b.tok > 0) {
        highlights.push(...pair(TOK, b.pos > 0 ? 'source' : 'focus'));
        callouts.push({ block: TOK, row: 0, col: q, text: `positions ${p + 1} and ${q + 1} (${letter(ids[q]!)}): ${same ? 'identical' : 'different'}`, role: 'source' });
      }
      if (b.pos > 0) {
        highlights.push(...pair(POS, b.sum > 0 ? 'source' : 'focus'));
        callouts.push({ block: POS, row: ctx.config.n_embd - 1, col: q, text: `positions ${p + 1} and ${q + 1}: different`, role: 'source' });
      }
      if (b.sum > 0) {
        highlights.push(...pair(EMBED, 'result'));
        callouts.push({ block: EMBED, row: 0, col: q, text: `channel 1: ${num(traced(ctx, 'embed', p, 0))} vs ${num(traced(ctx, 'embed', q, 0))}`, role: 'result' });
      }
      return {
        camera: sumCam(ctx),
        blocks: computedThrough(ctx, EMBED),
        highlights,
        callouts,
        dim: 0.55,
        describe: `Positions ${p + 1} and ${q + 1} both hold ${letter(ids[p]!)}: the same token column, different position columns, so different embeddings (channel 1: ${num(traced(ctx, 'embed', p, 0))} and ${num(traced(ctx, 'embed', q, 0))}).`,
      };
    },
  },
};

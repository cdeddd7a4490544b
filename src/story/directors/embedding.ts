/**
 * Chapter 3, embedding: the token-embedding table, one lookup flown into place, the position
 * table, the channel-by-channel sum of the first column (its two operand columns brought down
 * beside the result), every column, and two equal letters compared side by side.
 *
 * Copies of operand columns stand in the gap between the position embeddings and the input
 * embedding, level with the result, so a row of the sum reads left to right: token, position, sum.
 */
import type { ChapterDirector, DirectorContext } from '../director.ts';
import type { CameraState, Callout, Highlight, Link, Vec3 } from '../../scene/types.ts';
import { beat, countAt, lerp, lerpCamera } from '../beats.ts';
import { cell, cols, whole } from './common.ts';
import { blockOf, computedThrough, fit, fixed, flyingColumn, letter, repeatedPair, traced, visiting } from './column-focus.ts';
import { equation, fitRegions, narrow, pinAbove, pinLeft, pinRight, pxPerUnit, roomFor } from './stage-fit.ts';
import { TOP_IDS } from '../../scene/ids.ts';

const { tokens: TOKENS, wte: WTE, tokEmb: TOK, wpe: WPE, posEmb: POS, embed: EMBED } = TOP_IDS;
/** The position followed through the chapter: the reader's first letter. */
const P = 0;
/** Embedding values as the prose quotes them (:val fmt="4"), so text and picture read the same. */
const val = (x: number) => fixed(x, 4);
/** How strongly the blocks around the subject are faded. */
const DIM = 0.6;
/** Copies stand this far in front of their blocks, so they pass over what they cross. */
const FRONT = 0.4;

/** Columns of `block` under way while u goes 0 -> 1: which column flies now and its own progress. */
function flights(n: number, u: number): { k: number; v: number } {
  const x = Math.min(n - 1e-9, u * n);
  const k = Math.floor(x);
  return { k, v: u >= 1 ? 1 : x - k };
}

/**
 * x of the copy slots in the gap left of the input embedding (world units): slot 0 is nearest
 * the position embeddings, slot 1 nearest the sum.
 */
function slotX(ctx: DirectorContext, slot: number): number {
  const embedX = blockOf(ctx, EMBED).position[0];
  return embedX - 5 + slot * 2.5;
}

/** The lift that carries column `col` of `block` to copy slot `slot`, level with the input embedding; u 0 -> 1 flies it there. */
function toSlot(ctx: DirectorContext, block: string, col: number, slot: number, u: number): Vec3 {
  const b = blockOf(ctx, block);
  const e = blockOf(ctx, EMBED);
  const k = Math.min(1, Math.max(0, u));
  const rise = Math.sin(Math.PI * k) * 3;
  return [(slotX(ctx, slot) - b.position[0] - col) * k, (e.position[1] - b.position[1]) * k, FRONT * k + rise];
}

/** A lifted copy of one column of a block. */
function copyColumn(block: string, col: number, lift: Vec3, role: Highlight['role']): Highlight {
  return { block, cols: [col, col + 1], role, lift, copy: true };
}

/** The same cell of a lifted copy, drawn just in front of it. */
function copyCell(block: string, row: number, col: number, lift: Vec3, role: Highlight['role']): Highlight {
  return { block, rows: [row, row + 1], cols: [col, col + 1], role, lift: [lift[0], lift[1], lift[2] + 0.02], copy: true };
}

const range = (block: string, c0: number, c1: number, r0?: number, r1?: number) =>
  r0 === undefined ? { block, cols: [c0, c1] as [number, number] } : { block, rows: [r0, r1!] as [number, number], cols: [c0, c1] as [number, number] };

/** The three parts of the sum in channel r of position P, as the callouts write them. */
function sumParts(ctx: DirectorContext, r: number): string[] {
  const [a, p, e] = [traced(ctx, 'tok_emb', P, r), traced(ctx, 'pos_emb', P, r), traced(ctx, 'embed', P, r)];
  return [`token ${val(a)}`, `+ position ${val(p)}`, `= embedding ${val(e)}`];
}

/** The input embedding with the token and position embeddings above and left, room right for the sum's callouts. */
function sumCam(ctx: DirectorContext): CameraState {
  const C = ctx.config.n_embd;
  // The token embeddings' last row keeps a hint of them in view, except on a phone, where every pixel goes to the cells.
  const context = narrow(ctx) ? [] : [{ block: TOK, rows: [C - 1, C] as [number, number] }];
  return fitRegions(ctx, [{ block: POS }, { block: EMBED }, ...context], { room: roomFor(ctx, sumParts(ctx, 0)) + 8 });
}

export const embedding: ChapterDirector = {
  chapter: 'embedding',
  model: 'nano',
  steps: {
    table: (ctx, t) => {
      // Close on the table's three columns one by one, then pull back while a row runs down all 48 channels.
      const V = ctx.config.vocab_size;
      const C = ctx.config.n_embd;
      const wte = blockOf(ctx, WTE);
      const labels = { cols: `one column per letter: ${Array.from({ length: V }, (_, v) => letter(v)).join(', ')}`, rows: `${C} rows: the channels` };
      const room = Math.max(...Object.values(labels).map((s) => s.length)) * 6.1 + 24;
      const close = fitRegions(ctx, [{ block: TOKENS }, { block: WTE, rows: [0, 22] }, { block: TOK, rows: [0, 22] }], { roomLeft: room });
      const full = fitRegions(ctx, [{ block: TOKENS }, { block: WTE }, { block: TOK }], { roomLeft: room });
      const b = { across: beat(t, 0.24, 0.3), down: beat(t, 0.56, 0.34) };
      const cam = lerpCamera(close, full, b.down);
      const ppu = pxPerUnit(ctx, cam);
      const highlights: Highlight[] = [whole(WTE, 'source')];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (b.across > 0 && b.across < 1) {
        const v = visiting(V, b.across);
        const text = `column of token ${v} (${letter(v)})`;
        highlights.push(cols(WTE, [v, v + 1], 'focus'));
        callouts.push({ block: WTE, ...pinLeft(wte, 1, ppu, text), text });
        links.push({ from: range(WTE, v, v + 1, 0, 3), to: { callout: 0 }, role: 'focus' });
      }
      if (b.down > 0 && b.down < 1) {
        const r = visiting(C, b.down);
        const text = `channel ${r + 1}`;
        highlights.push({ block: WTE, rows: [r, r + 1], role: 'focus' });
        callouts.push({ block: WTE, ...pinLeft(wte, r, ppu, text), text });
      }
      if (b.down >= 1) {
        callouts.push(
          // A few rows down, so the letters written over the table's columns stay in view.
          { block: WTE, ...pinLeft(wte, 3, ppu, labels.cols), text: labels.cols, role: 'source' },
          { block: WTE, ...pinLeft(wte, C - 3, ppu, labels.rows), text: labels.rows, role: 'source' },
        );
        links.push({ from: range(WTE, 0, V, 3, 4), to: { callout: 0 }, role: 'source' }, { from: range(WTE, 0, 1, C - 3, C), to: { callout: 1 }, role: 'source' });
      }
      return {
        camera: cam,
        blocks: computedThrough(ctx, TOKENS),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `The token embedding table: ${V} columns, one per letter, each ${C} numbers (channels) tall, all learned in training.`,
      };
    },
    lookup: (ctx, t) => {
      // The first letter's id picks a column of wte, which is copied into place; then the other five follow.
      const ids = ctx.trace.ids;
      const id = ids[P]!;
      const first = traced(ctx, 'tok_emb', P, 0);
      const tok = blockOf(ctx, TOK);
      const said = { id: `${letter(id)} = token ${id}`, value: fit(ctx, `position ${P + 1}, channel 1: ${val(first)}`, `channel 1: ${val(first)}`) };
      // On a phone the letter's id is written right of the input row instead of above it, so no room is spent above.
      const cam = fitRegions(ctx, [{ block: TOKENS }, { block: WTE }, { block: TOK }], { room: said.value.length * 6.1 + 24, roomAbove: narrow(ctx) ? 0 : 30 });
      const ppu = pxPerUnit(ctx, cam);
      const b = { point: beat(t, 0.22, 0.14), fly: beat(t, 0.38, 0.26), rest: beat(t, 0.7, 0.26) };
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      const { k, v } = flights(ids.length - 1, b.rest);
      const col = k + 1;
      if (b.point > 0) {
        highlights.push(cols(TOKENS, [P, P + 1], 'focus'), cols(WTE, [id, id + 1], 'source'));
        const pin = narrow(ctx) ? pinRight(blockOf(ctx, TOKENS), 0, ppu) : pinAbove(0, P, ppu, said.id, { align: 'left' });
        callouts.push({ block: TOKENS, ...pin, text: said.id });
        links.push({ from: range(TOKENS, P, P + 1), to: range(WTE, id, id + 1, 0, 1), role: 'focus', progress: b.point });
      }
      if (b.fly > 0 && b.fly < 1) highlights.push(flyingColumn(ctx, WTE, id, TOK, P, b.fly));
      if (b.fly >= 1) {
        highlights.push(cols(TOK, [P, P + 1], 'result'), cell(TOK, 0, P, 'focus'));
        // On a phone the id's callout sits right of the input row, just above: this one goes a line lower.
        callouts.push({ block: TOK, ...pinRight(tok, 0, ppu, { line: narrow(ctx) ? 1 : 0 }), text: said.value, role: 'result' });
        links.push({ from: range(WTE, id, id + 1), to: range(TOK, P, P + 1), role: 'source' }, { from: range(TOK, P, P + 1, 0, 1), to: { callout: 1 }, role: 'result' });
      }
      if (b.rest > 0 && b.rest < 1) {
        const other = ids[col]!;
        highlights.push(cols(TOKENS, [col, col + 1], 'source'), cols(WTE, [other, other + 1], 'source'), flyingColumn(ctx, WTE, other, TOK, col, v, 'source'));
      }
      // A flying column is a lift of its own target cells (filled, with a hole where it lands until it arrives).
      const filled = b.rest > 0 ? (b.rest >= 1 ? ids.length : col + 1) : b.fly > 0 ? P + 1 : 0;
      return {
        camera: cam,
        blocks: computedThrough(ctx, TOKENS, { [TOK]: filled }),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `Letter ${letter(id)} at position ${P + 1} is token ${id}: column ${id} of the table is copied into the token embeddings (channel 1 is ${val(first)}), and the other letters follow.`,
      };
    },
    position: (ctx, t) => {
      // Column k of the position table is copied to position k, for each of the six positions.
      const T = ctx.trace.ids.length;
      const S = ctx.config.block_size;
      const C = ctx.config.n_embd;
      const wpe = blockOf(ctx, WPE);
      const said = { used: `columns 1–${T}: positions 1–${T}`, spare: fit(ctx, `columns ${T + 1}–${S}: for the answers`, `${T + 1}–${S}: for the answers`) };
      const context = narrow(ctx) ? [] : [{ block: TOK, rows: [C - 3, C] as [number, number] }];
      const cam = fitRegions(ctx, [{ block: WPE }, { block: POS }, ...context], { roomLeft: Math.max(said.used.length, said.spare.length) * 6.1 + 24 });
      const ppu = pxPerUnit(ctx, cam);
      const b = { first: beat(t, 0.24, 0.22), rest: beat(t, 0.5, 0.32), spare: beat(t, 0.86, 0.1) };
      const highlights: Highlight[] = [cols(WPE, [0, T], 'source')];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      let filled = 0;
      if (b.rest <= 0) {
        if (b.first > 0) {
          filled = 1;
          highlights.push(cols(WPE, [0, 1], 'focus'), flyingColumn(ctx, WPE, 0, POS, 0, b.first));
        }
      } else {
        const { k, v } = flights(T - 1, b.rest);
        const col = k + 1;
        filled = col + 1;
        if (b.rest < 1) highlights.push(cols(WPE, [col, col + 1], 'focus'), flyingColumn(ctx, WPE, col, POS, col, v));
        else highlights.push(whole(POS, 'result'));
      }
      if (b.spare > 0) {
        highlights.push(cols(WPE, [T, S], 'muted'));
        callouts.push(
          { block: WPE, ...pinLeft(wpe, 0, ppu, said.used), text: said.used, role: 'source' },
          { block: WPE, ...pinLeft(wpe, C - 3, ppu, said.spare), text: said.spare, role: 'muted' },
        );
        links.push(
          { from: range(WPE, 0, T), to: range(POS, 0, T), role: 'source', progress: b.spare },
          { from: range(WPE, 0, T, 0, 1), to: { callout: 0 }, role: 'source' },
          { from: range(WPE, T, S, C - 3, C - 2), to: { callout: 1 }, role: 'muted' },
        );
      }
      return {
        camera: cam,
        blocks: computedThrough(ctx, POS, { [POS]: filled }),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `The position table has ${S} columns; columns 1 to ${T} are copied to the six positions (position 1, channel 1: ${val(traced(ctx, 'pos_emb', 0, 0))}); columns ${T + 1} to ${S} wait for the answers.`,
      };
    },
    add: (ctx, t) => {
      // The first position's token and position columns come down beside the input embedding and
      // are added: channel 1 worked out in full, then the rest of the column fills.
      const C = ctx.config.n_embd;
      const cam = sumCam(ctx);
      const b = { bring: beat(t, 0.18, 0.27), first: beat(t, 0.47, 0.12), rest: beat(t, 0.62, 0.3) };
      const tokLift = toSlot(ctx, TOK, P, 0, b.bring);
      const posLift = toSlot(ctx, POS, P, 1, b.bring);
      const shown = b.first > 0 ? 1 + countAt(C - 1, b.rest) : 0;
      const highlights: Highlight[] = [copyColumn(TOK, P, tokLift, 'source'), copyColumn(POS, P, posLift, 'source')];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (shown > 0) {
        highlights.push({ block: EMBED, rows: [0, shown], cols: [P, P + 1], role: 'result' }, copyCell(TOK, 0, P, tokLift, 'focus'), copyCell(POS, 0, P, posLift, 'focus'), cell(EMBED, 0, P, 'focus'));
        callouts.push(...equation(ctx, cam, blockOf(ctx, EMBED), 0, sumParts(ctx, 0), 'result'));
        links.push(
          { from: range(TOK, P, P + 1, 0, 1), to: range(EMBED, P, P + 1, 0, 1), role: 'source', progress: b.first },
          { from: range(POS, P, P + 1, 0, 1), to: range(EMBED, P, P + 1, 0, 1), role: 'source', progress: b.first },
          { from: range(EMBED, P, P + 1, 0, 1), to: { callout: callouts.length - 1 }, role: 'result', progress: b.first },
        );
      }
      const [a, p, e] = [traced(ctx, 'tok_emb', P, 0), traced(ctx, 'pos_emb', P, 0), traced(ctx, 'embed', P, 0)];
      return {
        camera: cam,
        blocks: computedThrough(ctx, POS, { [EMBED]: [0, shown] }),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `Position ${P + 1}'s token column and position column are set beside the input embedding and added channel by channel; channel 1: ${val(a)} + ${val(p)} = ${val(e)}.`,
      };
    },
    'all-columns': (ctx, t) => {
      // The copies go back; the remaining five columns fill cell by cell; at the end the grid's two axes are named.
      const T = ctx.trace.ids.length;
      const C = ctx.config.n_embd;
      const cam = sumCam(ctx);
      const ppu = pxPerUnit(ctx, cam);
      const embed = blockOf(ctx, EMBED);
      const back = 1 - beat(t, 0, 0.2);
      const u = beat(t, 0.24, 0.56);
      const n = countAt((T - 1) * C, u);
      const col = Math.min(T - 1, 1 + Math.floor(n / C));
      const filled: [number, number] = u >= 1 ? [T, 0] : [col, n % C];
      const highlights: Highlight[] = [];
      const links: Link[] = [];
      if (back > 0) highlights.push(copyColumn(TOK, P, toSlot(ctx, TOK, P, 0, back), 'source'), copyColumn(POS, P, toSlot(ctx, POS, P, 1, back), 'source'));
      if (u > 0 && u < 1) {
        highlights.push(cols(TOK, [col, col + 1], 'source'), cols(POS, [col, col + 1], 'source'), cols(EMBED, [col, col + 1], 'result'));
        links.push({ from: range(TOK, col, col + 1, C - 3, C), to: range(EMBED, col, col + 1, 0, 1), role: 'source' }, { from: range(POS, col, col + 1), to: range(EMBED, col, col + 1), role: 'source' });
      } else if (u >= 1) highlights.push(whole(EMBED, 'result'));
      const label = beat(t, 0.84, 0.1);
      // Both axes named right of the grid: the positions run on to the right, where new tokens are appended.
      const said = { T: fit(ctx, `T = ${T} positions (time), left to right`, `T = ${T} positions`), C: fit(ctx, `C = ${C} channels, top to bottom`, `C = ${C} channels`) };
      const callouts: Callout[] = label > 0 ? [
        { block: EMBED, ...pinRight(embed, C / 2 - 1, ppu), text: said.T, role: 'result' },
        { block: EMBED, ...pinRight(embed, C / 2 - 1, ppu, { line: 1 }), text: said.C, role: 'result' },
      ] : [];
      return {
        camera: cam,
        blocks: computedThrough(ctx, POS, { [EMBED]: filled }),
        highlights,
        callouts,
        links,
        dim: u < 1 ? DIM : 0.4,
        describe: `The input embedding fills in for all ${T} positions: a grid of T × C = ${T} × ${C} numbers, the start of the residual stream.`,
      };
    },
    'same-letter': (ctx, t) => {
      // Two positions with the same letter: their token columns come down side by side (identical),
      // their position columns differ, so their sums differ.
      const ids = ctx.trace.ids;
      const [p, q] = sameLetterPair(ids);
      const cam = sumCam(ctx);
      const ppu = pxPerUnit(ctx, cam);
      const embed = blockOf(ctx, EMBED);
      const b = { tok: beat(t, 0.22, 0.22), pos: beat(t, 0.48, 0.16), sum: beat(t, 0.68, 0.18) };
      const same = ids[p] === ids[q];
      const [ep, eq] = [traced(ctx, 'embed', p, 0), traced(ctx, 'embed', q, 0)];
      const said = [
        fit(ctx, `token columns of positions ${p + 1} and ${q + 1} (${letter(ids[q]!)}): ${same ? 'identical' : 'different'}`, `token columns: ${same ? 'identical' : 'different'}`),
        fit(ctx, `position columns ${p + 1} and ${q + 1}: different`, 'position columns: different'),
        fit(ctx, `sums, channel 1: ${val(ep)} and ${val(eq)}`, `sums: ${val(ep)}, ${val(eq)}`),
      ];
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      const pin = (line: number) => pinRight(embed, 0, ppu, { line });
      if (b.tok > 0) {
        const lp = toSlot(ctx, TOK, p, 0, b.tok);
        const lq: Vec3 = toSlot(ctx, TOK, q, 0, b.tok);
        lq[0] += lerp(0, 1.5, b.tok);
        highlights.push(copyColumn(TOK, p, lp, 'focus'), copyColumn(TOK, q, lq, 'focus'));
        callouts.push({ block: EMBED, ...pin(0), text: said[0]!, role: 'source' });
        links.push({ from: range(TOK, q, q + 1, 0, 1), to: { callout: 0 }, role: 'source', progress: b.tok });
      }
      if (b.pos > 0) {
        highlights.push(cols(POS, [p, p + 1], b.sum > 0 ? 'source' : 'focus'), cols(POS, [q, q + 1], b.sum > 0 ? 'source' : 'focus'));
        callouts.push({ block: EMBED, ...pin(1), text: said[1]!, role: 'source' });
        links.push({ from: range(POS, q, q + 1, 0, 1), to: { callout: 1 }, role: 'source', progress: b.pos });
      }
      if (b.sum > 0) {
        highlights.push(cols(EMBED, [p, p + 1], 'result'), cols(EMBED, [q, q + 1], 'result'), cell(EMBED, 0, p, 'focus'), cell(EMBED, 0, q, 'focus'));
        callouts.push({ block: EMBED, ...pin(2), text: said[2]!, role: 'result' });
        links.push({ from: range(EMBED, p, p + 1, 0, 1), to: { callout: 2 }, role: 'result', progress: b.sum }, { from: range(EMBED, q, q + 1, 0, 1), to: { callout: 2 }, role: 'result', progress: b.sum });
      }
      // The prose ends on the first letter's channel 1; mark it when the pair does not include it.
      const first = traced(ctx, 'embed', P, 0);
      if (p !== P && b.sum > 0) {
        const text = `position ${P + 1}, channel 1: ${val(first)}`;
        highlights.push(cell(EMBED, 0, P, 'focus'));
        callouts.push({ block: EMBED, ...pin(3), text, role: 'focus' });
        links.push({ from: range(EMBED, P, P + 1, 0, 1), to: { callout: callouts.length - 1 }, role: 'focus' });
      }
      return {
        camera: cam,
        blocks: computedThrough(ctx, EMBED),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `Positions ${p + 1} and ${q + 1} both hold ${letter(ids[p]!)}: the same token column, different position columns, so different embeddings (channel 1: ${val(ep)} and ${val(eq)}). Your first letter's channel 1 is ${val(first)}.`,
      };
    },
  },
};

/** Two positions holding the same letter, the first letter's own repeat when it has one (six letters from three always repeat one). */
function sameLetterPair(ids: readonly number[]): [number, number] {
  const again = ids.indexOf(ids[P]!, P + 1);
  if (again > P) return [P, again];
  return repeatedPair(ids) ?? [0, 1];
}

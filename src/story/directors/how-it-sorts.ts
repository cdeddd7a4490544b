/**
 * "How it sorts": experiments on the trained model. Every picture shows the pass that writes the
 * reader's whole answer (input + the first five answer letters, T = 11, from the worker's
 * generation; the six-letter pass stands in until it arrives), with the parts the step is about
 * switched off (greyed) or lit. Numbers over all 729 inputs come from docs/analysis.json
 * (sorts-figures.ts); numbers about the reader's letters from the trace.
 */
import { SORT_LENGTH, VOCAB } from '../../gpt/config.ts';
import type { Trace } from '../../gpt/trace.ts';
import { foldStyles } from '../../scene/fold.ts';
import { headBlockIds, layerBlockIds, TOP_IDS } from '../../scene/ids.ts';
import type { BlockStyle, Callout, Highlight, ModelLayout, Vec3 } from '../../scene/types.ts';
import { beat } from '../beats.ts';
import { CAMERA_MOVE, type ChapterDirector, type DirectorContext, type StepScene } from '../director.ts';
import { ablationRow, readoutsAt } from '../sorts-data.ts';
import { partsLabel } from '../lab-text.ts';
import { boxOf, cols, folded, mergeStyles, whole } from './common.ts';
import { blockOf, frameRegion } from './forward-sweep.ts';

/** Position of the first answer slot: the last input letter's column writes answer letter 0. */
const INPUT_LENGTH = SORT_LENGTH;
const FIRST_SLOT = SORT_LENGTH - 1;

/** The pass over the input and the answer so far, as long as the worker has it, with its layout. */
interface Pass {
  trace: Trace;
  layout: ModelLayout;
  /** Answer slots this pass has (1 before the generation arrives, then 6). */
  slots: number;
}

function answerPass(ctx: DirectorContext, trace?: Trace): Pass {
  const t = trace ?? ctx.generation?.traces[ctx.generation.traces.length - 1] ?? ctx.trace;
  const T = t.ids.length;
  return { trace: t, layout: ctx.layoutOf('nano', T), slots: T - FIRST_SLOT };
}

/** The blocks of one part (ablation.ts names): a head's q/k/v/scores/probs/output, a layer's heads and projection, or an MLP. */
export function partBlocks(layout: ModelLayout, part: string): string[] {
  const m = /^h\.(\d+)\.(attn(?:\.head(\d+))?|mlp)$/.exec(part);
  if (!m) return [];
  const prefix = m[2] === 'attn' ? `h.${m[1]}.attn.` : `h.${m[1]}.${m[2]}.`;
  return layout.blocks.filter((b) => b.id.startsWith(prefix)).map((b) => b.id);
}

/** Switched-off parts drawn grey and faint: muted highlights, and their blocks half transparent. */
function greyed(layout: ModelLayout, parts: readonly string[]): { blocks: Record<string, BlockStyle>; highlights: Highlight[] } {
  const ids = [...new Set(parts.flatMap((p) => partBlocks(layout, p)))];
  return { blocks: Object.fromEntries(ids.map((id) => [id, { opacity: 0.4 }])), highlights: ids.map((id) => whole(id, 'muted')) };
}

const letters = (ids: readonly number[]) => ids.map((v) => VOCAB[v] ?? '?').join('');
const pct = (x: number) => `${Math.round(100 * x)}%`;

/** The reader's answer as written so far in the pass (the tokens after the input), plus the pick of its last column. */
function answerOf(pass: Pass): string {
  const V = VOCAB.length;
  const probs = pass.trace.tensors['probs']!.data;
  const T = pass.trace.ids.length;
  let best = 0;
  for (let v = 1; v < V; v++) if (probs[(T - 1) * V + v]! > probs[(T - 1) * V + best]!) best = v;
  return letters([...pass.trace.ids.slice(INPUT_LENGTH), best]);
}

/** Share of head h's (layer 1) attention from position q that ONE input letter of each kind gets, on average over the letters of that kind. */
export function perLetterShare(trace: Trace, head: number, q: number): (number | null)[] {
  const T = trace.ids.length;
  const p = trace.tensors['h.0.attn.probs']!.data;
  const mass = [0, 0, 0];
  const count = [0, 0, 0];
  for (let s = 0; s < INPUT_LENGTH; s++) {
    mass[trace.ids[s]!]! += p[(head * T + q) * T + s]!;
    count[trace.ids[s]!]!++;
  }
  return mass.map((m, v) => (count[v]! > 0 ? m / count[v]! : null));
}

function shareText(shares: (number | null)[]): string {
  return shares.map((s, v) => (s === null ? `no ${VOCAB[v]}` : `${VOCAB[v]} ${pct(s)}`)).join(' · ');
}

/** The whole model folded, on the answer pass, unfolding into place while the camera moves in. */
function wholeModel(ctx: DirectorContext, pass: Pass, t: number) {
  const { fold, camera } = folded(ctx, pass.layout);
  return { camera, place: foldStyles(null, fold, beat(t, 0, CAMERA_MOVE)) };
}

/** Where layer 1's three attention patterns go for the counting step: a column right of the layer, and the region to frame. */
function gatherProbs(layout: ModelLayout, ids: readonly string[]): { offsets: Vec3[]; min: Vec3; max: Vec3 } {
  const layer = layout.blocks.filter((bl) => bl.layer === 0);
  const right = Math.max(...layer.map((bl) => bl.position[0] + bl.size[0]));
  const top = layout.blocks.find((bl) => bl.id === ids[0])!.position[1] + 2 * GATHER_GAP;
  const x0 = right + GATHER_GAP;
  let y = top;
  const offsets = ids.map((id) => {
    const bl = layout.blocks.find((x) => x.id === id)!;
    const o: Vec3 = [x0 - bl.position[0], y - bl.position[1], 0];
    y -= bl.size[1] + GATHER_GAP;
    return o;
  });
  // Room on the right for the callouts (about 24 cells of text) and a little above and below.
  return { offsets, min: [x0 - 2, y + GATHER_GAP - 2, -1], max: [x0 + layout.T + 26, top + 2, 0] };
}

/** Cells between the stream after layer 1's attention and the embedding brought beside it. */
const BESIDE_GAP = 6;

/** The blocks framed with `right` cells of room on their right for callouts. */
function frameWithRoom(ctx: DirectorContext, layout: ModelLayout, ids: readonly string[], right: number) {
  const { min, max } = boxOf(layout, ids);
  return frameRegion(ctx, [min[0] - 2, min[1] - 2, min[2]], [max[0] + right, max[1] + 2, max[2]], { yaw: -0.12, pitch: 0.06 });
}

/** Cells between the gathered attention patterns. */
const GATHER_GAP = 5;

/** Range of the answer slots' columns in a [.. x T] block. */
const slotCols = (pass: Pass): [number, number] => [FIRST_SLOT, FIRST_SLOT + pass.slots];

const range = (xs: number[], digits = 3) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

export const howItSorts: ChapterDirector = {
  chapter: 'how-it-sorts',
  model: 'nano',
  overviews: ['question', 'not-needed', 'mlps', 'lab', 'fallback'],
  steps: {
    question: (ctx, t) => {
      const pass = answerPass(ctx);
      const { camera, place } = wholeModel(ctx, pass, t);
      const whole729 = ablationRow('');
      const answer = answerOf(pass);
      const u = beat(t, 0.3, 0.4);
      return {
        trace: pass.trace,
        camera,
        blocks: place,
        highlights: u > 0 ? [whole(TOP_IDS.tokens, 'source'), cols(TOP_IDS.probs, slotCols(pass), 'result')] : [],
        callouts:
          u > 0
            ? [
                { block: TOP_IDS.tokens, text: `${ctx.choices.input} sorted: ${answer}`, role: 'source' },
                { block: TOP_IDS.probs, text: `sorted: ${whole729.correct} of ${whole729.total} inputs`, role: 'result' },
              ]
            : [],
        dim: 0.3 * u,
        describe: `The whole model, folded into columns, writing the answer ${answer} to ${ctx.choices.input}. It sorts ${whole729.correct} of all ${whole729.total} inputs.`,
      };
    },

    'switch-off': (ctx, t) => {
      const pass = answerPass(ctx);
      const head = headBlockIds(0, 0);
      const u = beat(t, 0.3, 0.4);
      const off = greyed(pass.layout, u > 0 ? ['h.0.attn.head0'] : []);
      const row = ablationRow('h.0.attn.head0');
      const out = blockOf(pass.layout, head.out);
      const callouts: Callout[] = [{ block: head.out, row: 0, col: out.cols.size - 1, text: u > 0 ? 'switched off: its average over 729 inputs' : 'head 1 of layer 1: its output', role: u > 0 ? 'muted' : 'focus' }];
      if (u >= 1) callouts.push({ block: head.out, row: out.rows.size - 1, col: out.cols.size - 1, text: `without it: ${row.correct} of ${row.total} sorted`, role: 'result' });
      return {
        trace: pass.trace,
        camera: frameWithRoom(ctx, pass.layout, [head.scores, head.out], 24),
        blocks: off.blocks,
        highlights: u > 0 ? off.highlights : [whole(head.out, 'focus')],
        callouts,
        dim: 0.35,
        describe: `Layer 1's first attention head, from its scores to its output. Switched off, its output is replaced by its average over all 729 inputs. Without it, ${row.correct} of ${row.total} inputs are sorted.`,
      };
    },

    'not-needed': (ctx, t) => {
      const pass = answerPass(ctx);
      const { camera, place } = wholeModel(ctx, pass, t);
      const u = beat(t, 0.25, 0.4);
      const off = greyed(pass.layout, u > 0 ? ['h.1.attn', 'h.2.attn'] : []);
      const both = ablationRow('h.1.attn,h.2.attn');
      const first = ablationRow('h.0.attn');
      const callouts: Callout[] = [];
      if (u > 0) {
        callouts.push({ block: headBlockIds(1, 1).probs, text: `layers 2 and 3 attention off: ${both.correct} of ${both.total}`, role: 'muted' });
        callouts.push({ block: headBlockIds(0, 1).probs, text: `layer 1 attention off: ${first.correct} of ${first.total}`, role: 'focus' });
      }
      return {
        trace: pass.trace,
        camera,
        blocks: mergeStyles(place, off.blocks),
        highlights: [...off.highlights, ...(u > 0 ? partBlocks(pass.layout, 'h.0.attn').filter((id) => id.endsWith('.probs') || id.endsWith('.out')).map((id) => whole(id, 'focus')) : [])],
        callouts,
        dim: 0.3 * u,
        describe: `The whole model with the attention of layers 2 and 3 greyed: switched off, the model still sorts ${both.correct} of ${both.total} inputs. Without layer 1's attention only ${first.correct} are sorted.`,
      };
    },

    counting: (ctx, t) => {
      const pass = answerPass(ctx);
      const heads = [0, 1, 2].map((h) => headBlockIds(0, h).probs);
      const [a, b] = slotCols(pass);
      const first = a;
      const last = b - 1;
      // The three patterns come out of their heads and stand in a column to the right of layer 1,
      // with room on their right for what each slot gives one letter of each kind.
      const u = beat(t, 0.05, 0.3);
      const gathered = gatherProbs(pass.layout, heads);
      const blocks: Record<string, BlockStyle> = Object.fromEntries(heads.map((id, i) => [id, { offset: gathered.offsets[i]!.map((x) => x * u) as Vec3 }]));
      const w = beat(t, 0.45, 0.3);
      const highlights: Highlight[] = heads.map((id) => ({ block: id, rows: [0, INPUT_LENGTH] as [number, number], cols: [a, b] as [number, number], role: 'focus' as const }));
      const callouts: Callout[] = [];
      heads.forEach((id, i) => {
        callouts.push({ block: id, row: 0, col: first, text: `head ${i + 1}, first slot: ${shareText(perLetterShare(pass.trace, i, first))}`, role: 'source' });
        if (w > 0 && last > first) callouts.push({ block: id, row: INPUT_LENGTH - 1, col: last, text: `last slot: ${shareText(perLetterShare(pass.trace, i, last))}`, role: 'result' });
      });
      return {
        trace: pass.trace,
        camera: frameRegion(ctx, gathered.min, gathered.max, { yaw: -0.12, pitch: 0.06 }),
        blocks,
        highlights,
        callouts,
        dim: 0.55,
        describe: `Layer 1's three attention patterns for ${ctx.choices.input}: columns are positions, the answer slots are columns ${a + 1} to ${b}, rows are the letters looked at, the six input letters on top. Share one letter of each kind gets: ${heads.map((_, i) => `head ${i + 1} first slot ${shareText(perLetterShare(pass.trace, i, first))}${last > first ? `, last slot ${shareText(perLetterShare(pass.trace, i, last))}` : ''}`).join('; ')}.`,
      };
    },

    'counts-readable': (ctx, t) => {
      const pass = answerPass(ctx);
      const ids = layerBlockIds(0);
      const before = readoutsAt('embed').map((r) => r.countA);
      const after = readoutsAt('h.0.resid_1').map((r) => Math.min(r.countA, r.countB));
      const inp = pass.trace.ids.slice(0, INPUT_LENGTH);
      const counts = [0, 1, 2].map((v) => inp.filter((x) => x === v).length);
      const countText = `${ctx.choices.input}: ${counts.map((c, v) => `${c} ${VOCAB[v]}`).join(', ')}`;
      // The stream before any attention (the embedding) comes down beside the stream right after
      // layer 1's attention, so the two can be compared column for column.
      const come = beat(t, 0.05, 0.3);
      const u = beat(t, 0.4, 0.4);
      const embed = blockOf(pass.layout, TOP_IDS.embed);
      const resid = blockOf(pass.layout, ids.resid1);
      const x = resid.position[0] + resid.size[0] + BESIDE_GAP;
      const offset: Vec3 = [(x - embed.position[0]) * come, (resid.position[1] - embed.position[1]) * come, 0];
      const slots = slotCols(pass);
      const lowest = resid.position[1] - resid.size[1];
      return {
        trace: pass.trace,
        camera: frameRegion(ctx, [resid.position[0] - 2, lowest - 3, -1], [x + embed.size[0] + 26, resid.position[1] + 3, 0], { yaw: -0.12, pitch: 0.06 }),
        blocks: { [TOP_IDS.embed]: { offset } },
        highlights: [cols(TOP_IDS.embed, slots, 'source'), cols(ids.resid1, slots, u > 0 ? 'result' : 'focus')],
        callouts: [
          { block: TOP_IDS.embed, row: 0, col: embed.cols.size - 1, text: `before attention: R² ${range(before, 2)}`, role: 'source' },
          { block: TOP_IDS.embed, row: embed.rows.size - 1, col: embed.cols.size - 1, text: countText, role: 'muted' },
          ...(u > 0 ? [{ block: ids.resid1, row: resid.rows.size - 1, col: resid.cols.size - 1, text: `after: R² ≥ ${Math.min(...after).toFixed(3)}`, role: 'result' as const }] : []),
        ],
        links: u > 0 ? [{ from: { block: TOP_IDS.embed, cols: slots }, to: { block: ids.resid1, cols: slots }, role: 'result', progress: u }] : [],
        dim: 0.5,
        describe: `The residual stream at the answer slots before any attention (the embedding, right) and right after layer 1's attention (left). How many A's the input holds reads off the embedding with R² ${range(before, 2)}, and right after the attention with R² of at least ${Math.min(...after).toFixed(3)} (A's and B's). ${countText}.`,
      };
    },

    mlps: (ctx, t) => {
      const pass = answerPass(ctx);
      const { camera, place } = wholeModel(ctx, pass, t);
      const L = ctx.config.n_layer;
      const u = beat(t, 0.25, 0.6);
      const shown = Math.min(L, Math.floor(u * L + 1e-9) + (u > 0 ? 1 : 0));
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      for (let l = 0; l < shown; l++) {
        const ids = layerBlockIds(l);
        const r2 = readoutsAt(ids.resid2).map((r) => r.letter);
        highlights.push(whole(ids.gelu, 'focus'), cols(ids.resid2, slotCols(pass), 'result'));
        callouts.push({ block: ids.gelu, text: `MLP ${l + 1} off: ${ablationRow(`h.${l}.mlp`).correct} of ${ablationRow(`h.${l}.mlp`).total} sorted`, role: 'focus' });
        callouts.push({ block: ids.resid2, text: `letter to write: R² ${range(r2)}`, role: 'result' });
      }
      const attn = readoutsAt('h.0.resid_1').map((r) => r.letter);
      return {
        trace: pass.trace,
        camera,
        blocks: place,
        highlights,
        callouts,
        dim: 0.35,
        describe: `The three MLPs lit. Right after layer 1's attention, the letter a slot must write reads off with R² ${range(attn)}; after each MLP more, after the last ${range(readoutsAt(layerBlockIds(L - 1).resid2).map((r) => r.letter))}. Switched off, the MLPs leave ${[0, 1, 2].map((l) => ablationRow(`h.${l}.mlp`).correct).join(', ')} of 729 sorted.`,
      };
    },

    lab: (ctx, t) => labScene(ctx, t),

    fallback: (ctx, t) => {
      const pass = answerPass(ctx);
      const { camera, place } = wholeModel(ctx, pass, t);
      const row = ablationRow('h.0.attn');
      const u = beat(t, 0.25, 0.4);
      const off = greyed(pass.layout, ['h.0.attn']);
      const [a, b] = slotCols(pass);
      const callouts: Callout[] = [{ block: headBlockIds(0, 1).probs, text: 'layer 1 attention off', role: 'muted' }];
      if (u > 0) {
        callouts.push({ block: TOP_IDS.probs, row: 0, col: a, text: `first letter A for ${row.written[0]![0]} of ${row.total}`, role: 'result', side: 'left' });
        if (b - 1 > a) callouts.push({ block: TOP_IDS.probs, row: 2, col: b - 1, text: `last letter C for ${row.written[5]![2]} of ${row.total}`, role: 'result' });
      }
      return {
        trace: pass.trace,
        camera,
        blocks: mergeStyles(place, off.blocks),
        highlights: [...off.highlights, ...(u > 0 ? [cols(TOP_IDS.probs, [a, a + 1], 'result'), cols(TOP_IDS.probs, [b - 1, b], 'result')] : [])],
        callouts,
        dim: 0.3,
        describe: `Without layer 1's attention the model writes A first for ${row.written[0]![0]} of ${row.total} inputs and C last for ${row.written[5]![2]}: the likeliest letters, wrong only for inputs without an A or without a C.`,
      };
    },
  },
};

/** The lab: the pass with the reader's switched-off parts (greyed), or the whole model's while none is off. */
function labScene(ctx: DirectorContext, t: number): StepScene {
  const lab = ctx.lab ?? null;
  const pass = answerPass(ctx, lab?.trace);
  const { camera, place } = wholeModel(ctx, pass, t);
  const parts = lab?.parts ?? [];
  const off = greyed(pass.layout, parts);
  const correct = lab?.correct ?? ablationRow('').correct;
  const total = lab?.total ?? ablationRow('').total;
  const answer = lab ? letters(lab.output) : answerOf(pass);
  const which = parts.length > 0 ? `${partsLabel(parts)} off` : 'every part on';
  return {
    trace: pass.trace,
    camera,
    blocks: mergeStyles(place, off.blocks),
    highlights: [...off.highlights, whole(TOP_IDS.tokens, 'source'), cols(TOP_IDS.probs, slotCols(pass), 'result')],
    callouts: [
      { block: TOP_IDS.tokens, text: `${ctx.choices.input} sorted: ${answer}`, role: 'source' },
      { block: TOP_IDS.probs, text: `${which}: ${correct} of ${total} sorted`, role: 'result' },
    ],
    dim: 0.2,
    describe: `The model with ${which}. It sorts ${correct} of ${total} inputs; ${ctx.choices.input} becomes ${answer}.`,
  };
}

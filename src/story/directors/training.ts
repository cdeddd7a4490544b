/**
 * Chapter 11, training: the model trained in the reader's browser. Every number comes from the
 * worker (ctx.training, see src/story/training/): the seed's initial weights (noise), the
 * untrained probabilities of the right letters and their loss (how wrong), the gradient of one
 * output-head weight checked by a nudge (which way), the run's first AdamW step on it (one step),
 * the run itself scrubbed by scroll through its checkpoints, and the comparison with the shipped
 * weights (same bytes). Until the worker has answered, the steps show the shipped model and say so.
 */
import { VOCAB } from '../../gpt/config.ts';
import { lnBlockIds, TOP_IDS } from '../../scene/ids.ts';
import type { Callout, Highlight, Link } from '../../scene/types.ts';
import { beat } from '../beats.ts';
import type { ChapterDirector, DirectorContext, StepScene } from '../director.ts';
import { cell, folded, frame } from './common.ts';
import { cellEnd, cellsBox, fitBox, link, narrow, num, prob, unionOf } from './forward-sweep.ts';
import { checkpointAt, type TrainingView } from '../training/view.ts';
import { foldStyles } from '../../scene/fold.ts';
import type { CameraState } from '../../scene/types.ts';
import { fly } from './camera-paths.ts';

const WAITING = 'Your browser is still preparing the training run, so this shows the trained model.';
const LNF = lnBlockIds('ln_f');
/** The blocks the run step watches: the embedding tables, the first layer norm and the first head's query weights. */
const TOP_CLOSE = [TOP_IDS.wte, TOP_IDS.embed, 'h.0.ln_1', 'h.0.attn.head0.q'];
const letters = (ids: readonly number[]) => ids.map((i) => VOCAB[i]).join('');

/** A whole-model view (the fold that fills the stage) showing `params` and `trace`. */
function whole(ctx: DirectorContext, t: number, scene: Partial<StepScene>): StepScene {
  const layout = ctx.layoutOf('nano', (scene.trace ?? ctx.trace).ids.length);
  const { fold, camera } = folded(ctx, layout);
  return { camera, blocks: foldStyles(null, fold, 1), ...scene };
}

function waiting(ctx: DirectorContext, t: number): StepScene {
  return whole(ctx, t, { describe: WAITING });
}


type Explained = NonNullable<TrainingView['explained']>;

/** The output head, the logits and the probabilities of the example (T = 11), with room for labels. */
function bottomCamera(ctx: DirectorContext, e: Explained, right: number) {
  const lay = ctx.layoutOf('nano', e.exampleTrace.ids.length);
  return fitBox(ctx, unionOf(cellsBox(lay, LNF.out, [40, 48]), cellsBox(lay, TOP_IDS.logits), cellsBox(lay, TOP_IDS.probs)), { right, below: 24 });
}

/** Channels either side of the followed weight that its close-up shows. */
const HEAD_SPAN = 8;

/** The followed weight's neighbourhood in the output head (all three rows, HEAD_SPAN channels either side), room below for the labels. */
function headCamera(ctx: DirectorContext, e: Explained) {
  const lay = ctx.layoutOf('nano', e.trace.ids.length);
  const col = e.numbers.weight.col;
  const c0 = Math.max(0, Math.min(col - HEAD_SPAN, 48 - 2 * HEAD_SPAN));
  return fitBox(ctx, cellsBox(lay, TOP_IDS.lmHead, undefined, [c0, c0 + 2 * HEAD_SPAN + 1]), { below: 90, above: 30 });
}

/** Where each step's camera ends; the steps fly there from the previous one's (see arrive). */
const CAMERAS: Record<string, (ctx: DirectorContext) => CameraState> = {
  noise: (ctx) => folded(ctx).camera,
  'how-wrong': (ctx) => (ctx.training?.explained ? bottomCamera(ctx, ctx.training.explained, narrow(ctx) ? 150 : 240) : folded(ctx).camera),
  'which-way': (ctx) => (ctx.training?.explained ? headCamera(ctx, ctx.training.explained) : folded(ctx).camera),
  'one-step': (ctx) => CAMERAS['which-way']!(ctx),
  run: (ctx) => (ctx.training?.checkpoints.length ? frame(ctx, TOP_CLOSE, { yaw: -0.45, pitch: 0.28 }) : folded(ctx).camera),
  'same-bytes': (ctx) => folded(ctx).camera,
};
const ORDER = Object.keys(CAMERAS);

/**
 * The camera of step `beat` at t: a flight from where the previous step ended over the first 60%
 * of the step, even in on-screen speed (these steps jump between the whole model and single cells).
 */
function arrive(ctx: DirectorContext, beatName: string, t: number): CameraState {
  const to = CAMERAS[beatName]!(ctx);
  const i = ORDER.indexOf(beatName);
  if (i <= 0) return to;
  const from = CAMERAS[ORDER[i - 1]!]!(ctx);
  return fly(from, to, beat(t, 0, 0.6), Math.max(from.distance, to.distance));
}

export const training: ChapterDirector = {
  chapter: 'training',
  model: 'nano',
  overviews: ['noise', 'same-bytes'],
  steps: {
    noise: (ctx, t) => {
      const e = ctx.training?.explained;
      if (!e) return waiting(ctx, t);
      const n = e.numbers;
      return whole(ctx, t, {
        params: e.params,
        trace: e.trace,
        describe: `The model before training: every weight drawn at random from seed ${n.seed}. For ${letters(n.input)} it writes ${letters(n.untrained.answer)}, and its loss is ${num(n.untrained.loss)}, close to ln 3 = ${num(Math.log(3))}, the loss of a uniform guess among three letters.`,
      });
    },
    'how-wrong': (ctx, t) => {
      const e = ctx.training?.explained;
      if (!e) return waiting(ctx, t);
      const n = e.numbers;
      const ex = n.example;
      const T = ex.ids.length;
      const first = T - n.untrained.right.length;
      const show = Math.round(beat(t, 0.25, 0.5) * n.untrained.right.length);
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      for (let k = 0; k < show; k++) highlights.push(cell(TOP_IDS.probs, ex.targets[first + k]!, first + k, 'result'));
      if (show > 0) callouts.push({ block: TOP_IDS.probs, row: ex.targets[first]!, col: first, text: `right letter ${VOCAB[ex.targets[first]!]}: ${prob(n.untrained.right[0]!)}`, role: 'result', side: 'left' });
      if (t > 0.8) callouts.push({ block: TOP_IDS.probs, row: 2, col: T - 1, text: `loss = mean of −ln p = ${num(n.untrained.loss)}`, role: 'focus' });
      return {
        camera: arrive(ctx, 'how-wrong', t),
        // The folded whole model of the last step unfolds while the camera flies down to the output.
        blocks: foldStyles(folded(ctx, ctx.layoutOf('nano', T)).fold, null, beat(t, 0, 0.6)),
        params: e.params,
        trace: e.exampleTrace,
        highlights,
        callouts,
        dim: 0.35,
        describe: `One training example: ${letters(ex.ids.slice(0, 6))} followed by its sorted letters. At the six answer positions the untrained model gives the right letter probabilities ${n.untrained.right.map(prob).join(', ')}. The cross-entropy loss is the mean of minus their logarithms: ${num(n.untrained.loss)}.`,
      };
    },
    'which-way': (ctx, t) => {
      const e = ctx.training?.explained;
      if (!e) return waiting(ctx, t);
      const w = e.numbers.weight;
      const moved = w.lossNudged - e.numbers.untrained.loss;
      const grad = `gradient ${num(w.grad)}`;
      const check = `nudged by ${w.eps}: loss moves ${num(moved)}; gradient × ${w.eps} = ${num(w.grad * w.eps)}`;
      const u = beat(t, 0.35, 0.3);
      const callouts: Callout[] = [{ block: TOP_IDS.lmHead, row: w.row, col: w.col, text: grad, role: 'focus' }];
      if (u > 0) callouts.push({ block: TOP_IDS.lmHead, row: 3.2, col: w.col, text: narrow(ctx) ? `loss moves ${num(moved)} ≈ ${num(w.grad * w.eps)}` : check, role: 'result', side: w.col > 24 ? 'left' : 'right' });
      const links: Link[] = link(cellEnd(TOP_IDS.lmHead, w.row, w.col), { callout: 1 }, u, 'focus');
      return {
        camera: arrive(ctx, 'which-way', t),
        params: e.params,
        trace: e.trace,
        highlights: [cell(TOP_IDS.lmHead, w.row, w.col, 'focus')],
        callouts,
        links,
        dim: 0.3,
        describe: `The weight in row ${VOCAB[w.row]}, channel ${w.col + 1} of the output head has gradient ${num(w.grad)}. Nudged by ${w.eps}, the loss moves from ${num(e.numbers.untrained.loss)} to ${num(w.lossNudged)}, by ${num(moved)}; the gradient times ${w.eps} predicts ${num(w.grad * w.eps)}.`,
      };
    },
    'one-step': (ctx, t) => {
      const e = ctx.training?.explained;
      if (!e) return waiting(ctx, t);
      const w = e.numbers.weight;
      const s = e.numbers.step;
      const after = t > 0.5;
      const text = after ? `after: ${num(s.after)} (was ${num(s.before)})` : `before: ${num(s.before)}`;
      return {
        camera: arrive(ctx, 'one-step', t),
        params: after ? e.paramsAfter : e.params,
        trace: e.trace,
        highlights: [cell(TOP_IDS.lmHead, w.row, w.col, after ? 'result' : 'focus')],
        callouts: [{ block: TOP_IDS.lmHead, row: w.row, col: w.col, text, role: after ? 'result' : 'focus' }],
        dim: 0.3,
        describe: `AdamW's first step on that weight: gradient over a batch of 64 examples ${num(s.grad)}, moments m = ${num(s.m)} and v = ${num(s.v)}, learning rate ${s.lr}; the weight goes from ${num(s.before)} to ${num(s.after)}.`,
      };
    },
    run: (ctx, t) => {
      const view = ctx.training;
      const c = view ? checkpointAt(view, t) : null;
      if (!view || !c) return whole(ctx, t, { describe: view?.state === 'idle' ? 'The run has not started: press Train to start it. The picture shows the trained model.' : WAITING });
      const loss = Number.isNaN(c.loss) ? '' : `, batch loss ${num(c.loss)}`;
      // Close enough that single weights show: the model's top, where the letters come in (whole
      // blocks are drawn scaled to their largest value, so from afar noise and structure look alike).
      return {
        camera: arrive(ctx, 'run', t),
        params: c.params,
        trace: c.trace,
        describe: `Training, checkpoint at iteration ${c.iteration} of ${view.iters}${loss}; ${c.correct} of ${c.total} inputs sorted; for ${letters(c.trace.ids)} the model writes ${letters(c.answer)}. The picture shows the embeddings and the first attention head's weights at that checkpoint.`,
      };
    },
    'same-bytes': (ctx, t) => {
      const view = ctx.training;
      const last = view?.checkpoints.at(-1);
      if (!view || !last) return whole(ctx, t, { describe: 'No run yet: the picture shows the shipped weights.' });
      const same = view.sameBytes;
      const verdict = !same ? `The run is at iteration ${view.iteration} of ${view.iters}; the comparison comes when it ends.` : same.identical ? `Its ${last.params.length} weights are identical, bit for bit, to the shipped file's.` : `${same.differing} of its ${last.params.length} weights differ from the shipped file's.`;
      const { fold } = folded(ctx, ctx.layoutOf('nano', last.trace.ids.length));
      return whole(ctx, t, { camera: arrive(ctx, 'same-bytes', t), blocks: foldStyles(null, fold, beat(t, 0, 0.6)), params: last.params, trace: last.trace, describe: `The weights your browser trained (seed ${view.seed}, ${last.iteration} iterations). ${verdict}` });
    },
  },
};

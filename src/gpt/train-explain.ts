/**
 * The numbers of the training chapter's first four steps, computed by the engine from the seed's
 * initial weights: the untrained model's answer and loss for the reader's letters, the
 * probabilities it gives the right letters, the gradient of one weight checked by a finite
 * difference, and the first AdamW step of the real run applied to that weight.
 */
import { paramSpecs } from './config.ts';
import { generate } from './sort.ts';
import type { Example } from './sort-data.ts';
import { exampleOf, SortTrainer } from './training.ts';
import type { TrainableGPT } from './wasm-train.ts';

/** The parameter whose gradient the chapter follows: the output head, (vocab, channels). */
export const FOLLOWED_PARAM = 'lm_head.weight';
/** How far the finite-difference check nudges the weight. */
export const NUDGE = 1e-3;

export interface TrainExplained {
  seed: number;
  /** The reader's six letters as ids, and the training example made of them. */
  input: number[];
  example: Example;
  untrained: {
    /** Greedy answer of the initial weights. */
    answer: number[];
    /** Probability the initial weights give the right letter at each of the six answer positions. */
    right: number[];
    /** The engine's mean cross-entropy over those positions (float32). */
    loss: number;
  };
  weight: {
    name: string;
    /** Index into the packed parameters, and the cell: row = letter (vocab), col = channel. */
    index: number;
    row: number;
    col: number;
    value: number;
    /** d loss / d weight from the backward pass over the example. */
    grad: number;
    eps: number;
    /** The loss after the weight is nudged by +eps and the forward pass rerun. */
    lossNudged: number;
  };
  /** The run's first AdamW step (a batch of 64 drawn from the seed), on the followed weight. */
  step: {
    batchLoss: number;
    before: number;
    after: number;
    /** The weight's gradient over the batch, and the factor global-norm clipping multiplied it by. */
    grad: number;
    clip: number;
    m: number;
    v: number;
    lr: number;
    beta1: number;
    beta2: number;
    eps: number;
    weightDecay: number;
  };
}

/** Everything above for `seed` and the reader's `input` (six ids). Leaves the engine at the weights after the first step. */
export function explainTraining(engine: TrainableGPT, seed: number, input: number[]): TrainExplained {
  const cfg = engine.config;
  const V = cfg.vocab_size;
  const trainer = new SortTrainer(engine, seed);
  const example = exampleOf(input);
  const answer = generate(engine, input, input.length);
  const T = example.ids.length;
  const probs = engine.probsBatch([example.ids]);
  const right: number[] = [];
  for (let t = 0; t < T; t++) {
    const target = example.targets[t]!;
    if (target >= 0) right.push(probs[t * V + target]!);
  }
  const loss = engine.lossAndGrads([example]);

  // The output-head weight the example pushes hardest: its gradient is the largest in size.
  const spec = paramSpecs(cfg).find((s) => s.name === FOLLOWED_PARAM)!;
  const grads = engine.grads.subarray(spec.offset, spec.offset + spec.size);
  let k = 0;
  for (let i = 1; i < grads.length; i++) if (Math.abs(grads[i]!) > Math.abs(grads[k]!)) k = i;
  const index = spec.offset + k;
  const grad = grads[k]!;
  const params = engine.params.slice();
  const value = params[index]!;
  params[index] = value + NUDGE;
  engine.setParams(params);
  const lossNudged = engine.loss([example]);
  params[index] = value;
  engine.setParams(params);

  const s = trainer.settings;
  const batchLoss = trainer.step();
  return {
    seed: trainer.seed,
    input: [...input],
    example,
    untrained: { answer, right, loss },
    weight: { name: FOLLOWED_PARAM, index, row: Math.floor(k / cfg.n_embd), col: k % cfg.n_embd, value, grad, eps: NUDGE, lossNudged },
    step: {
      batchLoss,
      before: value,
      after: engine.params[index]!,
      grad: engine.grads[index]!,
      clip: engine.lastGradScale,
      m: engine.adamM[index]!,
      v: engine.adamV[index]!,
      lr: s.lr,
      beta1: s.beta1,
      beta2: s.beta2,
      eps: s.eps,
      weightDecay: s.weightDecay,
    },
  };
}

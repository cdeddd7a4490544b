/**
 * The training run, shared by `npm run train` (scripts/train.ts) and the training chapter's worker
 * (train-host.ts): minGPT's initialisation, the seeded sort-task sampler, batches of 64 and AdamW
 * with minGPT's settings, one WASM engine. The same seed and iteration count give the same bytes
 * wherever it runs.
 */
import { SORT_LENGTH, type GPTConfig } from './config.ts';
import { mulberry32 } from './random.ts';
import { allInputs, sortedOf } from './sort.ts';
import { initParams, sampleExample, type Example } from './sort-data.ts';
import { MINGPT_ADAMW, type AdamWSettings } from './wasm.ts';
import type { TrainableGPT } from './wasm-train.ts';

/** Sequences per optimisation step. */
export const TRAIN_BATCH = 64;
export { DEFAULT_ITERS, DEFAULT_SEED } from './train-protocol.ts';

export class SortTrainer {
  readonly engine: TrainableGPT;
  readonly seed: number;
  readonly settings: AdamWSettings;
  /** Optimisation steps taken. */
  iteration = 0;
  private rand: () => number;

  /** Puts the seed's initial weights into `engine` (batchMax >= TRAIN_BATCH) and forgets any optimiser state. */
  constructor(engine: TrainableGPT, seed: number, settings: AdamWSettings = MINGPT_ADAMW) {
    if (engine.batchMax < TRAIN_BATCH) throw new RangeError(`training needs an engine for batches of ${TRAIN_BATCH}, got ${engine.batchMax}`);
    this.engine = engine;
    this.seed = seed >>> 0;
    this.settings = settings;
    engine.setParams(initParams(engine.config, this.seed));
    engine.resetOptimizer();
    // Data and initialisation draw from separate streams so either can change without moving the other.
    this.rand = mulberry32(this.seed ^ 0x9e3779b9);
  }

  /** The next batch of the seed's example stream (advances it). */
  nextBatch(): Example[] {
    return Array.from({ length: TRAIN_BATCH }, () => sampleExample(this.rand, this.engine.config.vocab_size));
  }

  /** One step: a fresh batch, loss, gradients, clipping, AdamW. Returns the batch's mean loss. */
  step(): number {
    const loss = this.engine.trainStep(this.nextBatch(), this.settings);
    this.iteration++;
    return loss;
  }
}

/**
 * How many of the vocab^6 inputs greedy decoding sorts exactly (729 for three letters), in batches
 * of the engine's batchMax. Greedy decoding writes the sorted answer exactly when, fed the input and
 * the right answer so far (one pass over 11 tokens), every answer position's most likely letter is
 * the right one: then each pass of the generation sees the same prefix and picks the same letter.
 * Ties go to the lower letter, as in pickToken.
 */
export function sortAccuracy(engine: TrainableGPT, cfg: GPTConfig = engine.config, length = SORT_LENGTH): { correct: number; total: number } {
  const total = cfg.vocab_size ** length;
  let correct = 0;
  for (let start = 0; start < total; start += engine.batchMax) correct += sortedInBatch(engine, start, length);
  return { correct, total };
}

/** sortAccuracy's count over the batch of inputs from `start` (in allInputs order): one forward pass, so a run can spread the evaluation over several turns. */
export function sortedInBatch(engine: TrainableGPT, start: number, length = SORT_LENGTH): number {
  const V = engine.config.vocab_size;
  const T = 2 * length - 1;
  const chunk = allInputs(V, length).slice(start, start + engine.batchMax);
  const seqs = chunk.map((inp) => [...inp, ...sortedOf(inp)].slice(0, T));
  const probs = engine.probsBatch(seqs);
  let correct = 0;
  chunk.forEach((inp, b) => {
    const want = sortedOf(inp);
    for (let k = 0; k < length; k++) {
      const row = (b * T + length - 1 + k) * V;
      let best = 0;
      for (let v = 1; v < V; v++) if (probs[row + v]! > probs[row + best]!) best = v;
      if (best !== want[k]) return;
    }
    correct++;
  });
  return correct;
}

/** The training example for an input: the six letters, then the sorted ones as targets (minGPT's layout). */
export function exampleOf(input: readonly number[]): Example {
  const cat = [...input, ...sortedOf(input)];
  const ids = cat.slice(0, -1);
  const targets = cat.slice(1).map((t, i) => (i < input.length - 1 ? -1 : t));
  return { ids, targets };
}

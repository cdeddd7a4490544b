/**
 * The task: sort six letters from A, B, C; decoding (greedy or sampled with a temperature and a
 * seed) and evaluation on every input. The training data and initialisation are in sort-data.ts.
 */
import { SORT_LENGTH } from './config.ts';
import { mulberry32 } from './random.ts';

/** The sorted copy of a sequence: what the model must produce. */
export function sortedOf(ids: readonly number[]): number[] {
  return [...ids].sort((a, b) => a - b);
}

/** Anything that gives the next-token probabilities for a prefix: the WASM build or the reference. */
export interface NextToken {
  nextProbs(ids: number[]): Float32Array;
}

export interface SampleOptions {
  /** 0 means greedy (argmax); otherwise probabilities are recomputed from logits / temperature. */
  temperature: number;
  seed: number;
}

/**
 * Picks one token from next-token probabilities. With temperature T > 0, p_i^(1/T) renormalised
 * equals softmax(logits / T), so no logits are needed.
 */
export function pickToken(probs: ArrayLike<number>, temperature: number, rand: () => number): number {
  let best = 0;
  for (let v = 1; v < probs.length; v++) if (probs[v]! > probs[best]!) best = v;
  if (temperature <= 0) return best;
  const w = Array.from(probs, (p) => Math.exp(Math.log(Math.max(p, 1e-30)) / temperature));
  const total = w.reduce((a, b) => a + b, 0);
  let r = rand() * total;
  for (let v = 0; v < w.length; v++) {
    r -= w[v]!;
    if (r < 0) return v;
  }
  return w.length - 1;
}

/** Autoregressive decoding: appends `steps` tokens, each from a forward pass over everything so far. */
export function generate(model: NextToken, input: number[], steps: number, opts: SampleOptions = { temperature: 0, seed: 0 }): number[] {
  const rand = mulberry32(opts.seed);
  const seq = [...input];
  for (let i = 0; i < steps; i++) seq.push(pickToken(model.nextProbs(seq), opts.temperature, rand));
  return seq.slice(input.length);
}

/** Every input of the task: all vocab^length sequences (729 for three letters and length 6). */
export function allInputs(vocab: number, length = SORT_LENGTH): number[][] {
  const out: number[][] = [];
  const n = vocab ** length;
  for (let i = 0; i < n; i++) {
    const seq: number[] = [];
    for (let j = length - 1, x = i; j >= 0; j--, x = Math.floor(x / vocab)) seq[j] = x % vocab;
    out.push(seq);
  }
  return out;
}

/** Greedy decoding on every input; returns how many come out exactly sorted, and the first failures. */
export function evaluateAll(model: NextToken, vocab: number, length = SORT_LENGTH): { correct: number; total: number; failures: number[][] } {
  const inputs = allInputs(vocab, length);
  let correct = 0;
  const failures: number[][] = [];
  for (const inp of inputs) {
    const out = generate(model, inp, length);
    if (out.join() === sortedOf(inp).join()) correct++;
    else if (failures.length < 10) failures.push(inp);
  }
  return { correct, total: inputs.length, failures };
}

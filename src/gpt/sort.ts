/**
 * The task: sort six letters from A, B, C. minGPT's SortDataset, training batches, model
 * initialisation, and decoding (greedy or sampled with a temperature and a seed).
 */
import { SORT_LENGTH, paramCount, paramSpecs, type GPTConfig } from './config.ts';
import { mulberry32, normal } from './random.ts';

export interface Example {
  /** 11 ids: the 6 input tokens then the first 5 sorted ones (the model's input). */
  ids: number[];
  /** 11 ids, shifted by one: -1 for the first 5 positions (no loss), then the 6 sorted tokens. */
  targets: number[];
}

/** The sorted copy of a sequence: what the model must produce. */
export function sortedOf(ids: readonly number[]): number[] {
  return [...ids].sort((a, b) => a - b);
}

/**
 * One training example as minGPT's SortDataset draws it. Half of the draws insist on at most
 * length/2 distinct letters ("many repeats"); with only three letters and length 6 every draw
 * already satisfies that, so, as in minGPT, the two halves coincide for this vocabulary.
 */
export function sampleExample(rand: () => number, vocab: number, length = SORT_LENGTH): Example {
  for (;;) {
    const inp = Array.from({ length }, () => Math.floor(rand() * vocab));
    if (rand() < 0.5 && new Set(inp).size > Math.floor(length / 2)) continue;
    const cat = [...inp, ...sortedOf(inp)];
    const ids = cat.slice(0, -1);
    const targets = cat.slice(1).map((t, i) => (i < length - 1 ? -1 : t));
    return { ids, targets };
  }
}

/** minGPT's initialisation: N(0, 0.02) for linear and embedding weights, N(0, 0.02/sqrt(2 L)) for c_proj, zero biases, unit layer-norm gains. */
export function initParams(cfg: GPTConfig, seed: number): Float32Array {
  const params = new Float32Array(paramCount(cfg));
  const randn = normal(mulberry32(seed));
  for (const s of paramSpecs(cfg)) {
    const view = params.subarray(s.offset, s.offset + s.size);
    if (/ln_\d\.weight$|ln_f\.weight$/.test(s.name)) view.fill(1);
    else if (s.name.endsWith('.bias')) view.fill(0);
    else {
      const std = s.name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * cfg.n_layer) : 0.02;
      for (let i = 0; i < view.length; i++) view[i] = randn() * std;
    }
  }
  return params;
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

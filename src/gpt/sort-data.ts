/**
 * The sort task's training data and the model's initialisation: minGPT's SortDataset and init.
 * Only training uses these (npm run train and the training chapter's worker), so they live apart
 * from decoding (sort.ts), which every page's worker needs.
 */
import { SORT_LENGTH, paramCount, paramSpecs, type GPTConfig } from './config.ts';
import { mulberry32 } from './random.ts';
import { sortedOf } from './sort.ts';

export interface Example {
  /** 11 ids: the 6 input tokens then the first 5 sorted ones (the model's input). */
  ids: number[];
  /** 11 ids, shifted by one: -1 for the first 5 positions (no loss), then the 6 sorted tokens. */
  targets: number[];
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

/** Standard normal samples from a uniform generator (Box-Muller). */
export function normal(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rand(); // (0, 1]: log is finite
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

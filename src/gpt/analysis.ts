/**
 * How the trained model sorts: the measurements behind docs/how-it-sorts.md and the "How it
 * sorts" chapter, computed from traces over the task's 729 inputs (each followed by the first five
 * letters of its answer, the 11 tokens the model reads while it writes a full answer).
 *
 * Output positions: the column at position 5 + k (k = 0..5) predicts answer letter k ("slot" k).
 */
import { SORT_LENGTH, type GPTConfig } from './config.ts';
import { ablationMeans, meanSequences, parseAblation, partNames, type AblationMeans, type AppliedAblation } from './ablation.ts';
import { allInputs, generate, sortedOf, type NextToken } from './sort.ts';
import type { Trace } from './trace.ts';

/** An engine the analysis can drive: forward passes, next-token probabilities, and switching parts off. */
export interface AnalysisEngine extends NextToken {
  forward(ids: number[]): Trace;
  setAblation(a: AppliedAblation | null): void;
}

/** Greedy answers on all 729 inputs: how many are exactly sorted, and how many are right in each slot. */
export interface Accuracy {
  correct: number;
  total: number;
  slots: number[];
  /** written[k][v]: on how many inputs slot k got letter v (A=0, B=1, C=2). */
  written: number[][];
}

export function accuracy(model: NextToken, vocab: number): Accuracy {
  const inputs = allInputs(vocab, SORT_LENGTH);
  const slots = new Array<number>(SORT_LENGTH).fill(0);
  const written = Array.from({ length: SORT_LENGTH }, () => new Array<number>(vocab).fill(0));
  let correct = 0;
  for (const inp of inputs) {
    const out = generate(model, inp, SORT_LENGTH);
    const want = sortedOf(inp);
    let all = true;
    for (let k = 0; k < SORT_LENGTH; k++) {
      written[k]![out[k]!]!++;
      if (out[k] === want[k]) slots[k]!++;
      else all = false;
    }
    if (all) correct++;
  }
  return { correct, total: inputs.length, slots, written };
}

/** Where one head looks from one output slot, averaged over the 729 sequences (shares of its attention, 0..1). */
export interface HeadLook {
  slot: number;
  /** On the six input letters (the rest is on the answer letters already written, itself included). */
  input: number;
  /** On its own column. */
  self: number;
  /** On the input letters that are A, B and C. */
  letters: number[];
  /** On ONE input letter of each kind, on average over the inputs holding it: a preference that counts cannot explain. */
  perLetter: number[];
  /** On the input letters equal to the letter this slot must write. */
  answer: number;
  /** What `answer` would be if the head spread its attention evenly over the six input letters. */
  answerIfEven: number;
}

export function headLooks(traces: readonly Trace[], layer: number, head: number, cfg: GPTConfig): HeadLook[] {
  const T = cfg.block_size;
  const out: HeadLook[] = [];
  for (let k = 0; k < SORT_LENGTH; k++) {
    const q = SORT_LENGTH - 1 + k;
    const sum = { input: 0, self: 0, answer: 0, answerIfEven: 0, letters: new Array<number>(cfg.vocab_size).fill(0) };
    const perLetter = new Array<number>(cfg.vocab_size).fill(0);
    const holding = new Array<number>(cfg.vocab_size).fill(0);
    for (const trace of traces) {
      const p = trace.tensors[`h.${layer}.attn.probs`]!.data;
      const input = trace.ids.slice(0, SORT_LENGTH);
      const want = sortedOf(input)[k]!;
      sum.answerIfEven += input.filter((x) => x === want).length / SORT_LENGTH;
      const mass = new Array<number>(cfg.vocab_size).fill(0);
      for (let s = 0; s <= q; s++) {
        const a = p[(head * T + q) * T + s]!;
        if (s === q) sum.self += a;
        if (s >= SORT_LENGTH) continue;
        sum.input += a;
        sum.letters[trace.ids[s]!]! += a;
        mass[trace.ids[s]!]! += a;
        if (trace.ids[s] === want) sum.answer += a;
      }
      for (let v = 0; v < cfg.vocab_size; v++) {
        const n = input.filter((x) => x === v).length;
        if (n === 0) continue;
        perLetter[v]! += mass[v]! / n;
        holding[v]!++;
      }
    }
    const n = traces.length;
    out.push({ slot: k, input: sum.input / n, self: sum.self / n, letters: sum.letters.map((x) => x / n), perLetter: perLetter.map((x, v) => x / holding[v]!), answer: sum.answer / n, answerIfEven: sum.answerIfEven / n });
  }
  return out;
}

/**
 * Least squares with a small ridge (1e-3, no penalty on the intercept): fits y from x on the rows
 * where `train` is true and returns R^2 on the others (1 = read off exactly, 0 = no better than the mean).
 */
export function readoutR2(x: readonly Float32Array[], y: readonly number[], train: readonly boolean[]): number {
  const d = x[0]!.length + 1;
  const A = Array.from({ length: d }, () => new Float64Array(d + 1));
  const row = new Float64Array(d);
  x.forEach((xi, n) => {
    if (!train[n]) return;
    row.set(xi);
    row[d - 1] = 1;
    for (let i = 0; i < d; i++) {
      A[i]![d]! += row[i]! * y[n]!;
      for (let j = 0; j < d; j++) A[i]![j]! += row[i]! * row[j]!;
    }
  });
  for (let i = 0; i < d - 1; i++) A[i]![i]! += 1e-3;
  const w = solveInPlace(A);
  let mean = 0;
  let count = 0;
  y.forEach((v, n) => {
    if (train[n]) return;
    mean += v;
    count++;
  });
  mean /= count;
  let residual = 0;
  let total = 0;
  x.forEach((xi, n) => {
    if (train[n]) return;
    let p = w[d - 1]!;
    for (let i = 0; i < d - 1; i++) p += w[i]! * xi[i]!;
    residual += (p - y[n]!) ** 2;
    total += (y[n]! - mean) ** 2;
  });
  return 1 - residual / total;
}

/** Gaussian elimination with partial pivoting on an augmented d x (d+1) system; returns the solution. */
function solveInPlace(M: Float64Array[]): Float64Array {
  const d = M.length;
  for (let i = 0; i < d; i++) {
    let p = i;
    for (let r = i + 1; r < d; r++) if (Math.abs(M[r]![i]!) > Math.abs(M[p]![i]!)) p = r;
    [M[i], M[p]] = [M[p]!, M[i]!];
    for (let r = i + 1; r < d; r++) {
      const f = M[r]![i]! / M[i]![i]!;
      for (let c = i; c <= d; c++) M[r]![c]! -= f * M[i]![c]!;
    }
  }
  const w = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = M[i]![d]!;
    for (let c = i + 1; c < d; c++) s -= M[i]![c]! * w[c]!;
    w[i] = s / M[i]![i]!;
  }
  return w;
}

/** What the residual stream at one output slot holds, stage by stage: R^2 of linear read-outs. */
export interface Readout {
  slot: number;
  /** Trace tensor read: embed, then h.<l>.resid_1 (after attention) and h.<l>.resid_2 (after the MLP). */
  stage: string;
  /** How many A's the input holds (0..6). */
  countA: number;
  /** How many B's. */
  countB: number;
  /** The letter this slot must write (A=0, B=1, C=2). */
  letter: number;
}

export function readoutStages(cfg: GPTConfig): string[] {
  const out = ['embed'];
  for (let l = 0; l < cfg.n_layer; l++) out.push(`h.${l}.resid_1`, `h.${l}.resid_2`);
  return out;
}

/** Read-outs at every slot and stage; fitted on the even-numbered inputs, scored on the odd ones. */
export function readouts(traces: readonly Trace[], cfg: GPTConfig): Readout[] {
  const C = cfg.n_embd;
  const train = traces.map((_, n) => n % 2 === 0);
  const inputs = traces.map((t) => t.ids.slice(0, SORT_LENGTH));
  const count = (letter: number) => inputs.map((inp) => inp.filter((x) => x === letter).length);
  const countA = count(0);
  const countB = count(1);
  const out: Readout[] = [];
  for (let k = 0; k < SORT_LENGTH; k++) {
    const q = SORT_LENGTH - 1 + k;
    const letter = inputs.map((inp) => sortedOf(inp)[k]!);
    for (const stage of readoutStages(cfg)) {
      const x = traces.map((t) => t.tensors[stage]!.data.subarray(q * C, (q + 1) * C));
      out.push({ slot: k, stage, countA: readoutR2(x, countA, train), countB: readoutR2(x, countB, train), letter: readoutR2(x, letter, train) });
    }
  }
  return out;
}

export interface AblationResult extends Accuracy {
  part: string;
}

/** Accuracy with each part switched off in turn (and with nothing switched off, part ""). */
export function ablationSweep(engine: AnalysisEngine, means: AblationMeans, cfg: GPTConfig, parts = partNames(cfg)): AblationResult[] {
  const out: AblationResult[] = [{ part: '', ...accuracy(engine, cfg.vocab_size) }];
  for (const part of parts) {
    const ablation = parseAblation(part, cfg);
    if ('error' in ablation) throw new Error(ablation.error);
    engine.setAblation({ ablation, means });
    try {
      out.push({ part, ...accuracy(engine, cfg.vocab_size) });
    } finally {
      engine.setAblation(null);
    }
  }
  return out;
}

/** Everything docs/analysis.json holds. */
export interface Analysis {
  inputs: number;
  ablations: AblationResult[];
  heads: { part: string; looks: HeadLook[] }[];
  readouts: Readout[];
}

/** The whole analysis of an engine holding the shipped weights. */
export function analyze(engine: AnalysisEngine, cfg: GPTConfig, extraAblations: string[] = []): Analysis {
  const means = ablationMeans((ids) => engine.forward(ids), cfg);
  const traces = meanSequences(cfg).map((ids) => engine.forward(ids));
  const heads: Analysis['heads'] = [];
  for (let l = 0; l < cfg.n_layer; l++) for (let h = 0; h < cfg.n_head; h++) heads.push({ part: `h.${l}.attn.head${h}`, looks: headLooks(traces, l, h, cfg) });
  return {
    inputs: traces.length,
    ablations: ablationSweep(engine, means, cfg, [...partNames(cfg), ...extraAblations]),
    heads,
    readouts: readouts(traces, cfg),
  };
}

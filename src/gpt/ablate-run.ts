/**
 * The worker's ablate request, loaded on the first one (a page without the "How it sorts" lab never
 * fetches it): switch the named parts off, answer all 729 inputs greedily and the reader's input,
 * switch them back on.
 */
import { ablationMeans, ablationNames, parseAblation, type AblationMeans, type AppliedAblation } from './ablation.ts';
import { accuracy } from './analysis.ts';
import { SORT_LENGTH, type GPTConfig } from './config.ts';
import { packTrace, type PackedTrace } from './protocol.ts';
import { generate } from './sort.ts';
import type { Trace } from './trace.ts';

export interface AblatableEngine {
  forward(ids: number[]): Trace;
  nextProbs(ids: number[]): Float32Array;
  setAblation(a: AppliedAblation | null): void;
}

export interface AblationRun {
  parts: string[];
  correct: number;
  total: number;
  slots: number[];
  output: number[];
  trace: PackedTrace;
  ms: number;
}

/**
 * Runs the experiment; `means` are the parts' mean outputs, computed here when null (729 forward
 * passes) and returned for the next call. An unknown part name gives { error }.
 */
export function runAblation(engine: AblatableEngine, cfg: GPTConfig, parts: readonly string[], input: number[], means: AblationMeans | null): { result: AblationRun; means: AblationMeans } | { error: string } {
  const ablation = parseAblation(parts.join(','), cfg);
  if ('error' in ablation) return ablation;
  const start = performance.now();
  const m = means ?? ablationMeans((ids) => engine.forward(ids), cfg);
  engine.setAblation({ ablation, means: m });
  try {
    const { correct, total, slots } = accuracy(engine, cfg.vocab_size);
    const output = generate(engine, input, SORT_LENGTH);
    const trace = packTrace(engine.forward([...input, ...output].slice(0, cfg.block_size)));
    return { result: { parts: ablationNames(ablation, cfg), correct, total, slots, output, trace, ms: performance.now() - start }, means: m };
  } finally {
    engine.setAblation(null);
  }
}

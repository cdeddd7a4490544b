/**
 * What the training chapter's director sees of the run (no DOM): the first steps' numbers from the
 * worker, the checkpoints computed so far and the batch losses. Pure helpers shared by the director
 * and the page, so the picture and the panel agree on which checkpoint a scroll position names.
 */
import type { TrainExplained } from '../../gpt/train-explain.ts';
import type { TrainState } from '../../gpt/train-protocol.ts';
import type { Trace } from '../../gpt/trace.ts';
import { beat } from '../beats.ts';

export interface CheckpointView {
  iteration: number;
  params: Float32Array;
  correct: number;
  total: number;
  answer: number[];
  /** The forward pass over the reader's letters with these weights. */
  trace: Trace;
  /** The batch loss of this iteration (NaN for iteration 0, before any step). */
  loss: number;
}

export interface TrainingView {
  seed: number;
  /** Iterations the run will take, and how often it keeps the weights. */
  iters: number;
  every: number;
  state: TrainState;
  /** Optimisation steps taken so far. */
  iteration: number;
  explained: {
    numbers: TrainExplained;
    /** The seed's initial weights; the forward passes over the reader's letters (T = 6) and the example (T = 11) with them. */
    params: Float32Array;
    trace: Trace;
    exampleTrace: Trace;
    /** All weights after the run's first step. */
    paramsAfter: Float32Array;
  } | null;
  /** Kept checkpoints, by iteration (the oldest thinned out beyond the memory cap). */
  checkpoints: CheckpointView[];
  /** losses[i] is the batch loss of iteration i + 1. */
  losses: number[];
  /** Whether the finished run's weights equal the shipped file's, bit for bit (null until it ends). */
  sameBytes: { identical: boolean; differing: number; hash: string; shippedHash: string } | null;
}

/** The part of the run step during which scrolling moves through the run (after the camera move). */
export const SCRUB_START = 0.25;
export const SCRUB_SPAN = 0.65;

/** The iteration the scroll position names in the run step: 0 at its start, the last iteration at its end. */
export function namedIteration(view: Pick<TrainingView, 'iters' | 'every'>, t: number): number {
  const u = beat(t, SCRUB_START, SCRUB_SPAN, (x) => x);
  return Math.min(view.iters, Math.round((u * view.iters) / view.every) * view.every);
}

/** The checkpoint shown for scroll time t: the latest computed one at or before the named iteration. */
export function checkpointAt(view: Pick<TrainingView, 'iters' | 'every' | 'checkpoints'>, t: number): CheckpointView | null {
  const named = namedIteration(view, t);
  let found: CheckpointView | null = null;
  for (const c of view.checkpoints) if (c.iteration <= named) found = c;
  return found ?? view.checkpoints[0] ?? null;
}

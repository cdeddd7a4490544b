/**
 * The page's copy of the training run: applies the worker's progress messages to a TrainingView
 * (no DOM, unit-tested). Checkpoints are kept up to MAX_CHECKPOINTS (each holds 85,728 weights,
 * 343 KB); beyond that every other one between the first and the newest is dropped, so a long run
 * keeps an even spread of its history in bounded memory.
 */
import type { TrainProgress } from '../../gpt/train-protocol.ts';
import { unpackTrace } from '../../gpt/protocol.ts';
import type { CheckpointView, TrainingView } from './view.ts';

export const MAX_CHECKPOINTS = 64;
/** Iterations between checkpoints. */
export const CHECKPOINT_EVERY = 50;

export function emptyView(seed: number, iters: number): TrainingView {
  return { seed, iters, every: CHECKPOINT_EVERY, state: 'idle', iteration: 0, explained: null, checkpoints: [], losses: [], sameBytes: null };
}

/** Drops every other checkpoint (keeping the first and the newest) until at most `cap` remain. */
export function thin(checkpoints: CheckpointView[], cap = MAX_CHECKPOINTS): CheckpointView[] {
  let out = checkpoints;
  while (out.length > cap) out = out.filter((_, i) => i === 0 || i === out.length - 1 || i % 2 === 0);
  return out;
}

export class TrainingRun {
  view: TrainingView;
  /** The worker's run counter this page is following (older runs' messages are dropped). */
  private run = -1;
  /** Bumped on every change, so the panel knows to redraw. */
  version = 0;
  /**
   * Bumped only when what the picture shows can change (a checkpoint, the run's state, the first
   * steps' numbers, the comparison): the 3D scene is not redrawn for every batch loss.
   */
  sceneVersion = 0;
  msPerIter = 0;
  error: string | null = null;

  constructor(seed: number, iters: number) {
    this.view = emptyView(seed, iters);
  }

  /** A new run is about to start (or the old one was reset): forget the old one's history. */
  restart(): void {
    this.view = { ...emptyView(this.view.seed, this.view.iters), explained: this.view.explained };
    this.run = -1;
    this.version++;
    this.sceneVersion++;
  }

  /** Something the picture shows changed outside apply() (the first steps' numbers, the comparison). */
  touched(): void {
    this.version++;
    this.sceneVersion++;
  }

  apply(p: TrainProgress): void {
    if (p.error) {
      // Whichever run it came from, the reader is told why training stopped.
      this.error = p.error;
      this.version++;
    }
    if (p.run < this.run) return;
    const newRun = p.run > this.run;
    if (newRun) {
      this.run = p.run;
      this.view = { ...this.view, checkpoints: [], losses: [], sameBytes: null };
    }
    const losses = this.view.losses;
    p.losses.forEach((loss, i) => {
      losses[p.firstIteration - 1 + i] = loss;
    });
    let checkpoints = this.view.checkpoints;
    if (p.checkpoint) {
      const c = p.checkpoint;
      const view: CheckpointView = { iteration: c.iteration, params: c.params, correct: c.correct, total: c.total, answer: c.answer, trace: unpackTrace(c.trace), loss: c.iteration > 0 ? losses[c.iteration - 1]! : NaN };
      checkpoints = thin([...checkpoints.filter((x) => x.iteration !== c.iteration), view]);
    }
    if (p.state === 'idle') checkpoints = [];
    if (p.checkpoint || p.state !== this.view.state || newRun) this.sceneVersion++;
    this.view = { ...this.view, state: p.state, iteration: p.iteration, checkpoints, losses: p.state === 'idle' ? [] : losses };
    if (p.msPerIter > 0) this.msPerIter = p.msPerIter;
    this.version++;
  }

  /** The newest checkpoint, if any. */
  latest(): CheckpointView | null {
    return this.view.checkpoints.at(-1) ?? null;
  }
}

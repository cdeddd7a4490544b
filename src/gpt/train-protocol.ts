/**
 * Messages between the training chapter's page side (src/story/training/panel.ts) and its own
 * worker (train-worker.ts, train-host.ts): a worker apart from the inference engine's, so the
 * page's forward passes never wait for a training step, and pages without the chapter load none
 * of it.
 */
import type { PackedTrace } from './protocol.ts';
import type { TrainExplained } from './train-explain.ts';

/** The seed and length of the run that produced public/models/sort-nano.safetensors. */
export const DEFAULT_SEED = 1337;
export const DEFAULT_ITERS = 2000;

/**
 * The training chapter (train-host.ts): the numbers of its first steps for a seed and the reader's
 * letters (answered by a TrainExplainedMessage), start a run, pause, resume, forget it, or change
 * the letters its checkpoints answer.
 */
export type TrainControl =
  | { type: 'train'; action: 'explain'; seed: number; input: number[] }
  | { type: 'train'; action: 'start'; seed: number; iters: number; every: number; input: number[] }
  | { type: 'train'; action: 'pause' | 'resume' | 'reset' }
  | { type: 'train'; action: 'input'; input: number[] };

export type TrainState = 'running' | 'paused' | 'done' | 'idle';

/** The weights every `every` iterations (and at the start and the end), with what they do. */
export interface Checkpoint {
  iteration: number;
  params: Float32Array;
  /** Inputs (of 729) that greedy decoding sorts with these weights. */
  correct: number;
  total: number;
  /** The greedy answer for the reader's letters, and the forward pass over them. */
  answer: number[];
  trace: PackedTrace;
}

export interface TrainExplainedMessage {
  type: 'train-explained';
  explained: TrainExplained;
  /** The seed's initial weights, and every weight after the run's first step. */
  params: Float32Array;
  paramsAfter: Float32Array;
  /** Forward passes with the initial weights over the reader's letters and over the example. */
  trace: PackedTrace;
  exampleTrace: PackedTrace;
}

export interface TrainProgress {
  type: 'train-progress';
  /** Counts runs: messages of an older run (before a reset) are stale. */
  run: number;
  seed: number;
  iters: number;
  iteration: number;
  state: TrainState;
  /** Batch losses of iterations firstIteration, firstIteration + 1, ... since the last message. */
  firstIteration: number;
  losses: number[];
  /** Mean ms per optimisation step over the last 100 steps (checkpoint evaluation not counted). */
  msPerIter: number;
  checkpoint?: Checkpoint;
  /** Why the run stopped, when it could not go on (e.g. training needs WebAssembly). */
  error?: string;
}

export type TrainResponse = TrainProgress | TrainExplainedMessage;

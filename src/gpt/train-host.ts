/**
 * Training inside the training chapter's worker (train-worker.ts). The run is cut into chunks of
 * about CHUNK_MS; between chunks the worker goes back to its message loop, so pause, reset and new
 * letters are taken at once while the model trains. Every `every` iterations (and at the start and the end) a checkpoint is sent:
 * the weights, accuracy on all inputs, and the answer and forward pass for the reader's letters.
 * Its accuracy takes a dozen batched forward passes, so it too is spread over chunks (training
 * waits meanwhile): no turn of the loop runs much longer than CHUNK_MS.
 */
import { SORT_LENGTH, type GPTConfig } from './config.ts';
import { packTrace } from './protocol.ts';
import type { Checkpoint, TrainControl, TrainProgress, TrainResponse, TrainState } from './train-protocol.ts';
import { generate } from './sort.ts';
import { explainTraining } from './train-explain.ts';
import { SortTrainer, sortedInBatch, TRAIN_BATCH } from './training.ts';
import { TrainableGPT } from './wasm-train.ts';

/** Longest stretch of optimisation steps between two turns of the message loop, ms. */
export const CHUNK_MS = 12;
/** Steps the reported speed averages over. */
const RECENT = 100;
/** Longest gap between two progress messages while running, ms (the loss curve's refresh). */
const PROGRESS_MS = 100;

/** Runs `fn` as a new task right away: unlike nested setTimeout, a message port is never clamped to 4 ms. */
export function soon(): (fn: () => void) => void {
  const channel = new MessageChannel();
  const queue: (() => void)[] = [];
  channel.port1.onmessage = () => queue.shift()?.();
  return (fn) => {
    queue.push(fn);
    channel.port2.postMessage(null);
  };
}

export type TrainReply = (response: TrainResponse, transfer: ArrayBuffer[]) => void;

const NO_TRAINING = 'training needs the WebAssembly engine, which did not load here';

export class TrainHost {
  /** The compiled engine (null: WebAssembly did not load, so there is no training). */
  private readonly module: WebAssembly.Module | null;
  private readonly config: GPTConfig | null;
  private readonly reply: TrainReply;
  private readonly schedule: (fn: () => void) => void;
  private engine: TrainableGPT | null = null;
  private trainer: SortTrainer | null = null;
  private run = 0;
  private iters = 0;
  private every = 50;
  private input: number[] = [];
  private state: TrainState = 'idle';
  private losses: number[] = [];
  private lastSent = 0;
  /** ms of the most recent steps (at most RECENT): the current speed, once the engine's code is warm. */
  private stepMs: number[] = [];
  /** A chunk is scheduled: at most one chain of chunks runs, whatever the reader clicks. */
  private pending = false;
  private error: string | undefined;
  /** The checkpoint being evaluated: its iteration, weights, and how far through the inputs. */
  private evaluating: { iteration: number; params: Float32Array; next: number; correct: number } | null = null;

  constructor(module: WebAssembly.Module | null, config: GPTConfig | null, reply: TrainReply, schedule: (fn: () => void) => void = soon()) {
    this.module = module;
    this.config = config;
    this.reply = reply;
    this.schedule = schedule;
  }

  /** A training request. Failures are the training chapter's to tell, never the end of the page's engine. */
  async handle(req: TrainControl): Promise<void> {
    try {
      if (!this.module || !this.config) throw new Error(NO_TRAINING);
      if (req.action === 'explain') await this.explain(req, this.module, this.config);
      else await this.control(req, this.module, this.config);
    } catch (e) {
      if (req.action !== 'explain') this.state = 'idle';
      this.error = (e as Error).message;
      this.send();
    }
  }

  /** The numbers of the chapter's first steps, from an engine of its own (the run's is left alone). */
  private async explain(req: Extract<TrainControl, { action: 'explain' }>, module: WebAssembly.Module, config: GPTConfig): Promise<void> {
    const engine = await TrainableGPT.load(module, config, TRAIN_BATCH);
    const explained = explainTraining(engine, req.seed, req.input);
    const paramsAfter = engine.params.slice();
    new SortTrainer(engine, req.seed);
    const params = engine.params.slice();
    const trace = packTrace(engine.forward(req.input));
    const exampleTrace = packTrace(engine.forward(explained.example.ids));
    const transfer = [params.buffer as ArrayBuffer, paramsAfter.buffer as ArrayBuffer, trace.buffer, exampleTrace.buffer];
    this.reply({ type: 'train-explained', explained, params, paramsAfter, trace, exampleTrace }, transfer);
  }

  private async control(req: Exclude<TrainControl, { action: 'explain' }>, module: WebAssembly.Module, config: GPTConfig): Promise<void> {
    if (req.action === 'start') {
      const engine = (this.engine ??= await TrainableGPT.load(module, config, TRAIN_BATCH));
      this.run++;
      this.trainer = new SortTrainer(engine, req.seed);
      this.iters = req.iters;
      this.every = req.every;
      this.input = req.input;
      this.losses = [];
      this.stepMs = [];
      this.state = 'running';
      this.evaluating = null;
      this.beginCheckpoint();
      this.send();
      this.continue();
    } else if (req.action === 'pause') {
      if (this.state !== 'running') return;
      this.state = 'paused';
      this.send();
    } else if (req.action === 'resume') {
      if (this.state !== 'paused') return;
      this.state = 'running';
      this.send();
      this.continue();
    } else if (req.action === 'reset') {
      this.run++;
      this.trainer = null;
      this.evaluating = null;
      this.losses = [];
      this.state = 'idle';
      this.send();
    } else if (req.action === 'input') {
      this.input = req.input;
    }
  }

  private continue(): void {
    if (this.pending) return;
    this.pending = true;
    this.schedule(() => {
      this.pending = false;
      this.chunk();
    });
  }

  /** Steps for about CHUNK_MS (at least one), or goes on evaluating a checkpoint. */
  private chunk(): void {
    const trainer = this.trainer;
    if (this.state !== 'running' || !trainer) return;
    const start = performance.now();
    let checkpoint: Checkpoint | undefined;
    if (this.evaluating) checkpoint = this.evaluate(start);
    else for (;;) {
      const t0 = performance.now();
      const loss = trainer.step();
      this.stepMs.push(performance.now() - t0);
      if (this.stepMs.length > RECENT) this.stepMs.shift();
      this.losses.push(loss);
      if (!Number.isFinite(loss)) {
        this.state = 'paused';
        this.error = `the loss became ${loss} at iteration ${trainer.iteration}`;
        break;
      }
      if (trainer.iteration % this.every === 0 || trainer.iteration >= this.iters) {
        this.beginCheckpoint();
        break;
      }
      if (performance.now() - start >= CHUNK_MS) break;
    }
    if (trainer.iteration >= this.iters && !this.evaluating) this.state = 'done';
    if (checkpoint || this.state !== 'running' || performance.now() - this.lastSent >= PROGRESS_MS) this.send(checkpoint);
    if (this.state === 'running') this.continue();
  }

  private beginCheckpoint(): void {
    const trainer = this.trainer!;
    this.evaluating = { iteration: trainer.iteration, params: trainer.engine.params.slice(), next: 0, correct: 0 };
  }

  /** One or more batches of the checkpoint's accuracy until CHUNK_MS is up; the checkpoint when all are done. */
  private evaluate(start: number): Checkpoint | undefined {
    const ev = this.evaluating!;
    const engine = this.trainer!.engine;
    const total = engine.config.vocab_size ** SORT_LENGTH;
    do {
      ev.correct += sortedInBatch(engine, ev.next);
      ev.next += engine.batchMax;
    } while (ev.next < total && performance.now() - start < CHUNK_MS);
    if (ev.next < total) return undefined;
    this.evaluating = null;
    const answer = generate(engine, this.input, this.input.length);
    const trace = packTrace(engine.forward(this.input));
    return { iteration: ev.iteration, params: ev.params, correct: ev.correct, total, answer, trace };
  }

  private send(checkpoint?: Checkpoint): void {
    const trainer = this.trainer;
    const iteration = trainer?.iteration ?? 0;
    const msg: TrainProgress = {
      type: 'train-progress',
      run: this.run,
      seed: trainer?.seed ?? 0,
      iters: this.iters,
      iteration,
      state: this.state,
      firstIteration: iteration - this.losses.length + 1,
      losses: this.losses,
      msPerIter: this.stepMs.length ? this.stepMs.reduce((a, b) => a + b, 0) / this.stepMs.length : 0,
      checkpoint,
      error: this.error,
    };
    this.error = undefined;
    this.losses = [];
    this.lastSent = performance.now();
    this.reply(msg, checkpoint ? [checkpoint.params.buffer as ArrayBuffer, checkpoint.trace.buffer] : []);
  }
}

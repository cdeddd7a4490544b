/**
 * The page's typed handle on the engine worker.
 *
 *   const gpt = new GPTClient(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), urls);
 *   const { engine } = await gpt.ready;         // 'wasm', or 'ts' after a fallback (with a reason)
 *   const trace = await gpt.run([2, 1, 0]);      // every tensor of one forward pass
 *   const { tokens, traces } = await gpt.generate([2, 1, 0, 1, 1, 2], { temperature: 0, seed: 1 });
 *   const lab = await gpt.ablate(['h.0.attn.head0'], [2, 1, 0, 1, 1, 2]); // accuracy with a head off
 *
 * One job per kind is in flight at a time; a newer request of the same kind replaces one that is
 * still waiting, whose promise rejects with a GPTError of code 'superseded'. Readers dragging a
 * slider or typing get the newest answer, and no stale work piles up in the worker.
 */
import type { GPTConfig } from './config.ts';
import { type AblatedResult, type EngineKind, type ErrorCode, type Request, type Response, unpackTrace } from './protocol.ts';
import type { Trace } from './trace.ts';

export class GPTError extends Error {
  readonly code: ErrorCode | 'superseded' | 'worker';
  constructor(code: ErrorCode | 'superseded' | 'worker', message: string) {
    super(message);
    this.name = 'GPTError';
    this.code = code;
  }
}

/** What the client needs of a Worker (a real one, or an in-process stand-in for tests). */
export interface WorkerLike {
  postMessage(message: Request): void;
  onmessage: ((event: MessageEvent<Response>) => void) | null;
  onerror?: ((event: ErrorEvent) => void) | null;
  terminate?(): void;
}

export interface Ready {
  engine: EngineKind;
  config: GPTConfig;
  /** The weights, packed as paramSpecs(config): the blue cells. */
  params: Float32Array;
  fallbackReason?: string;
}

export interface Generated {
  tokens: number[];
  /** traces[k] is the forward pass over input + tokens[0..k-1], whose last position chose tokens[k]. */
  traces: Trace[];
  ms: number;
}

export interface Ablated extends AblatedResult {
  /** The forward pass over input + output[0..4] with the parts off. */
  trace: Trace;
}

type Kind = 'run' | 'generate' | 'ablate';
interface Job {
  request: Request & { id: number };
  resolve: (value: never) => void;
  reject: (error: GPTError) => void;
}

export class GPTClient {
  readonly ready: Promise<Ready>;
  private readonly worker: WorkerLike;
  private nextId = 1;
  private readonly inFlight = new Map<number, Job>();
  private readonly busy: Record<Kind, boolean> = { run: false, generate: false, ablate: false };
  private readonly waiting: Record<Kind, Job | null> = { run: null, generate: null, ablate: null };
  private failed: GPTError | null = null;

  constructor(worker: WorkerLike, urls: { wasmUrl: string; weightsUrl: string; forceEngine?: EngineKind }) {
    this.worker = worker;
    let resolveReady!: (r: Ready) => void;
    let rejectReady!: (e: GPTError) => void;
    this.ready = new Promise<Ready>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    // Callers that never await `ready` must not see an unhandled rejection; they get the error per request.
    this.ready.catch(() => undefined);
    worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === 'ready') resolveReady({ engine: msg.engine, config: msg.config, params: msg.params, fallbackReason: msg.fallbackReason });
      else if (msg.type === 'error' && msg.id === undefined) this.fail(new GPTError(msg.code, msg.message), rejectReady);
      else this.settle(msg);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      this.fail(new GPTError('worker', `the engine worker failed: ${event.message || 'unknown error'}`), rejectReady);
    };
    worker.postMessage({ type: 'init', ...urls });
  }

  /** One forward pass over token ids (1..block_size). */
  run(ids: number[]): Promise<Trace> {
    return this.submit('run', { type: 'run', id: this.nextId++, ids: [...ids] });
  }

  /** Autoregressive decoding of `steps` tokens (default 6), greedy at temperature 0. */
  generate(input: number[], opts: { temperature?: number; seed?: number; steps?: number } = {}): Promise<Generated> {
    return this.submit('generate', {
      type: 'generate',
      id: this.nextId++,
      input: [...input],
      steps: opts.steps ?? 6,
      temperature: opts.temperature ?? 0,
      seed: opts.seed ?? 0,
    });
  }

  /** Accuracy over all inputs and the greedy answer to `input` with the named parts switched off (ablation.ts). */
  ablate(parts: readonly string[], input: number[]): Promise<Ablated> {
    return this.submit('ablate', { type: 'ablate', id: this.nextId++, parts: [...parts], input: [...input] });
  }

  terminate(): void {
    this.worker.terminate?.();
    this.fail(new GPTError('worker', 'the engine was shut down'), () => undefined);
  }

  private submit<T>(kind: Kind, request: Request & { id: number }): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<T>((resolve, reject) => {
      const job: Job = { request, resolve: resolve as (v: never) => void, reject };
      if (!this.busy[kind]) return this.start(kind, job);
      this.waiting[kind]?.reject(new GPTError('superseded', `request ${this.waiting[kind]!.request.id} was replaced by a newer one`));
      this.waiting[kind] = job;
    });
  }

  private start(kind: Kind, job: Job): void {
    this.busy[kind] = true;
    this.inFlight.set(job.request.id, job);
    this.worker.postMessage(job.request);
  }

  private settle(msg: Response): void {
    if (!('id' in msg) || msg.id === undefined) return;
    const job = this.inFlight.get(msg.id);
    if (!job) return;
    this.inFlight.delete(msg.id);
    if (msg.type === 'trace') job.resolve(unpackTrace(msg.trace) as never);
    else if (msg.type === 'generated') job.resolve({ tokens: msg.tokens, traces: msg.traces.map(unpackTrace), ms: msg.ms } as never);
    else if (msg.type === 'ablated') job.resolve({ ...msg.result, trace: unpackTrace(msg.result.trace) } as never);
    else if (msg.type === 'error') job.reject(new GPTError(msg.code, msg.message));
    const kind = job.request.type as Kind;
    this.busy[kind] = false;
    const next = this.waiting[kind];
    this.waiting[kind] = null;
    if (next) this.start(kind, next);
  }

  private fail(error: GPTError, rejectReady: (e: GPTError) => void): void {
    this.failed = error;
    rejectReady(error);
    for (const job of this.inFlight.values()) job.reject(error);
    this.inFlight.clear();
    for (const kind of ['run', 'generate', 'ablate'] as const) {
      this.waiting[kind]?.reject(error);
      this.waiting[kind] = null;
      this.busy[kind] = false;
    }
  }
}

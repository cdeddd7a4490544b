/**
 * The engine behind the worker, free of any worker API so it runs (and is tested) anywhere:
 * loads the weights once, prefers the WASM build and falls back to the TypeScript reference
 * when WebAssembly cannot be instantiated, and answers run/generate requests.
 */
import type { AblationMeans, AppliedAblation } from './ablation.ts';
import { SORT_LENGTH, type GPTConfig } from './config.ts';
import { type EngineKind, type PackedTrace, type Request, type Response, packTrace } from './protocol.ts';
import { loadWeights } from './safetensors.ts';
import { pickToken } from './sort.ts';
import { mulberry32 } from './random.ts';
import type { Trace } from './trace.ts';
import { WasmGPT } from './wasm.ts';

interface Engine {
  forward(ids: number[]): Trace;
  /** Next-token probabilities after ids (the last row of probs). */
  nextProbs(ids: number[]): Float32Array;
  /** Parts switched off for every later call (null: none). */
  setAblation(a: AppliedAblation | null): void;
}

/**
 * The TypeScript reference as an Engine (the fallback when WebAssembly cannot start), loaded only
 * then: a reader whose browser runs the WASM engine never fetches it.
 */
async function referenceEngine(config: GPTConfig, params: Float32Array): Promise<Engine> {
  const { forwardReference } = await import('./reference.ts');
  let ablate: AppliedAblation | undefined;
  const forward = (ids: number[]) => forwardReference(config, params, ids, ablate);
  return {
    forward,
    nextProbs: (ids) => forward(ids).tensors['probs']!.data.slice((ids.length - 1) * config.vocab_size, ids.length * config.vocab_size),
    setAblation: (a) => (ablate = a ?? undefined),
  };
}

export type Fetcher = (url: string) => Promise<ArrayBuffer>;
export type Reply = (response: Response, transfer: ArrayBuffer[]) => void;

export class EngineHost {
  private engine: Engine | null = null;
  private config: GPTConfig | null = null;
  /** What switched-off parts' outputs become: computed once, on the first ablate request (729 forward passes). */
  private means: AblationMeans | null = null;
  private readonly fetchBytes: Fetcher;
  private readonly reply: Reply;

  constructor(fetchBytes: Fetcher, reply: Reply) {
    this.fetchBytes = fetchBytes;
    this.reply = reply;
  }

  async handle(req: Request): Promise<void> {
    try {
      if (req.type === 'init') await this.init(req.wasmUrl, req.weightsUrl, req.forceEngine);
      else if (req.type === 'run') this.run(req.id, req.ids);
      else if (req.type === 'generate') this.generate(req);
      else if (req.type === 'ablate') await this.ablate(req);
    } catch (e) {
      const id = 'id' in req ? req.id : undefined;
      this.reply({ type: 'error', id, code: 'engine', message: (e as Error).message }, []);
    }
  }

  private async init(wasmUrl: string, weightsUrl: string, forceEngine?: EngineKind): Promise<void> {
    let weights;
    try {
      weights = loadWeights(new Uint8Array(await this.fetchBytes(weightsUrl)));
    } catch (e) {
      this.reply({ type: 'error', code: 'weights', message: `could not load the model weights: ${(e as Error).message}` }, []);
      return;
    }
    const { config, params } = weights;
    this.config = config;
    let fallbackReason: string | undefined;
    if (forceEngine !== 'ts') {
      try {
        const wasm = await WasmGPT.create(await this.fetchBytes(wasmUrl), config);
        wasm.setParams(params);
        this.engine = wasm;
        this.reply({ type: 'ready', engine: 'wasm', config, params: params.slice() }, []);
        return;
      } catch (e) {
        fallbackReason = `WebAssembly engine unavailable (${(e as Error).message}); using the TypeScript engine`;
      }
    } else {
      fallbackReason = 'TypeScript engine requested';
    }
    this.engine = await referenceEngine(config, params);
    this.reply({ type: 'ready', engine: 'ts', config, params: params.slice(), fallbackReason }, []);
  }

  private checkIds(id: number, ids: number[], maxLength: number): boolean {
    const cfg = this.config;
    if (!this.engine || !cfg) {
      this.reply({ type: 'error', id, code: 'not-ready', message: 'the engine is not loaded yet' }, []);
      return false;
    }
    const bad = !Array.isArray(ids) || ids.length < 1 || ids.length > maxLength || ids.some((t) => !Number.isInteger(t) || t < 0 || t >= cfg.vocab_size);
    if (bad) {
      this.reply({ type: 'error', id, code: 'bad-input', message: `expected 1..${maxLength} token ids in 0..${cfg.vocab_size - 1}, got ${JSON.stringify(ids)}` }, []);
      return false;
    }
    return true;
  }

  private run(id: number, ids: number[]): void {
    if (!this.checkIds(id, ids, this.config?.block_size ?? 0)) return;
    const packed = packTrace(this.engine!.forward(ids));
    this.reply({ type: 'trace', id, trace: packed }, [packed.buffer]);
  }

  /** Appends `steps` tokens; each step's full trace is kept (the trace of the prefix that chose it). */
  private generate(req: Extract<Request, { type: 'generate' }>): void {
    const cfg = this.config;
    const steps = req.steps;
    if (!this.checkIds(req.id, req.input, cfg ? cfg.block_size : 0)) return;
    if (!Number.isInteger(steps) || steps < 1 || req.input.length + steps - 1 > cfg!.block_size) {
      this.reply({ type: 'error', id: req.id, code: 'bad-input', message: `cannot generate ${steps} tokens after ${req.input.length}: the model reads at most ${cfg!.block_size}` }, []);
      return;
    }
    if (!(req.temperature >= 0) || !Number.isFinite(req.temperature)) {
      this.reply({ type: 'error', id: req.id, code: 'bad-input', message: `temperature must be a finite number >= 0, got ${req.temperature}` }, []);
      return;
    }
    const start = performance.now();
    const rand = mulberry32(req.seed >>> 0);
    const seq = [...req.input];
    const traces: PackedTrace[] = [];
    const V = cfg!.vocab_size;
    for (let i = 0; i < steps; i++) {
      const trace = this.engine!.forward(seq);
      const probs = trace.tensors['probs']!.data.subarray((seq.length - 1) * V, seq.length * V);
      const next = pickToken(probs, req.temperature, rand);
      traces.push(packTrace(trace));
      seq.push(next);
    }
    const tokens = seq.slice(req.input.length);
    this.reply({ type: 'generated', id: req.id, tokens, traces, ms: performance.now() - start }, traces.map((t) => t.buffer));
  }

  /**
   * Switches the named parts off (mean ablation, ablation.ts), answers all 729 inputs greedily and
   * the request's input, then switches them back on: later run/generate requests see the whole model.
   */
  private async ablate(req: Extract<Request, { type: 'ablate' }>): Promise<void> {
    const cfg = this.config;
    if (!this.checkIds(req.id, req.input, SORT_LENGTH)) return;
    if (req.input.length !== SORT_LENGTH) {
      this.reply({ type: 'error', id: req.id, code: 'bad-input', message: `expected the ${SORT_LENGTH} input letters, got ${req.input.length}` }, []);
      return;
    }
    const { runAblation } = await import('./ablate-run.ts');
    const run = runAblation(this.engine!, cfg!, Array.isArray(req.parts) ? req.parts : [], req.input, this.means);
    if ('error' in run) {
      this.reply({ type: 'error', id: req.id, code: 'bad-input', message: run.error }, []);
      return;
    }
    this.means = run.means;
    this.reply({ type: 'ablated', id: req.id, result: run.result }, [run.result.trace.buffer]);
  }
}

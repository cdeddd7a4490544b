/**
 * Messages between the page (client.ts) and the engine worker (worker.ts / host.ts).
 * Traces cross the boundary packed into one ArrayBuffer, which is transferred, not copied.
 */
import type { GPTConfig } from './config.ts';
import type { Tensor, Trace } from './trace.ts';

export type EngineKind = 'wasm' | 'ts';

export type Request =
  | { type: 'init'; wasmUrl: string; weightsUrl: string; forceEngine?: EngineKind }
  | { type: 'run'; id: number; ids: number[] }
  | { type: 'generate'; id: number; input: number[]; steps: number; temperature: number; seed: number }
  /** Parts switched off (ablation.ts names, e.g. h.0.attn.head0): accuracy on all inputs, and the reader's answer. */
  | { type: 'ablate'; id: number; parts: string[]; input: number[] };

export type ErrorCode = 'bad-input' | 'weights' | 'engine' | 'not-ready';

export type Response =
  | { type: 'ready'; engine: EngineKind; config: GPTConfig; params: Float32Array; fallbackReason?: string }
  | { type: 'trace'; id: number; trace: PackedTrace }
  | { type: 'generated'; id: number; tokens: number[]; traces: PackedTrace[]; ms: number }
  | { type: 'ablated'; id: number; result: PackedAblated }
  | { type: 'error'; id?: number; code: ErrorCode; message: string };

/** The answer to an ablate request. */
export interface AblatedResult {
  /** The parts switched off, as requested (normalised by ablationNames). */
  parts: string[];
  /** Inputs (of `total`) whose greedy answer is exactly sorted with those parts off; per slot, how many letters are right. */
  correct: number;
  total: number;
  slots: number[];
  /** The greedy answer to the request's input with those parts off. */
  output: number[];
  /** Milliseconds the worker spent (means on the first request, then the 729 answers and the trace). */
  ms: number;
}

/** AblatedResult plus the forward pass over input + output[0..4] with the parts off, packed. */
export interface PackedAblated extends AblatedResult {
  trace: PackedTrace;
}

/** A trace as one buffer plus a table of where each tensor lives in it. */
export interface PackedTrace {
  config: GPTConfig;
  ids: number[];
  names: string[];
  shapes: number[][];
  /** Float offsets into buffer, one per name. */
  offsets: number[];
  buffer: ArrayBuffer;
}

export function packTrace(trace: Trace): PackedTrace {
  const names = Object.keys(trace.tensors);
  const shared = sharedBuffer(trace, names);
  if (shared) {
    return {
      config: trace.config,
      ids: trace.ids,
      names,
      shapes: names.map((n) => trace.tensors[n]!.shape),
      offsets: names.map((n) => trace.tensors[n]!.data.byteOffset / 4),
      buffer: shared,
    };
  }
  let total = 0;
  const offsets = names.map((n) => {
    const at = total;
    total += trace.tensors[n]!.data.length;
    return at;
  });
  const all = new Float32Array(total);
  names.forEach((n, i) => all.set(trace.tensors[n]!.data, offsets[i]));
  return { config: trace.config, ids: trace.ids, names, shapes: names.map((n) => trace.tensors[n]!.shape), offsets, buffer: all.buffer };
}

/** The one buffer all tensors view, if they do and nothing else lives in it (the WASM engine's traces). */
function sharedBuffer(trace: Trace, names: string[]): ArrayBuffer | null {
  const first = trace.tensors[names[0]!]?.data.buffer;
  if (!(first instanceof ArrayBuffer)) return null;
  let total = 0;
  for (const n of names) {
    const d = trace.tensors[n]!.data;
    if (d.buffer !== first) return null;
    total += d.byteLength;
  }
  return total === first.byteLength ? first : null;
}

/** Views into the packed buffer: no copy. */
export function unpackTrace(p: PackedTrace): Trace {
  const tensors: Record<string, Tensor> = {};
  p.names.forEach((name, i) => {
    const shape = p.shapes[i]!;
    const size = shape.reduce((a, b) => a * b, 1);
    tensors[name] = { shape, data: new Float32Array(p.buffer, p.offsets[i]! * 4, size) };
  });
  return { config: p.config, ids: p.ids, tensors };
}

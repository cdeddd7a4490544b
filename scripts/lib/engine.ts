/** Node-side loading of the engine and the shipped weights, shared by the scripts and the tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NANO, type GPTConfig } from '../../src/gpt/config.ts';
import { loadWeights, type Weights } from '../../src/gpt/safetensors.ts';
import { WasmGPT } from '../../src/gpt/wasm.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WASM_PATH = ROOT + 'src/gpt/build/gpt.wasm';
/** The forward-only build the chapter pages load (src/gpt/assembly/forward.ts). */
export const FORWARD_WASM_PATH = ROOT + 'src/gpt/build/gpt-forward.wasm';
export const WEIGHTS_PATH = ROOT + 'public/models/sort-nano.safetensors';

export function readWasm(path = WASM_PATH): Uint8Array {
  try {
    return readFileSync(path);
  } catch {
    throw new Error(`${path} is missing: run \`npm run build:wasm\` first`);
  }
}

export function readWeights(path = WEIGHTS_PATH): Weights {
  return loadWeights(readFileSync(path));
}

/** The WASM engine with the given (default: shipped) weights loaded. */
export async function wasmEngine(config: GPTConfig = NANO, params?: Float32Array, batchMax = 1): Promise<WasmGPT> {
  const engine = await WasmGPT.create(readWasm(), config, batchMax);
  engine.setParams(params ?? readWeights().params);
  return engine;
}

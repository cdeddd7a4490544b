/** The engine worker as the pages create it: one per page, with the bundled WASM and weights. */
import { GPTClient } from './client.ts';

export const WEIGHTS_URL = `${import.meta.env.BASE_URL}models/sort-nano.safetensors`;

/**
 * The engine worker of a page. A page that trains (its training worker loads the full engine,
 * gpt.wasm) runs inference on that same file, one download; any other page loads the forward-only
 * build (gpt-forward.wasm, src/gpt/assembly/forward.ts), a third of the size.
 */
export function createClient(trains = false): GPTClient {
  return new GPTClient(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), {
    wasmUrl: (trains ? new URL('./build/gpt.wasm', import.meta.url) : new URL('./build/gpt-forward.wasm', import.meta.url)).href,
    weightsUrl: WEIGHTS_URL,
  });
}

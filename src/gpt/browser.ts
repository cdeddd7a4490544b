/** The engine worker as the pages create it: one per page, with the bundled WASM and weights. */
import { GPTClient } from './client.ts';

export const WEIGHTS_URL = `${import.meta.env.BASE_URL}models/sort-nano.safetensors`;

export function createClient(): GPTClient {
  return new GPTClient(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), {
    wasmUrl: new URL('./build/gpt.wasm', import.meta.url).href,
    weightsUrl: WEIGHTS_URL,
  });
}

/**
 * Build-time only (Node): the default input run through the TypeScript reference with the
 * shipped weights, so numbers in the static HTML are the model's own before any script runs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SORT_LENGTH, encode } from '../gpt/config.ts';
import { forwardReference } from '../gpt/reference.ts';
import { loadWeights } from '../gpt/safetensors.ts';
import { generate } from '../gpt/sort.ts';
import { DEFAULT_INPUT } from './input.ts';
import type { QuantityContext } from './quantities.ts';

let cached: QuantityContext | null = null;

export function buildContext(): QuantityContext {
  if (cached) return cached;
  const path = fileURLToPath(new URL('../../public/models/sort-nano.safetensors', import.meta.url));
  const { config, params } = loadWeights(readFileSync(path));
  const encoded = encode(DEFAULT_INPUT);
  if ('error' in encoded) throw new Error(encoded.error);
  const model = {
    nextProbs: (ids: number[]) => forwardReference(config, params, ids).tensors['probs']!.data.slice((ids.length - 1) * config.vocab_size),
  };
  cached = {
    config,
    input: DEFAULT_INPUT,
    trace: forwardReference(config, params, encoded.ids),
    output: generate(model, encoded.ids, SORT_LENGTH),
  };
  return cached;
}

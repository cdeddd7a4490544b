/**
 * The size figures of the scale chapter, derived from the model configurations (src/scene/models.ts)
 * and shared by its director (callouts, descriptions) and the prose quantities, so both always
 * quote the same numbers.
 */
import { countParams, flopsPerToken, modelSpec } from '../../scene/models.ts';
import type { ModelId } from '../../scene/types.ts';
import { grouped } from '../../scene/numbers.ts';

/** Learned numbers of the model. */
export function modelParams(id: ModelId): number {
  return countParams(modelSpec(id));
}

/** Multiply-adds to produce one new token with the model's context window full. */
export function modelWork(id: ModelId): number {
  const spec = modelSpec(id);
  return flopsPerToken(spec, spec.config.block_size);
}

/** Multiply-adds of one transformer layer for one new token with the context full (see flopsPerToken). */
export function layerWork(id: ModelId): number {
  const { n_embd: C, block_size: T } = modelSpec(id).config;
  return 12 * C * C + 2 * T * C;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', compactDisplay: 'long', maximumSignificantDigits: 3 });

/** A count in full ("124,439,808"), or in words with fmt "short" ("124 million"). */
export function bigCount(n: number, fmt?: string): string {
  return fmt === 'short' ? compact.format(n) : grouped(Math.round(n));
}

/** Weights of one transformer layer: q, k, v, projection and the two MLP matrices with biases, two layer norms. */
export function layerWeights(id: ModelId): number {
  const C = modelSpec(id).config.n_embd;
  return 12 * C * C + 13 * C;
}

/** How many of `id`'s layers hold as many weights as the whole of `other` (a fraction). */
export function layersHolding(id: ModelId, other: ModelId): number {
  return modelParams(other) / layerWeights(id);
}

/** Rows of `id`'s channel width needed to hold the whole of `other`'s weights. */
export function rowsHolding(id: ModelId, other: ModelId): number {
  return Math.ceil(modelParams(other) / modelSpec(id).config.n_embd);
}

/**
 * The training run's settings from the page address: `?seed=` (the initialisation and the data
 * stream) and `?iters=` (how long the run is). A bad value gets a notice and the default.
 */
import { DEFAULT_ITERS, DEFAULT_SEED } from '../../gpt/train-protocol.ts';
import { grouped } from '../../scene/numbers.ts';

export const MAX_ITERS = 10_000;

export interface TrainingSettings {
  seed: number;
  iters: number;
  notices: string[];
}

function intParam(params: URLSearchParams, name: string, min: number, max: number, fallback: number, notices: string[]): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const text = raw.trim();
  const value = Number(text);
  if (/^\d+$/.test(text) && Number.isSafeInteger(value) && value >= min && value <= max) return value;
  notices.push(`The ${name} "${raw.slice(0, 20)}" in the address is not a whole number from ${min} to ${grouped(max)}, so the training chapter uses ${fallback}.`);
  return fallback;
}

export function trainingFromSearch(search: string): TrainingSettings {
  const params = new URLSearchParams(search);
  const notices: string[] = [];
  const seed = intParam(params, 'seed', 0, 0xffffffff, DEFAULT_SEED, notices);
  const iters = intParam(params, 'iters', 1, MAX_ITERS, DEFAULT_ITERS, notices);
  return { seed, iters, notices };
}

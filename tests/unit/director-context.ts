/**
 * The DirectorContext the director tests share: the default input CBABBC run through the WASM
 * engine, its greedy generation (one trace per pass), the shipped weights, a short training run
 * (training-view.ts) and a desktop-sized stage (700 x 800 CSS px).
 */
import { NANO, SORT_LENGTH } from '../../src/gpt/config.ts';
import { layoutModel } from '../../src/scene/layout.ts';
import type { ModelId, ModelLayout } from '../../src/scene/types.ts';
import type { DirectorContext } from '../../src/story/director.ts';
import { readWeights, wasmEngine } from '../../scripts/lib/engine.ts';
import { trainingView } from './training-view.ts';

export const INPUT = 'CBABBC';

export async function directorContext(): Promise<DirectorContext> {
  const engine = await wasmEngine();
  const ids = [2, 1, 0, 1, 1, 2];
  const trace = engine.forward(ids);
  const seq = [...ids];
  const traces = [];
  for (let k = 0; k < SORT_LENGTH; k++) {
    const t = engine.forward(seq);
    traces.push(t);
    const p = t.tensors['probs']!.data.subarray((seq.length - 1) * 3);
    seq.push(p.indexOf(Math.max(...p)));
  }
  const cache = new Map<string, ModelLayout>();
  const layoutOf = (m: ModelId, T: number) => {
    const key = `${m}:${T}`;
    if (!cache.has(key)) cache.set(key, layoutModel(m, T));
    return cache.get(key)!;
  };
  return {
    config: NANO,
    layout: layoutOf('nano', 6),
    layoutOf,
    trace,
    generation: { tokens: seq.slice(6), traces },
    params: readWeights().params,
    choices: { input: INPUT, temperature: 0, seed: 1 },
    viewport: { width: 700, height: 800 },
    training: await trainingView(ids),
  };
}

/**
 * The worker's ablate request (host.ts): parts switched off by name give the accuracy over all 729
 * inputs that `npm run analyze` found (docs/analysis.json), the reader's answer and trace come
 * from the ablated model, and the parts are back on for the next request.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ablationMeans, parseAblation } from '../../src/gpt/ablation.ts';
import { GPTClient, type WorkerLike } from '../../src/gpt/client.ts';
import { EngineHost } from '../../src/gpt/host.ts';
import type { Request, Response } from '../../src/gpt/protocol.ts';
import { forwardReference } from '../../src/gpt/reference.ts';
import { generate } from '../../src/gpt/sort.ts';
import type { Analysis } from '../../src/gpt/analysis.ts';
import { ANALYSIS_PATH } from '../../scripts/analyze.ts';
import { WASM_PATH, WEIGHTS_PATH, readWeights, wasmEngine } from '../../scripts/lib/engine.ts';

const analysis = JSON.parse(readFileSync(ANALYSIS_PATH, 'utf8')) as Analysis;
const files: Record<string, Uint8Array> = { '/gpt.wasm': readFileSync(WASM_PATH), '/w.safetensors': readFileSync(WEIGHTS_PATH) };

/** A client wired to a host in this process; messages are cloned (and buffers transferred) as postMessage does. */
function connect(forceEngine?: 'ts'): GPTClient {
  let queue = Promise.resolve();
  const worker: WorkerLike = {
    onmessage: null,
    postMessage(message: Request) {
      const copy = structuredClone(message);
      queue = queue.then(() => host.handle(copy));
    },
  };
  const host = new EngineHost(
    async (url) => Uint8Array.from(files[url]!).buffer,
    (response: Response, transfer: ArrayBuffer[]) => {
      const delivered = structuredClone(response, { transfer });
      setTimeout(() => worker.onmessage?.({ data: delivered } as MessageEvent<Response>), 0);
    },
  );
  return new GPTClient(worker, { wasmUrl: '/gpt.wasm', weightsUrl: '/w.safetensors', forceEngine });
}

const INPUT = [2, 1, 0, 1, 1, 2]; // CBABBC

describe('worker: ablate', () => {
  it('switching parts off gives the analysis accuracy, and the reader answer of the ablated model', async () => {
    const client = connect();
    await client.ready;
    const none = await client.ablate([], INPUT);
    expect(none.correct).toBe(729);
    expect(none.output).toEqual([0, 1, 1, 1, 2, 2]);
    for (const part of ['h.0.attn.head0', 'h.0.attn', 'h.1.mlp']) {
      const want = analysis.ablations.find((r) => r.part === part)!;
      const got = await client.ablate([part], INPUT);
      expect(got.parts).toEqual([part]);
      expect(got.correct, part).toBe(want.correct);
      expect(got.slots, part).toEqual(want.slots);
      expect(got.total).toBe(729);
    }
    // The answer and the trace are the ablated model's, as the engine computes them directly.
    const wasm = await wasmEngine();
    const ablation = parseAblation('h.0.attn', wasm.config);
    if ('error' in ablation) throw new Error(ablation.error);
    const means = ablationMeans((ids) => wasm.forward(ids), wasm.config);
    wasm.setAblation({ ablation, means });
    const output = generate(wasm, INPUT, 6);
    const direct = wasm.forward([...INPUT, ...output.slice(0, 5)]);
    wasm.setAblation(null);
    const got = await client.ablate(['h.0.attn.head0', 'h.0.attn.head1', 'h.0.attn.head2'], INPUT);
    expect(got.parts).toEqual(['h.0.attn']);
    expect(got.output).toEqual(output);
    expect(got.trace.ids).toEqual([...INPUT, ...output.slice(0, 5)]);
    expect(Array.from(got.trace.tensors['probs']!.data)).toEqual(Array.from(direct.tensors['probs']!.data));
    // Switched back on afterwards: a plain run is the whole model's.
    const after = await client.run(INPUT);
    expect(Array.from(after.tensors['probs']!.data)).toEqual(Array.from((await wasmEngine()).forward(INPUT).tensors['probs']!.data));
  }, 60_000);

  it('answers well under a second once the means are in', async () => {
    const client = connect();
    await client.ready;
    await client.ablate([], INPUT); // the first request also computes the means
    const got = await client.ablate(['h.0.attn.head1'], INPUT);
    expect(got.correct).toBe(analysis.ablations.find((r) => r.part === 'h.0.attn.head1')!.correct);
    expect(got.ms).toBeLessThan(1000);
  }, 60_000);

  it('rejects an unknown part or a wrong input with a message naming it', async () => {
    const client = connect();
    await client.ready;
    await expect(client.ablate(['h.3.mlp'], INPUT)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('"h.3.mlp"') });
    await expect(client.ablate([], [0, 1])).rejects.toMatchObject({ code: 'bad-input' });
  }, 60_000);

  it('the TypeScript fallback engine ablates too, and agrees on the answer', async () => {
    const client = connect('ts');
    const ready = await client.ready;
    expect(ready.engine).toBe('ts');
    const { params } = readWeights();
    const ablation = parseAblation('h.0.attn.head0', ready.config);
    if ('error' in ablation) throw new Error(ablation.error);
    const got = await client.ablate(['h.0.attn.head0'], INPUT);
    const means = ablationMeans((ids) => forwardReference(ready.config, params, ids), ready.config);
    const ref = forwardReference(ready.config, params, got.trace.ids, { ablation, means });
    const probs = got.trace.tensors['probs']!.data;
    ref.tensors['probs']!.data.forEach((p, i) => expect(Math.abs(p - probs[i]!)).toBeLessThan(1e-6));
    expect(got.correct).toBe(analysis.ablations.find((r) => r.part === 'h.0.attn.head0')!.correct);
  }, 300_000);
});

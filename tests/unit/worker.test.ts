/**
 * The worker protocol end to end in Node: GPTClient talking to EngineHost through an in-process
 * channel that delivers messages asynchronously and transfers buffers with structuredClone, as
 * postMessage does between a page and a worker.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GPTClient, GPTError } from '../../src/gpt/client.ts';
import { forwardReference } from '../../src/gpt/reference.ts';
import { WASM_PATH, WEIGHTS_PATH, readWeights, wasmEngine } from '../../scripts/lib/engine.ts';
import { channel, type Files } from './worker-channel.ts';

const goodFiles = (): Files => ({ '/gpt.wasm': readFileSync(WASM_PATH), '/w.safetensors': readFileSync(WEIGHTS_PATH) });
const urls = { wasmUrl: '/gpt.wasm', weightsUrl: '/w.safetensors' };

describe('GPTClient + EngineHost', () => {
  it('loads once and runs a forward pass whose trace equals the WASM engine, with transferred buffers', async () => {
    const { worker, sent, transferred } = channel(goodFiles());
    const client = new GPTClient(worker, urls);
    const ready = await client.ready;
    expect(ready.engine).toBe('wasm');
    expect(ready.config.n_embd).toBe(48);
    expect(Array.from(ready.params)).toEqual(Array.from(readWeights().params)); // the blue cells, loaded once
    const ids = [2, 1, 0, 1, 1, 2];
    const trace = await client.run(ids);
    const expected = (await wasmEngine()).forward(ids);
    expect(Object.keys(trace.tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const name of Object.keys(expected.tensors)) expect(Array.from(trace.tensors[name]!.data), name).toEqual(Array.from(expected.tensors[name]!.data));
    expect(transferred.length).toBe(1);
    expect(transferred[0]!.byteLength).toBe(0); // detached on the sending side: moved, not copied
    await client.run([0]);
    expect(sent.filter((m) => m.type === 'init')).toHaveLength(1);
  });

  it('generates the sorted letters greedily, with one trace per step and T growing from 6 to 11', async () => {
    const client = new GPTClient(channel(goodFiles()).worker, urls);
    const out = await client.generate([2, 1, 0, 1, 1, 2]);
    expect(out.tokens).toEqual([0, 1, 1, 1, 2, 2]);
    expect(out.traces.map((t) => t.ids.length)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(out.traces[5]!.ids).toEqual([2, 1, 0, 1, 1, 2, 0, 1, 1, 1, 2]);
  });

  it('samples with a temperature: the same seed repeats, and the tokens are valid', async () => {
    const client = new GPTClient(channel(goodFiles()).worker, urls);
    const a = await client.generate([0, 1, 2, 2, 1, 0], { temperature: 3, seed: 7 });
    const b = await client.generate([0, 1, 2, 2, 1, 0], { temperature: 3, seed: 7 });
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens.every((t) => t >= 0 && t < 3)).toBe(true);
    const seeds = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => client.generate([0, 1, 2, 2, 1, 0], { temperature: 5, seed }).catch(() => null)));
    expect(seeds.filter(Boolean).length).toBeGreaterThan(0);
  });

  it('lets the newest request replace a queued one: the queued promise rejects as superseded', async () => {
    const { worker, sent } = channel(goodFiles());
    const client = new GPTClient(worker, urls);
    await client.ready;
    const first = client.run([0]);
    const second = client.run([1]);
    const third = client.run([2]);
    await expect(second).rejects.toMatchObject({ code: 'superseded' });
    expect((await first).ids).toEqual([0]);
    expect((await third).ids).toEqual([2]);
    expect(sent.filter((m) => m.type === 'run').map((m) => (m as { ids: number[] }).ids)).toEqual([[0], [2]]);
  });

  it('falls back to the TypeScript reference when WebAssembly cannot be instantiated, and says so', async () => {
    const files = goodFiles();
    files['/gpt.wasm'] = new TextEncoder().encode('<html>not wasm</html>');
    const client = new GPTClient(channel(files).worker, urls);
    const ready = await client.ready;
    expect(ready.engine).toBe('ts');
    expect(ready.fallbackReason).toMatch(/WebAssembly engine unavailable/);
    const trace = await client.run([2, 1, 0]);
    const ref = forwardReference(ready.config, readWeights().params, [2, 1, 0]);
    expect(Array.from(trace.tensors['logits']!.data)).toEqual(Array.from(ref.tensors['logits']!.data));
    expect((await client.generate([2, 1, 0, 1, 1, 2])).tokens).toEqual([0, 1, 1, 1, 2, 2]);
  });

  it('reports a corrupt weights file as a typed error, and later requests fail with it', async () => {
    const files = goodFiles();
    files['/w.safetensors'] = files['/w.safetensors']!.subarray(0, 5000);
    const client = new GPTClient(channel(files).worker, urls);
    await expect(client.ready).rejects.toMatchObject({ code: 'weights', message: expect.stringMatching(/truncated|bounds/) });
    await expect(client.run([0])).rejects.toBeInstanceOf(GPTError);
  });

  it('rejects bad input with a typed error and keeps working', async () => {
    const client = new GPTClient(channel(goodFiles()).worker, urls);
    await expect(client.run([0, 7])).rejects.toMatchObject({ code: 'bad-input' });
    await expect(client.run(new Array(12).fill(0))).rejects.toMatchObject({ code: 'bad-input' });
    await expect(client.generate([0, 1, 2, 0, 1, 2], { steps: 7 })).rejects.toMatchObject({ code: 'bad-input' });
    expect((await client.run([1, 1])).ids).toEqual([1, 1]);
  });

  it('rejects everything pending when the worker itself fails', async () => {
    const { worker } = channel(goodFiles());
    const client = new GPTClient(worker, urls);
    await client.ready;
    const pending = client.run([0, 1]);
    worker.onerror?.({ message: 'boom', preventDefault() {} } as ErrorEvent);
    await expect(pending).rejects.toMatchObject({ code: 'worker', message: expect.stringMatching(/boom/) });
    await expect(client.run([0])).rejects.toMatchObject({ code: 'worker' });
  });
});

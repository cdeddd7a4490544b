/// <reference lib="webworker" />
/**
 * The training chapter's Web Worker: compiles the same gpt.wasm as the inference worker and hands
 * the chapter's requests to TrainHost (see train-protocol.ts for the messages). Without
 * WebAssembly it answers every request with the reason there is no training.
 */
import { NANO } from './config.ts';
import { TrainHost } from './train-host.ts';
import type { TrainControl, TrainResponse } from './train-protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const reply = (response: TrainResponse, transfer: ArrayBuffer[]) => self.postMessage(response, transfer);

const host: Promise<TrainHost> = (async () => {
  try {
    const res = await fetch(new URL('./build/gpt.wasm', import.meta.url));
    if (!res.ok) throw new Error(`gpt.wasm answered ${res.status}`);
    return new TrainHost(await WebAssembly.compile(await res.arrayBuffer()), NANO, reply);
  } catch {
    return new TrainHost(null, null, reply);
  }
})();

// Requests are handled one after another; a run's chunks go on between them (see TrainHost).
let queue: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<TrainControl>) => {
  queue = queue.then(async () => (await host).handle(event.data));
};

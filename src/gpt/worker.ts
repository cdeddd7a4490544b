/// <reference lib="webworker" />
/**
 * The engine's Web Worker: a thin shell around EngineHost. The page talks to it through
 * client.ts; see protocol.ts for the messages.
 */
import { EngineHost } from './host.ts';
import type { Request } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const host = new EngineHost(
  async (url) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url} answered ${res.status} ${res.statusText}`);
    return res.arrayBuffer();
  },
  (response, transfer) => self.postMessage(response, transfer),
);

// Requests are handled strictly one after another: init must finish before the first run.
let queue: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<Request>) => {
  queue = queue.then(() => host.handle(event.data));
};

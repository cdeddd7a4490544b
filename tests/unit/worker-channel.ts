/**
 * An in-process stand-in for the engine worker: GPTClient talks to EngineHost through a channel
 * that delivers messages asynchronously and transfers buffers with structuredClone, as postMessage
 * does between a page and a worker.
 */
import type { WorkerLike } from '../../src/gpt/client.ts';
import { EngineHost } from '../../src/gpt/host.ts';
import type { Request, Response } from '../../src/gpt/protocol.ts';

export type Files = Record<string, Uint8Array>;

export function channel(files: Files): { worker: WorkerLike; sent: Request[]; transferred: ArrayBuffer[] } {
  const sent: Request[] = [];
  const transferred: ArrayBuffer[] = [];
  let queue = Promise.resolve();
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage(message: Request) {
      sent.push(message);
      const copy = structuredClone(message);
      queue = queue.then(() => new Promise((r) => setTimeout(r, 1))).then(() => host.handle(copy));
    },
  };
  const host = new EngineHost(
    async (url) => {
      const bytes = files[url];
      if (!bytes) throw new Error(`${url} answered 404`);
      return Uint8Array.from(bytes).buffer; // a copy: Buffer.slice() would be a view into a pool
    },
    (response: Response, transfer: ArrayBuffer[]) => {
      transferred.push(...transfer);
      const delivered = structuredClone(response, { transfer });
      setTimeout(() => worker.onmessage?.({ data: delivered } as MessageEvent<Response>), 1);
    },
  );
  return { worker, sent, transferred };
}


/**
 * The page's end of the render channel (render-client.ts), over a stand-in worker: a frame's
 * message and new values leave in a task after the page's frame, values before the frame that
 * shows them; values set twice before that task go once, with the newest weights.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { layoutModel } from '../../src/scene/layout.ts';
import { homeCamera } from '../../src/scene/camera.ts';
import type { PageMessage } from '../../src/scene/render-protocol.ts';
import type { Trace } from '../../src/gpt/trace.ts';

vi.mock('../../src/scene/render-worker.ts?worker&url', () => ({ default: 'render-worker.js' }));
const { RenderClient } = await import('../../src/scene/render-client.ts');

let posted: PageMessage[] = [];
class StandInWorker {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: unknown = null;
  postMessage(m: PageMessage): void {
    posted.push(m);
  }
  terminate(): void {}
}

let saved: unknown;
beforeEach(() => {
  posted = [];
  saved = (globalThis as { Worker?: unknown }).Worker;
  (globalThis as { Worker?: unknown }).Worker = StandInWorker;
});
afterEach(() => {
  (globalThis as { Worker?: unknown }).Worker = saved;
});

/** A client whose worker has said it can draw. */
function client() {
  let worker: StandInWorker | null = null;
  const W = (globalThis as unknown as { Worker: typeof StandInWorker }).Worker;
  (globalThis as { Worker?: unknown }).Worker = class extends W {
    constructor() {
      super();
      worker = this as StandInWorker;
    }
  };
  const canvas = { transferControlToOffscreen: () => ({}) } as unknown as HTMLCanvasElement;
  const c = new RenderClient(canvas, { unavailable: () => undefined });
  worker!.onmessage!({ data: { type: 'hello', webgl2: true } });
  posted = [];
  return c;
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
const nano = layoutModel('nano', 6);
const trace = (tag: number) => ({ ids: [0, 1, 2, 0, 1, 2], tensors: {}, tag }) as unknown as Trace;
const frameState = { camera: homeCamera(nano, 800, 600), blocks: {}, highlights: [], callouts: [] };

describe('RenderClient', () => {
  it('sends new values and the frame in a task after the frame, values first', async () => {
    const c = client();
    const params = new Float32Array([1, 2, 3]);
    c.setValues(nano, trace(1), params);
    c.draw(nano, frameState, 800, 600);
    c.commit();
    // In the page's frame only the layout went (once, ahead of anything that names it).
    expect(posted.map((m) => m.type)).toEqual(['layout']);
    await nextTask();
    expect(posted.map((m) => m.type)).toEqual(['layout', 'values', 'frame']);
    const values = posted[1] as Extract<PageMessage, { type: 'values' }>;
    expect(values.params).toBe(params);
    expect(c.handoffTimes.length).toBe(2);
  });

  it('values set twice before the hand-off go once: the last trace, with the weights set first', async () => {
    const c = client();
    const params = new Float32Array([4, 5]);
    const second = trace(2);
    c.setValues(nano, trace(1), params);
    c.setValues(nano, second, params);
    await nextTask();
    const values = posted.filter((m): m is Extract<PageMessage, { type: 'values' }> => m.type === 'values');
    expect(values.length).toBe(1);
    expect((values[0]!.trace as unknown as { tag: number }).tag).toBe(2);
    expect(values[0]!.params).toBe(params);
    // The same values again send nothing.
    c.setValues(nano, second, params);
    await nextTask();
    expect(posted.filter((m) => m.type === 'values').length).toBe(1);
  });
});

/**
 * The page's end of the render channel (render-client.ts), over a stand-in worker: a frame's
 * message and new values leave in a task after the page's frame, values before the frame that
 * shows them; values set twice before that task go once, with the newest weights. A frame carries
 * its overlay's parts only when they changed; the labels and arrows the host placed for a frame
 * reach the page before anyone waiting for that frame, and those of a frame given up are not
 * shown but placed afresh with the next.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { layoutModel } from '../../src/scene/layout.ts';
import { homeCamera } from '../../src/scene/camera.ts';
import type { HostMessage, PageMessage } from '../../src/scene/render-protocol.ts';
import type { RenderClientEvents } from '../../src/scene/render-client.ts';
import type { OverlayFrame } from '../../src/scene/overlay.ts';
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

/** A client whose worker has said it can draw; `events` as given, and the worker, to answer. */
function client(events: Partial<RenderClientEvents> = {}) {
  return clientAndWorker(events).c;
}

function clientAndWorker(events: Partial<RenderClientEvents> = {}) {
  let worker: StandInWorker | null = null;
  const W = (globalThis as unknown as { Worker: typeof StandInWorker }).Worker;
  (globalThis as { Worker?: unknown }).Worker = class extends W {
    constructor() {
      super();
      worker = this as StandInWorker;
    }
  };
  const canvas = { transferControlToOffscreen: () => ({}) } as unknown as HTMLCanvasElement;
  const c = new RenderClient(canvas, { unavailable: () => undefined, ...events });
  const w = worker!;
  w.onmessage!({ data: { type: 'hello', webgl2: true } });
  posted = [];
  return { c, answer: (m: HostMessage) => w.onmessage!({ data: m }) };
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

  it("sends a frame's callouts, arrows and letters only when they changed, with the stage's CSS size", async () => {
    const { c, answer } = clientAndWorker();
    const callouts = [{ block: 'embed', row: 0, col: 0, text: '0.5' }];
    const links = [{ from: { block: 'embed' }, to: { callout: 0 } }];
    const frames = () => posted.filter((m): m is Extract<PageMessage, { type: 'frame' }> => m.type === 'frame');
    c.setValues(nano, trace(1), null);
    const drawn = (seq: number): HostMessage => ({ type: 'drawn', seq, resources: { textures: 0, buffers: 0, programs: 0, vertexArrays: 0 }, drawCalls: 0 });
    c.draw(nano, { ...frameState, callouts, links }, 800, 600, 'CBABBC');
    c.commit();
    await nextTask();
    expect(frames()[0]).toMatchObject({ css: [800, 600], callouts, links, tokens: 'CBABBC' });
    answer(drawn(frames()[0]!.seq));
    // The same objects again: left out, the host keeps its own.
    c.draw(nano, { ...frameState, callouts, links }, 800, 600, 'CBABBC');
    c.commit();
    await nextTask();
    const second = frames()[1]!;
    expect('callouts' in second || 'links' in second || 'tokens' in second).toBe(false);
    answer(drawn(second.seq));
    // No arrows any more, other letters: said.
    c.draw(nano, { ...frameState, callouts }, 800, 600, 'AAABBB');
    c.commit();
    await nextTask();
    expect(frames()[2]).toMatchObject({ links: null, tokens: 'AAABBB' });
    expect('callouts' in frames()[2]!).toBe(false);
  });

  it("hands a drawn frame's labels and arrows to the page before anyone waiting for the frame hears it is drawn", async () => {
    const order: string[] = [];
    const placed: OverlayFrame = { texts: ['Layer norm'], classes: ['scene-label level-2'], boxes: [0, 0, 80, 16], arrows: [] };
    const { c, answer } = clientAndWorker({ overlay: (f) => order.push(`overlay ${f.texts[0]}`) });
    c.setValues(nano, trace(1), null);
    c.draw(nano, frameState, 800, 600);
    c.commit();
    c.whenDrawn((ok) => order.push(`drawn ${ok}`));
    await nextTask();
    const frame = posted.find((m): m is Extract<PageMessage, { type: 'frame' }> => m.type === 'frame')!;
    answer({ type: 'drawn', seq: frame.seq, resources: { textures: 0, buffers: 0, programs: 0, vertexArrays: 0 }, drawCalls: 1, overlay: placed });
    expect(order).toEqual(['overlay Layer norm', 'drawn true']);
  });

  it('asks for a fresh overlay after dropping the labels of a frame it gave up', async () => {
    const seen: OverlayFrame[] = [];
    const { c, answer } = clientAndWorker({ overlay: (f) => seen.push(f) });
    const placed: OverlayFrame = { texts: ['x'], classes: ['scene-label'], boxes: [0, 0, 8, 16], arrows: [] };
    const none = { textures: 0, buffers: 0, programs: 0, vertexArrays: 0 };
    c.setValues(nano, trace(1), null);
    c.draw(nano, frameState, 800, 600);
    c.commit();
    await nextTask();
    const first = posted.find((m): m is Extract<PageMessage, { type: 'frame' }> => m.type === 'frame')!;
    // The context is lost with that frame in flight; its answer comes afterwards.
    answer({ type: 'lost' });
    answer({ type: 'restored', resources: none });
    answer({ type: 'drawn', seq: first.seq, resources: none, drawCalls: 0, overlay: placed });
    expect(seen).toEqual([]);
    c.draw(nano, frameState, 800, 600);
    c.commit();
    await nextTask();
    const next = posted.filter((m): m is Extract<PageMessage, { type: 'frame' }> => m.type === 'frame').at(-1)!;
    expect(next.seq).toBeGreaterThan(first.seq);
    expect(next.fresh).toBe(true);
  });
});

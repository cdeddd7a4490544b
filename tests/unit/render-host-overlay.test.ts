/**
 * The render host's overlay, over a stand-in renderer: once told the labels' font, it answers each
 * frame with the labels and arrows it placed; a frame that leaves out the callouts, arrows and
 * letters keeps the ones it holds (the same objects, so nothing is placed again from the same
 * camera); `links: null` takes the arrows away; `fresh` places again; and a placement that throws
 * leaves the drawing going, with the labels placed again by the next frame.
 */
import { describe, expect, it, vi } from 'vitest';
import { layoutModel } from '../../src/scene/layout.ts';
import { cameraMatrices, fitCamera, sceneRadius } from '../../src/scene/camera.ts';
import type { HostMessage, PageMessage } from '../../src/scene/render-protocol.ts';

vi.mock('../../src/scene/renderer.ts', () => ({
  WebGLUnavailableError: class extends Error {},
  SceneRenderer: class {
    drawCalls = 0;
    resize(): void {}
    setValues(): void {}
    rehearse(): void {}
    simulateContextLoss(): void {}
    resources() {
      return { textures: 0, buffers: 0, programs: 0, vertexArrays: 0 };
    }
    draw(): void {
      this.drawCalls++;
    }
  },
}));
const { renderHost } = await import('../../src/scene/render-host.ts');
const { LabelLayer } = await import('../../src/scene/labels.ts');

const nano = layoutModel('nano', 6);
const [W, H] = [700, 800];
const m = cameraMatrices(fitCamera(nano, W, H), W, H, sceneRadius(nano));
const matrices = { view: m.view, viewProjection: m.viewProjection, origin: m.origin, eye: m.eye, pixelAngle: m.pixelAngle };
const fc = nano.blocks.find((b) => b.id === 'h.0.mlp.c_fc.weight')!;

function host() {
  const said: HostMessage[] = [];
  const take = renderHost((msg) => said.push(msg));
  take({ type: 'init', canvas: {} as OffscreenCanvas });
  take({ type: 'overlay', family: 'sans-serif' });
  take({ type: 'layout', id: 1, layout: nano, flows: [] });
  let seq = 0;
  const frame = (extra: Partial<Extract<PageMessage, { type: 'frame' }>> = {}) => {
    take({ type: 'frame', seq: ++seq, layout: 1, matrices, pixels: [W, H], css: [W, H], ...extra });
    const answer = said.at(-1)!;
    if (answer.type !== 'drawn') throw new Error(`answered ${answer.type}`);
    return answer.overlay ?? null;
  };
  return { said, frame };
}

describe('the render host places the overlay', () => {
  it('answers each frame with its labels and arrows, and keeps what a frame leaves out', () => {
    const { frame } = host();
    const callouts = [{ block: fc.id, row: 0, col: 0, text: 'dot product 0.9354' }];
    const links = [{ from: { block: fc.id, rows: [0, 1] as [number, number] }, to: { callout: 0 } }];
    const first = frame({ blocks: { set: {}, drop: [] }, highlights: [], callouts, links, tokens: 'CBABBC' })!;
    expect(first.texts).toContain('dot product 0.9354');
    expect(first.arrows.length).toBe(3);
    // The same camera, nothing sent but the matrices: the host's own objects, nothing placed.
    expect(frame()).toBeNull();
    // Asked afresh: the same labels again.
    expect(frame({ fresh: true })).toEqual(first);
    // The arrows taken away, the letters changed: placed again, without the arrow.
    const next = frame({ links: null, tokens: 'AAABBB' })!;
    expect(next.arrows).toEqual([]);
    expect(next.texts).toContain('dot product 0.9354');
    expect(frame()).toBeNull();
  });

  it('keeps drawing when a placement fails, and places the labels again with the next frame', () => {
    const { said, frame } = host();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(LabelLayer.prototype, 'update').mockImplementationOnce(() => {
      throw new Error('a placement that fails');
    });
    const callouts = [{ block: fc.id, row: 0, col: 0, text: '0.5' }];
    expect(frame({ blocks: { set: {}, drop: [] }, highlights: [], callouts, tokens: null })).toBeNull();
    expect(said.some((s) => s.type === 'failed')).toBe(false);
    expect(spy).toHaveBeenCalledOnce();
    // The same inputs: placed by the next frame (a new planner), not taken for shown.
    expect(frame()?.texts).toContain('0.5');
    spy.mockRestore();
  });
});

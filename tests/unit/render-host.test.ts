/**
 * The render channel (render-host.ts). Block styles: a frame sends only the styles that changed,
 * and the worker's copy after the patch equals the page's, as a new object (the renderer's caches
 * key on identity) whose unchanged styles are the ones it held. A host that cannot draw says why,
 * once.
 */
import { describe, expect, it } from 'vitest';
import { renderHost } from '../../src/scene/render-host.ts';
import { patched, stylePatch, type HostMessage } from '../../src/scene/render-protocol.ts';
import type { SceneState } from '../../src/scene/types.ts';

type Styles = SceneState['blocks'];

describe('style patches', () => {
  const before: Styles = {
    a: { opacity: 0.3 },
    b: { offset: [1, 2, 3] },
    c: { reveal: { cols: 2, rows: 1 } },
  };

  it('carries only what changed: new values, new blocks, and blocks no longer styled', () => {
    // A director builds every frame afresh: equal styles arrive as new objects.
    const after: Styles = { a: { opacity: 0.3 }, b: { offset: [1, 2, 4] }, d: { opacity: 0 } };
    const patch = stylePatch(before, after);
    expect(patch).toEqual({ set: { b: { offset: [1, 2, 4] }, d: { opacity: 0 } }, drop: ['c'] });
    const held = patched(before, patch);
    expect(held).toEqual(after);
    expect(held).not.toBe(before);
    // What the worker already held stays the same object.
    expect(held['a']).toBe(before['a']);
  });

  it('sends nothing for an equal frame, and the first frame whole', () => {
    expect(stylePatch(before, structuredClone(before))).toEqual({ set: {}, drop: [] });
    expect(patched({}, stylePatch({}, before))).toEqual(before);
  });

  it('a run of frames leaves the worker with the last one', () => {
    const frames: Styles[] = [{}, { a: { opacity: 0.5 } }, { a: { opacity: 0.5 }, b: { offset: [0, 1, 0] } }, { b: { offset: [0, 2, 0] } }, {}];
    let page: Styles = {};
    let worker: Styles = {};
    for (const f of frames) {
      worker = patched(worker, stylePatch(page, f));
      page = f;
      expect(worker).toEqual(f);
    }
  });
});

describe('a host that cannot draw', () => {
  const canvas = (getContext: () => unknown) => ({ getContext, addEventListener: () => undefined }) as unknown as OffscreenCanvas;

  it('says unavailable without WebGL2, failed when the renderer cannot be built, and takes nothing more', () => {
    const said: HostMessage[] = [];
    const none = renderHost((m) => said.push(m));
    none({ type: 'init', canvas: canvas(() => null) });
    expect(said).toEqual([{ type: 'unavailable', message: expect.stringMatching(/WebGL2 is not available/) }]);

    const broken = renderHost((m) => said.push(m));
    broken({ type: 'init', canvas: canvas(() => {
      throw new Error('no context for you');
    }) });
    expect(said[1]).toEqual({ type: 'failed', message: 'no context for you' });
    // Later messages are dropped, not answered or thrown.
    broken({ type: 'lose', lose: true });
    none({ type: 'rehearse', layout: 1, blocks: {}, highlights: [] });
    expect(said).toHaveLength(2);
  });
});

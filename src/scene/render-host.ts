/**
 * The drawing end of the render channel. A page hands its canvas to the render worker
 * (render-worker.ts), which runs this host, and talks to it through RenderClient
 * (render-client.ts): a frame's script on the page is then the director, the labels and the
 * arrows, while the instance lists and the GL calls run beside it on the worker's thread. Where a
 * canvas cannot be handed to a worker, the page runs this same host on its own thread.
 *
 * Messages to the host (PageMessage), taken in order:
 *   init      the canvas (an OffscreenCanvas in the worker)
 *   layout    a ModelLayout and its data-flow arrows under a number, sent once; later messages
 *             name it by that number
 *   values    a trace and the weights for a layout (`params` left out: the ones sent last)
 *   frame     the camera's matrices (the page computes them for its labels anyway), the drawing
 *             buffer's size, the block styles that changed since the last frame (a StylePatch:
 *             a director restyles a hundred blocks in every frame, most of them as before), and
 *             the highlights when they changed (left out: the same); answered with `drawn`
 *   rehearse  a frame's script work without drawing (SceneView.rehearse); answered with `rehearsed`
 *   lose      for the tests of recovery: lose (true) or restore (false) the context
 * Messages back (HostMessage): unavailable (no WebGL2), drawn (with the GPU objects held and the
 * draw calls so far), rehearsed, lost, restored, failed (an error while drawing: the page shows
 * it instead of the picture).
 */
import type { Trace } from '../gpt/trace.ts';
import { SceneRenderer, WebGLUnavailableError, type FrameMatrices, type ResourceCounts } from './renderer.ts';
import { sameData } from './same.ts';
import type { BlockStyle, Highlight, ModelLayout, SceneState, SpineSegment } from './types.ts';

/** The block styles that changed between two frames: new or different ones, and the blocks left unstyled. */
export interface StylePatch {
  set: Record<string, BlockStyle>;
  drop: string[];
}

export type PageMessage =
  | { type: 'init'; canvas: OffscreenCanvas | HTMLCanvasElement }
  | { type: 'layout'; id: number; layout: ModelLayout; flows: SpineSegment[] }
  | { type: 'values'; layout: number; trace: Trace | null; params?: Float32Array | null }
  | { type: 'frame'; seq: number; layout: number; matrices: FrameMatrices; pixels: [number, number]; blocks?: StylePatch; highlights?: Highlight[]; dim?: number }
  | { type: 'rehearse'; layout: number; blocks: SceneState['blocks']; highlights: Highlight[]; dim?: number }
  | { type: 'lose'; lose: boolean };

export type HostMessage =
  | { type: 'unavailable'; message: string }
  | { type: 'drawn'; seq: number; resources: ResourceCounts; drawCalls: number }
  | { type: 'rehearsed' }
  | { type: 'lost' }
  | { type: 'restored'; resources: ResourceCounts }
  | { type: 'failed'; message: string };

/** Where the worker's file, imported as a module on a page, leaves renderHost (render-worker.ts). */
export const MAIN_THREAD_HOST = 'gptRenderHost';

const NO_CALLOUTS: SceneState['callouts'] = [];

/** A host that answers through `post`; returns the function that takes the page's messages. */
export function renderHost(post: (m: HostMessage) => void): (m: PageMessage) => void {
  let renderer: SceneRenderer | null = null;
  const layouts = new Map<number, ModelLayout>();
  const flows = new WeakMap<ModelLayout, SpineSegment[]>();
  let params: Float32Array | null = null;
  // The styles and highlights of the last frame: a frame that leaves them out keeps these objects,
  // so the renderer's caches (keyed by identity) hold while only the camera moves.
  let blocks: SceneState['blocks'] = {};
  let highlights: Highlight[] = [];
  const layoutOf = (id: number): ModelLayout => {
    const layout = layouts.get(id);
    if (!layout) throw new Error(`render host: no layout ${id} was sent`);
    return layout;
  };

  return (m) => {
    if (m.type === 'init') {
      try {
        const r: SceneRenderer = new SceneRenderer(m.canvas, {
          flows: (layout) => flows.get(layout) ?? [],
          lost: () => post({ type: 'lost' }),
          restored: () => post({ type: 'restored', resources: r.resources() }),
        });
        renderer = r;
      } catch (e) {
        // No WebGL2 here, or the renderer could not be built (a shader that does not compile).
        if (e instanceof WebGLUnavailableError) post({ type: 'unavailable', message: e.message });
        else post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
      }
      return;
    }
    if (m.type === 'layout') {
      layouts.set(m.id, m.layout);
      flows.set(m.layout, m.flows);
      return;
    }
    if (!renderer) return;
    try {
      switch (m.type) {
        case 'values':
          if ('params' in m) params = m.params ?? null;
          renderer.setValues(layoutOf(m.layout), m.trace, params);
          break;
        case 'frame':
          if (m.blocks) blocks = patched(blocks, m.blocks);
          if (m.highlights) highlights = m.highlights;
          renderer.resize(m.pixels[0], m.pixels[1]);
          renderer.draw(layoutOf(m.layout), { blocks, highlights, callouts: NO_CALLOUTS, dim: m.dim }, m.matrices);
          post({ type: 'drawn', seq: m.seq, resources: renderer.resources(), drawCalls: renderer.drawCalls });
          break;
        case 'rehearse':
          // Work ahead for the compiler's sake: a step that cannot be rehearsed stops nothing.
          try {
            renderer.rehearse(layoutOf(m.layout), { blocks: m.blocks, highlights: m.highlights, callouts: NO_CALLOUTS, dim: m.dim });
          } catch {
            // Drawn (or failed) for real when the reader gets there.
          }
          post({ type: 'rehearsed' });
          break;
        case 'lose':
          renderer.simulateContextLoss(m.lose);
          break;
      }
    } catch (e) {
      renderer = null;
      post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    }
  };
}

/** What changed from the styles `prev` to `next` (the page's side: the host holds `prev`). */
export function stylePatch(prev: SceneState['blocks'], next: SceneState['blocks']): StylePatch {
  const patch: StylePatch = { set: {}, drop: [] };
  for (const id in next) if (!sameData(prev[id], next[id])) patch.set[id] = next[id]!;
  for (const id in prev) if (!(id in next)) patch.drop.push(id);
  return patch;
}

/** `blocks` with `patch` applied, as a new object (the renderer keys its caches on identity). */
export function patched(blocks: SceneState['blocks'], patch: StylePatch): SceneState['blocks'] {
  const out = { ...blocks, ...patch.set };
  for (const id of patch.drop) delete out[id];
  return out;
}

/**
 * The drawing end of the render channel. A page hands its canvas to the render worker
 * (render-worker.ts), which runs this host, and talks to it through RenderClient
 * (render-client.ts): a frame's script on the page is then the director and the scene, while the
 * instance lists, the GL calls and the placing of the labels and arrows (overlay.ts) run beside it
 * on the worker's thread. Where a canvas cannot be handed to a worker, the page runs this same
 * host on its own thread.
 *
 * The messages are in render-protocol.ts.
 */
import { patched, type HostMessage, type PageMessage } from './render-protocol.ts';
import { SceneRenderer, WebGLUnavailableError } from './renderer.ts';
import { canvasMeasure, type MeasureText } from './label-styles.ts';
import { OverlayPlanner, type OverlayFrame } from './overlay.ts';
import type { Highlight, ModelLayout, SceneState, SpineSegment } from './types.ts';

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
  // Likewise the overlay's parts: its placement skips a frame whose inputs are the same objects.
  let callouts: SceneState['callouts'] = [];
  let links: SceneState['links'] = undefined;
  let tokens: string | null = null;
  let overlay: OverlayPlanner | null = null;
  let measure: MeasureText | null = null;
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
    if (m.type === 'overlay') {
      measure = canvasMeasure(m.family);
      overlay = new OverlayPlanner(measure);
      overlay.premeasure();
      return;
    }
    if (m.type === 'layout') {
      layouts.set(m.id, m.layout);
      flows.set(m.layout, m.flows);
      // A layout arrives ahead of the frames that show it (a rehearsal sends a later step's): its
      // label tree is built now, not in its first frame.
      overlay?.prepare(m.layout);
      return;
    }
    if (!renderer) return;
    try {
      switch (m.type) {
        case 'values':
          if ('params' in m) params = m.params ?? null;
          renderer.setValues(layoutOf(m.layout), m.trace, params);
          break;
        case 'frame': {
          if (m.blocks) blocks = patched(blocks, m.blocks);
          if (m.highlights) highlights = m.highlights;
          if (m.callouts) callouts = m.callouts;
          if (m.links !== undefined) links = m.links ?? undefined;
          if (m.tokens !== undefined) tokens = m.tokens;
          const layout = layoutOf(m.layout);
          const state = { blocks, highlights, callouts, links, dim: m.dim };
          renderer.resize(m.pixels[0], m.pixels[1]);
          renderer.draw(layout, state, m.matrices);
          // The GL calls are issued: the labels are placed while the GPU draws.
          let placed: OverlayFrame | null = null;
          try {
            placed = overlay ? overlay.frame(layout, { matrices: m.matrices, width: m.css[0], height: m.css[1], state, tokens }, m.fresh) : null;
          } catch (e) {
            // The picture is drawn: a frame whose labels could not be placed keeps the last ones,
            // and the next frame starts over with a fresh planner.
            console.error('render host: the labels could not be placed', e);
            overlay = measure ? new OverlayPlanner(measure) : null;
          }
          post({ type: 'drawn', seq: m.seq, resources: renderer.resources(), drawCalls: renderer.drawCalls, overlay: placed });
          break;
        }
        case 'rehearse':
          // Work ahead for the compiler's sake: a step that cannot be rehearsed stops nothing.
          try {
            const layout = layoutOf(m.layout);
            const state = { blocks: m.blocks, highlights: m.highlights, callouts: m.overlay?.callouts ?? [], links: m.overlay?.links, dim: m.dim };
            renderer.rehearse(layout, state);
            if (overlay && m.overlay) overlay.rehearse(layout, { ...m.overlay, state });
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

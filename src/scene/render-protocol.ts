/**
 * The render channel's messages, between the page (render-client.ts) and the render host
 * (render-host.ts), and the page-side helpers both ends share. Kept apart from the host so the
 * page's bundle carries none of the drawing or placing code.
 *
 * Messages to the host (PageMessage), taken in order:
 *   init      the canvas (an OffscreenCanvas in the worker)
 *   overlay   the labels' font family: from then on each frame's labels and arrows are placed
 *             here too (overlay.ts) and sent back with `drawn`, for the page to write
 *   layout    a ModelLayout and its data-flow arrows under a number, sent once; later messages
 *             name it by that number
 *   values    a trace and the weights for a layout (`params` left out: the ones sent last)
 *   frame     the camera's matrices (the page computes them for picking anyway), the drawing
 *             buffer's size, the block styles that changed since the last frame (a StylePatch:
 *             a director restyles a hundred blocks in every frame, most of them as before), and
 *             the highlights, callouts, arrows and token letters when they changed (left out: the
 *             same), and the stage's CSS size; answered with `drawn`, which carries the frame's
 *             labels and arrows (null: as the last frame's)
 *   rehearse  a frame's script work without drawing (SceneView.rehearse); answered with `rehearsed`
 *   lose      for the tests of recovery: lose (true) or restore (false) the context
 * Messages back (HostMessage): unavailable (no WebGL2), drawn (with the frame's labels and arrows,
 * the GPU objects held and the draw calls so far), rehearsed, lost, restored, failed (an error while drawing: the page shows
 * it instead of the picture).
 */
import type { Trace } from '../gpt/trace.ts';
import type { OverlayFrame, OverlayInput } from './overlay.ts';
import type { FrameMatrices, ResourceCounts } from './renderer.ts';
import { sameData } from './same.ts';
import type { BlockStyle, Highlight, ModelLayout, SceneState, SpineSegment } from './types.ts';

/** The block styles that changed between two frames: new or different ones, and the blocks left unstyled. */
export interface StylePatch {
  set: Record<string, BlockStyle>;
  drop: string[];
}

/** The parts of a frame's scene state its overlay needs besides the styles and highlights, each left out when the same as the last frame's. */
export interface OverlayParts {
  callouts?: SceneState['callouts'];
  /** null: none. */
  links?: NonNullable<SceneState['links']> | null;
  tokens?: string | null;
}

export type PageMessage =
  | { type: 'init'; canvas: OffscreenCanvas | HTMLCanvasElement }
  | { type: 'overlay'; family: string }
  | { type: 'layout'; id: number; layout: ModelLayout; flows: SpineSegment[] }
  | { type: 'values'; layout: number; trace: Trace | null; params?: Float32Array | null }
  | ({ type: 'frame'; seq: number; layout: number; matrices: FrameMatrices; pixels: [number, number]; css: [number, number]; blocks?: StylePatch; highlights?: Highlight[]; dim?: number; fresh?: boolean } & OverlayParts)
  | { type: 'rehearse'; layout: number; blocks: SceneState['blocks']; highlights: Highlight[]; dim?: number; overlay?: Omit<OverlayInput, 'state'> & { callouts: SceneState['callouts']; links?: SceneState['links'] } }
  | { type: 'lose'; lose: boolean };

export type HostMessage =
  | { type: 'unavailable'; message: string }
  | { type: 'drawn'; seq: number; resources: ResourceCounts; drawCalls: number; overlay?: OverlayFrame | null }
  | { type: 'rehearsed' }
  | { type: 'lost' }
  | { type: 'restored'; resources: ResourceCounts }
  | { type: 'failed'; message: string };

/** Where the worker's file, imported as a module on a page, leaves renderHost (render-worker.ts). */
export const MAIN_THREAD_HOST = 'gptRenderHost';


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

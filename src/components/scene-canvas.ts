/**
 * Client side of SceneCanvas.astro: mounts a SceneView on the component's root, and (for tests
 * and benchmarks only, under automation) hands the test hook (tests/e2e/scene-hook.ts,
 * window.__scene) what it reads. Nothing in the site reads the hook.
 */
import { valuesLayout } from '../scene/companion.ts';
import { readCell } from '../scene/cells.ts';
import { paramViews } from '../gpt/reference.ts';
import type { Trace } from '../gpt/trace.ts';
import { fitCamera, frameBox, orbit } from '../scene/camera.ts';
import { SceneView, type SceneContent, type SceneViewOptions } from '../scene/view.ts';
import type { CameraState, ModelLayout, Range, SceneState, Vec3 } from '../scene/types.ts';
import type { ResourceCounts } from '../scene/renderer.ts';

export function mountSceneCanvas(root: HTMLElement | null, options: SceneViewOptions): SceneView {
  if (!root) throw new Error('mountSceneCanvas: no SceneCanvas root element ([data-scene]) on this page');
  return SceneView.mount(root, options);
}

/**
 * window.__scene: FOR TESTS AND BENCHMARKS ONLY (tests/e2e/, scripts/bench-scene.ts, scripts/audit-steps.ts).
 * Reads the view's state and drives it without a mouse; not an API for the site.
 */
export interface SceneTestHook {
  /** Resolves once the first trace is on screen. */
  ready: Promise<void>;
  readonly frames: number;
  readonly lastFrameMs: number;
  /** Main-thread ms of the most recent frames, oldest first. */
  frameTimes(): number[];
  /** Article pages: ms of each whole story frame (director, scene, draw), oldest first; [] elsewhere. */
  storyFrameTimes(): number[];
  /** Wall ms of each hand-off of a frame to the render worker (its own task, after the frame), oldest first. */
  handoffTimes(): number[];
  /** Article pages: moments rehearsed so far in idle time (story/rehearsal.ts), and whether all were; null elsewhere. */
  rehearsal(): { count: number; done: boolean } | null;
  state(): SceneState | null;
  resources(): ResourceCounts;
  /** WebGL draw calls issued so far (as of the last frame drawn). */
  drawCalls(): number;
  /** Shows the tooltip of a cell; returns the tooltip's text and the cell's value. */
  hoverCell(block: string, row: number, col: number): { text: string; value: number } | null;
  cellScreenPosition(block: string, row: number, col: number): { x: number; y: number } | null;
  /** The number the current trace / weights hold for a cell (what the tooltip must show). */
  value(block: string, row: number, col: number): number | null;
  /** Orbits by `dYaw` per frame for `frames` frames (no easing), resolving with each frame's JS ms. */
  orbitFrames(frames: number, dYaw: number): Promise<number[]>;
  /** Sets what the scene emphasises (block styles, highlights, callouts, dim), as a director would. */
  setScene(content: Partial<SceneContent>): void;
  /** Jumps the camera (no easing) and returns once the frame showing it was drawn. */
  setCamera(camera: CameraState): Promise<void>;
  /** The camera framing a block (or the whole model when omitted), as the reset button would. */
  frame(block?: string): CameraState | null;
  /** performance.now() of the last input change and of the first frame showing its trace. */
  latency(): { inputAt: number; shownAt: number };
  /** Jumps the camera to where it is easing (no spring left) and resolves once that frame is drawn. */
  settle(): Promise<void>;
  /** Loses the WebGL context as a driver reset would; resolves once the page knows (tests of recovery). */
  loseContext(): Promise<void>;
  /** Gives the lost context back. */
  restoreContext(): void;
  /**
   * Where a cell range of a block is drawn in the last frame (its style offset and `lift` added):
   * the 8 corners of its box and the 4 of its front face in canvas CSS pixels, and the on-screen
   * size of its smallest sampled cell (px, the shorter side of the projected cell).
   */
  rangeOnScreen(block: string, rows?: Range, cols?: Range, lift?: Vec3): RangeOnScreen;
  /** The box corners (canvas CSS px) of every block drawn in the last frame that reaches the canvas, lifted pieces included. */
  blocksOnScreen(): { id: string; corners: ScreenPoint[] }[];
}

export interface ScreenPoint {
  x: number;
  y: number;
}

export type RangeOnScreen =
  | { corners: ScreenPoint[]; front: ScreenPoint[]; cellPx: number }
  /** no-block: not in the layout shown; hidden: opacity 0; behind-eye: a corner is behind the camera; no-frame: nothing drawn yet. */
  | { missing: 'no-block' | 'hidden' | 'behind-eye' | 'no-frame' };

export interface HookSources {
  view: SceneView;
  ready: Promise<void>;
  layout: () => ModelLayout | null;
  trace: () => Trace | null;
  params: () => Float32Array | null;
  inputAt: () => number;
  /** Article pages: main-thread ms of each frame that changed the picture (director included). */
  storyFrameTimes?: () => number[];
  rehearsal?: () => { count: number; done: boolean };
}

/** What the page hands the test hook: its sources, and the site's own functions the hook calls. */
export interface SceneSources extends HookSources {
  lib: { orbit: typeof orbit; fitCamera: typeof fitCamera; frameBox: typeof frameBox; readCell: typeof readCell; paramViews: typeof paramViews; valuesLayout: typeof valuesLayout };
}

/**
 * Hands the test hook what it reads, in a browser driven by automation only (navigator.webdriver:
 * the tests, benchmarks and screenshots). The hook itself, window.__scene, is test code
 * (tests/e2e/scene-hook.ts) that the harness adds to every page it opens; a reader's page ships
 * none of it.
 */
export function installTestHook(src: HookSources): void {
  if (navigator.webdriver) (window as unknown as { __sceneSources: SceneSources }).__sceneSources = { ...src, lib: { orbit, fitCamera, frameBox, readCell, paramViews, valuesLayout } };
}

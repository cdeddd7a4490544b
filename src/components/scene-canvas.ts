/**
 * Client side of SceneCanvas.astro: mounts a SceneView on the component's root, and (for tests
 * and benchmarks only) exposes a small hook on window.__scene. Nothing in the site reads the hook.
 */
import { readCell } from '../scene/cells.ts';
import { paramViews } from '../gpt/reference.ts';
import type { Trace } from '../gpt/trace.ts';
import { fitCamera, frameBox, orbit } from '../scene/camera.ts';
import { SceneView, type SceneContent, type SceneViewOptions } from '../scene/view.ts';
import type { CameraState, ModelLayout, SceneState } from '../scene/types.ts';
import type { ResourceCounts } from '../scene/renderer.ts';

export function mountSceneCanvas(root: HTMLElement | null, options: SceneViewOptions): SceneView | null {
  if (!root) throw new Error('mountSceneCanvas: no SceneCanvas root element ([data-scene]) on this page');
  return SceneView.mount(root, options);
}

/**
 * window.__scene: FOR TESTS AND BENCHMARKS ONLY (tests/e2e/explore.test.ts, scripts/bench-scene.ts).
 * Reads the view's state and drives it without a mouse; not an API for the site.
 */
export interface SceneTestHook {
  /** Resolves once the first trace is on screen. */
  ready: Promise<void>;
  readonly frames: number;
  readonly lastFrameMs: number;
  /** Main-thread ms of the most recent frames, oldest first. */
  frameTimes(): number[];
  state(): SceneState | null;
  resources(): ResourceCounts;
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
}

export interface HookSources {
  view: SceneView;
  ready: Promise<void>;
  layout: () => ModelLayout | null;
  trace: () => Trace | null;
  params: () => Float32Array | null;
  inputAt: () => number;
}

export function installTestHook(src: HookSources): void {
  const { view } = src;
  const hook: SceneTestHook = {
    ready: src.ready,
    get frames() {
      return view.stats.frames;
    },
    get lastFrameMs() {
      return view.stats.lastFrameMs;
    },
    frameTimes: () => [...view.frameTimes],
    state: () => view.state(),
    resources: () => view.resources(),
    hoverCell(block, row, col) {
      const e = view.hoverCell(block, row, col);
      const tip = view.root.querySelector<HTMLElement>('.scene-tooltip');
      return e && tip ? { text: tip.textContent ?? '', value: e.value } : null;
    },
    cellScreenPosition: (block, row, col) => view.cellScreenPosition(block, row, col),
    value(block, row, col) {
      const layout = src.layout();
      const trace = src.trace();
      const params = src.params();
      const b = layout?.blocks.find((x) => x.id === block);
      if (!b || !trace || !params || !b.source) return null;
      return readCell(b, row, col, trace, paramViews(layout!.config, params));
    },
    orbitFrames(frames, dYaw) {
      return new Promise((resolve) => {
        const startFrames = view.stats.frames;
        const step = () => {
          if (view.stats.frames - startFrames >= frames) {
            resolve(view.frameTimes.slice(-frames));
            return;
          }
          view.setCamera(orbit(view.goal(), dYaw, 0), { animate: false });
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      });
    },
    setScene: (content) => view.setScene(content),
    setCamera(camera) {
      const before = view.stats.frames;
      view.setCamera(camera, { animate: false });
      return new Promise((resolve) => {
        const wait = () => (view.stats.frames > before ? resolve() : requestAnimationFrame(wait));
        requestAnimationFrame(wait);
      });
    },
    frame(block) {
      const layout = src.layout();
      if (!layout) return null;
      const { clientWidth: w, clientHeight: h } = view.canvas;
      if (!block) return fitCamera(layout, w, h);
      const b = layout.blocks.find((x) => x.id === block);
      if (!b) return null;
      return frameBox([b.position[0], b.position[1] - b.size[1], b.position[2] - b.size[2]], [b.position[0] + b.size[0], b.position[1], b.position[2]], w, h);
    },
    latency: () => ({ inputAt: src.inputAt(), shownAt: view.stats.valuesShownAt }),
  };
  (window as unknown as { __scene: SceneTestHook }).__scene = hook;
}

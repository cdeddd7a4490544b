/**
 * Client side of SceneCanvas.astro: mounts a SceneView on the component's root, and (for tests
 * and benchmarks only) exposes a small hook on window.__scene. Nothing in the site reads the hook.
 */
import { valuesLayout } from '../scene/companion.ts';
import { readCell } from '../scene/cells.ts';
import { paramViews } from '../gpt/reference.ts';
import type { Trace } from '../gpt/trace.ts';
import { fitCamera, frameBox, orbit } from '../scene/camera.ts';
import { SceneView, type SceneContent, type SceneViewOptions } from '../scene/view.ts';
import type { Block, CameraState, ModelLayout, Range, SceneState, Vec3 } from '../scene/types.ts';
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
    storyFrameTimes: () => src.storyFrameTimes?.() ?? [],
    handoffTimes: () => [...view.handoffTimes],
    rehearsal: () => src.rehearsal?.() ?? null,
    state: () => view.state(),
    resources: () => view.resources(),
    drawCalls: () => view.drawCalls,
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
      return readCell(b, row, col, trace, paramViews(valuesLayout(layout!).config, params));
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
      return drawnAfter(view, before);
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
    settle() {
      if (!view.camera) return Promise.resolve();
      const before = view.stats.frames;
      view.setCamera(view.goal(), { animate: false });
      return drawnAfter(view, before);
    },
    loseContext: () => view.loseContext(),
    restoreContext: () => view.restoreContext(),
    rangeOnScreen(block, rows, cols, lift) {
      const state = view.state();
      const b = src.layout()?.blocks.find((x) => x.id === block);
      if (!b) return { missing: 'no-block' };
      if (!state || view.stats.frames === 0) return { missing: 'no-frame' };
      if (state.blocks[b.id]?.opacity === 0) return { missing: 'hidden' };
      const box = rangeBox(b, state, rows ?? [0, b.rows.size], cols ?? [0, b.cols.size], lift);
      const corners = project(view, box.corners);
      const front = project(view, box.corners.slice(0, 4));
      if (!corners || !front) return { missing: 'behind-eye' };
      let cellPx = Infinity;
      for (const cell of box.sampleCells) {
        const q = project(view, cell);
        if (!q) continue;
        const w = (dist(q[0]!, q[1]!) + dist(q[2]!, q[3]!)) / 2;
        const h = (dist(q[0]!, q[2]!) + dist(q[1]!, q[3]!)) / 2;
        cellPx = Math.min(cellPx, w, h);
      }
      return { corners, front, cellPx };
    },
    blocksOnScreen() {
      const state = view.state();
      const layout = src.layout();
      if (!state || !layout) return [];
      const { clientWidth: w, clientHeight: h } = view.canvas;
      const out: { id: string; corners: ScreenPoint[] }[] = [];
      const add = (id: string, world: Vec3[]) => {
        const pts = world.map((p) => view.screenPoint(p)).filter((p): p is ScreenPoint => p !== null);
        if (pts.length === 0) return;
        const xs = pts.map((p) => p.x);
        const ys = pts.map((p) => p.y);
        if (Math.max(...xs) < 0 || Math.min(...xs) > w || Math.max(...ys) < 0 || Math.min(...ys) > h) return;
        out.push({ id, corners: pts });
      };
      for (const b of layout.blocks) {
        if (state.blocks[b.id]?.opacity === 0) continue;
        add(b.id, rangeBox(b, state, [0, b.rows.size], [0, b.cols.size]).corners);
        for (const hl of state.highlights) {
          if (hl.block === b.id && hl.lift) add(`${b.id} (lifted)`, rangeBox(b, state, hl.rows ?? [0, b.rows.size], hl.cols ?? [0, b.cols.size], hl.lift).corners);
        }
      }
      return out;
    },
  };
  (window as unknown as { __scene: SceneTestHook }).__scene = hook;
}

/** Resolves once the view has run a frame after its `before`th and the worker has drawn it (at once when it cannot draw). */
function drawnAfter(view: SceneView, before: number): Promise<void> {
  return new Promise((resolve) => {
    const wait = () => {
      if (!view.drawing) resolve();
      else if (view.stats.frames > before) void view.drawn().then(resolve);
      else requestAnimationFrame(wait);
    };
    requestAnimationFrame(wait);
  });
}

/**
 * World corners of rows x cols of block `b` where the last frame drew them: front face first
 * (top-left, top-right, bottom-left, bottom-right), then the back face; plus the front faces of
 * the range's four corner cells and its middle cell, for measuring cell size under perspective.
 */
function rangeBox(b: Block, state: SceneState, rows: Range, cols: Range, lift: Vec3 = [0, 0, 0]): { corners: Vec3[]; sampleCells: Vec3[][] } {
  const off = state.blocks[b.id]?.offset ?? [0, 0, 0];
  const cw = b.size[0] / Math.max(1, b.cols.size);
  const ch = b.size[1] / Math.max(1, b.rows.size);
  const x = (col: number) => b.position[0] + off[0] + lift[0] + col * cw;
  const y = (row: number) => b.position[1] + off[1] + lift[1] - row * ch;
  const front = b.position[2] + off[2] + lift[2];
  const face = (r0: number, r1: number, c0: number, c1: number, z: number): Vec3[] => [
    [x(c0), y(r0), z],
    [x(c1), y(r0), z],
    [x(c0), y(r1), z],
    [x(c1), y(r1), z],
  ];
  const [r0, r1] = rows;
  const [c0, c1] = cols;
  const midR = Math.floor((r0 + r1 - 1) / 2);
  const midC = Math.floor((c0 + c1 - 1) / 2);
  const cells: [number, number][] = [
    [r0, c0],
    [r0, c1 - 1],
    [r1 - 1, c0],
    [r1 - 1, c1 - 1],
    [midR, midC],
  ];
  return {
    corners: [...face(r0, r1, c0, c1, front), ...face(r0, r1, c0, c1, front - b.size[2])],
    sampleCells: cells.map(([r, c]) => face(r, r + 1, c, c + 1, front)),
  };
}

/** Every point projected, or null when any is behind the eye. */
function project(view: SceneView, world: Vec3[]): ScreenPoint[] | null {
  const out: ScreenPoint[] = [];
  for (const p of world) {
    const s = view.screenPoint(p);
    if (!s) return null;
    out.push(s);
  }
  return out;
}

function dist(a: ScreenPoint, b: ScreenPoint): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

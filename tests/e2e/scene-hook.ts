/**
 * window.__scene, the test hook: FOR TESTS AND BENCHMARKS ONLY (tests/e2e/, scripts/bench-*.ts,
 * scripts/audit-steps.ts, scripts/screenshot.ts). It reads the view's state and drives it without
 * a mouse. The harness adds it to every page it opens (openPage, context.addInitScript): a page
 * under automation hands over what it reads by setting window.__sceneSources
 * (src/components/scene-canvas.ts installTestHook), and the hook appears on window.__scene at that
 * moment. A reader's page ships none of this code.
 *
 * Runs in the page, serialized by Playwright: it may use nothing from outside itself but types.
 */
import type { SceneSources, SceneTestHook, ScreenPoint } from '../../src/components/scene-canvas.ts';
import type { SceneView } from '../../src/scene/view.ts';
import type { Block, Range, SceneState, Vec3 } from '../../src/scene/types.ts';

export function sceneHook(): void {
  Object.defineProperty(window, '__sceneSources', {
    configurable: true,
    set(src: SceneSources) {
      install(src);
    },
  });

  function install(src: SceneSources): void {
    const { view, lib } = src;
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
        return lib.readCell(b, row, col, trace, lib.paramViews(lib.valuesLayout(layout!).config, params));
      },
      orbitFrames(frames, dYaw) {
        return new Promise((resolve) => {
          const startFrames = view.stats.frames;
          const step = () => {
            if (view.stats.frames - startFrames >= frames) {
              resolve(view.frameTimes.slice(-frames));
              return;
            }
            view.setCamera(lib.orbit(view.goal(), dYaw, 0), { animate: false });
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
        if (!block) return lib.fitCamera(layout, w, h);
        const b = layout.blocks.find((x) => x.id === block);
        if (!b) return null;
        return lib.frameBox([b.position[0], b.position[1] - b.size[1], b.position[2] - b.size[2]], [b.position[0] + b.size[0], b.position[1], b.position[2]], w, h);
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
}

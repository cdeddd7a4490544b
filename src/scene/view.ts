/**
 * A live scene on the page: wires a layout, its values, the scene state and the camera to the
 * renderer, the labels, the tooltip and the input controls, and draws on demand.
 *
 *   const view = SceneView.mount(rootElement, { captureTouch: true, captureWheel: true });
 *   view.setModel(layout, 'gpt-nano');       // fits the camera the first time
 *   view.setValues(trace, params);           // green and blue cells get their numbers
 *   view.setScene({ highlights, dim: 0.6 }); // what a director wants emphasised
 *
 * A frame is drawn only when something changed (state, camera, size, values) or while the
 * camera is still easing; there is no render loop otherwise. The root element is the one
 * SceneCanvas.astro renders: a canvas, a labels layer, a tooltip and a fallback message.
 *
 * The drawing itself happens in the render worker (render-client.ts): a frame here eases the
 * camera, follows the hovered cell and sends the camera and the scene; the worker builds the
 * instance lists, calls WebGL and places the labels and arrows (overlay.ts), which this view
 * writes to the page when the worker answers (overlay-dom.ts). Without WebGL2 there (or when the worker fails) the fallback message
 * replaces the canvas and the view draws nothing more.
 */
import type { Trace } from '../gpt/trace.ts';
import { CameraSpring, fitCamera, homeCamera, projectPoint, zoomLimits, type CameraMatrices } from './camera.ts';
import { CameraControls } from './controls.ts';
import { explainCell, type Explanation } from './explain.ts';
import { companionId } from './companion.ts';
import { OverlayElements } from './overlay-dom.ts';
import type { OverlayFrame } from './overlay.ts';
import { pickCell, rayFromScreen } from './pick.ts';
import { keepIfSame } from './same.ts';
import { RenderClient } from './render-client.ts';
import type { ResourceCounts } from './renderer.ts';
import { FrameTimes } from './frame-times.ts';
import { Tooltip } from './tooltip.ts';
import type { CameraState, CellHit, Highlight, ModelLayout, SceneState, Vec3 } from './types.ts';
import { grouped } from './numbers.ts';

export interface SceneViewOptions {
  /** One-finger drags and pinches belong to the scene (true on /explore/, false in the article). */
  captureTouch?: boolean;
  /** The wheel zooms without Ctrl/⌘ (true on /explore/, false in the article). */
  captureWheel?: boolean;
  /** Called whenever the hovered cell changes (null: none). */
  onHover?: (hit: CellHit | null) => void;
}

/** The parts of a SceneState a page or director sets; the camera belongs to the view. */
export type SceneContent = Omit<SceneState, 'camera'>;

export interface FrameStats {
  frames: number;
  lastFrameMs: number;
  /** performance.now() at the end of the first frame that showed the current values. */
  valuesShownAt: number;
}

const EMPTY: SceneContent = Object.freeze({ blocks: Object.freeze({}), highlights: Object.freeze([]) as unknown as Highlight[], callouts: [] });
/** How much the rest of the scene fades while a cell is hovered, so its sources stand out. */
const HOVER_DIM = 0.3;
/** Animation frames in a row that gpuBusy() may ask a caller to skip. */
const BUSY_LIMIT = 4;

/**
 * A frame's scene state. Built here alone, for real frames and rehearsals both: objects made by
 * one literal share one hidden class, so code the engine compiled in a rehearsal fits the real
 * frames (built by spreading, the rehearsal's states had another, and the first real frames
 * threw that code away).
 */
function sceneState(camera: CameraState, c: SceneContent, highlights: Highlight[] = c.highlights, dim: number | undefined = c.dim): SceneState {
  return { camera, blocks: c.blocks, highlights, callouts: c.callouts, links: c.links, dim };
}

export class SceneView {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly renderer: RenderClient;
  /** The labels and arrows, as the render host placed them for the last drawn frame. */
  private readonly overlay: OverlayElements;
  /** The model's name and size, shown above the drawing (SceneCanvas's .scene-caption), not on it. */
  private readonly caption: HTMLElement | null;
  private readonly tooltip: Tooltip;
  private readonly controls: CameraControls;
  private readonly options: SceneViewOptions;
  private layout: ModelLayout | null = null;
  private modelName = '';
  private content: SceneContent = EMPTY;
  private spring: CameraSpring | null = null;
  private home: CameraState | null = null;
  private trace: Trace | null = null;
  private params: Float32Array | null = null;
  private pointer: { x: number; y: number } | null = null;
  private hovered: { hit: CellHit; explanation: Explanation | null; pinned: boolean } | null = null;
  private hoverHighlights: Highlight[] = [];
  private composed: { base: Highlight[]; hover: Highlight[]; out: Highlight[] } | null = null;
  private matrices: CameraMatrices | null = null;
  private cssSize = { width: 1, height: 1, dpr: 1 };
  private frameRequest = 0;
  private busyRun = 0;
  /**
   * A frame is wanted: scheduled at the end of the current task, so a caller that sets the scene
   * and then draws with renderNow() (the article, every scroll frame) never requests and cancels
   * an animation frame.
   */
  private renderWanted = false;
  private scheduling = false;
  private lastTime = 0;
  private valuesPending = false;
  private onLost: (() => void) | null = null;
  private readonly resize: ResizeObserver;
  private readonly reducedMotion: MediaQueryList | null;
  readonly stats: FrameStats = { frames: 0, lastFrameMs: 0, valuesShownAt: 0 };
  /**
   * The most recent frame times in ms, oldest first: main-thread JS of the frame function, plus,
   * once they arrive, the writing of the labels and arrows the render host placed for it.
   */
  get frameTimes(): readonly number[] {
    return this.times.ms;
  }

  private readonly times = new FrameTimes();
  /**
   * Told the ms of each writing of a frame's labels and arrows (reading the worker's answer
   * included), with the draw number of the frame it belongs to (lastDraw after that frame): the
   * article adds it to that frame's time.
   */
  onOverlay: ((ms: number, draw: number) => void) | null = null;

  /**
   * Mounts on a SceneCanvas root. Without WebGL2 the fallback text replaces the canvas as soon as
   * the render worker says so; the view then stays inert.
   */
  static mount(root: HTMLElement, options: SceneViewOptions = {}): SceneView {
    const canvas = root.querySelector('canvas');
    if (!canvas) throw new Error('SceneView.mount: the root element has no <canvas>');
    return new SceneView(root, canvas, options);
  }

  private constructor(root: HTMLElement, canvas: HTMLCanvasElement, options: SceneViewOptions) {
    this.root = root;
    this.canvas = canvas;
    this.options = options;
    const labelRoot = root.querySelector<HTMLElement>('.scene-labels');
    // The arrows go under the labels, so callouts stay readable where an arrow reaches them.
    this.overlay = new OverlayElements(root, labelRoot);
    this.caption = root.closest('.scene-frame')?.querySelector<HTMLElement>('.scene-caption') ?? null;
    this.renderer = new RenderClient(canvas, {
      overlay: (frame, draw, received) => this.showOverlay(frame, draw, received),
      unavailable: (message, failed) => this.showFallback(message, failed),
      lost: () => {
        this.onLost?.();
        this.onLost = null;
        this.cancelFrame();
      },
      restored: () => this.requestRender(),
    });
    const tip = root.querySelector<HTMLElement>('.scene-tooltip');
    if (!tip) throw new Error('SceneView.mount: the root element has no .scene-tooltip');
    this.tooltip = new Tooltip(tip);
    this.reducedMotion = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;
    this.controls = new CameraControls(
      canvas,
      {
        goal: () => this.goal(),
        setGoal: (c) => this.setCamera(c),
        reset: () => this.resetCamera(),
        hover: (at) => this.hoverAt(at),
        limits: () => zoomLimits(this.layout!),
      },
      { captureTouch: options.captureTouch ?? false, captureWheel: options.captureWheel ?? false },
    );
    this.resize = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]!.contentRect;
      this.cssSize = { width: Math.max(1, box.width), height: Math.max(1, box.height), dpr: window.devicePixelRatio || 1 };
      this.requestRender();
    });
    this.cssSize = { width: Math.max(1, canvas.clientWidth), height: Math.max(1, canvas.clientHeight), dpr: window.devicePixelRatio || 1 };
    this.resize.observe(canvas);
  }

  /** No WebGL2 in the worker, or the drawing failed: the fallback message instead of the canvas. */
  private showFallback(message: string, failed: boolean): void {
    this.cancelFrame();
    this.root.classList.add('scene-unavailable');
    this.canvas.hidden = true;
    this.overlay.clear();
    this.tooltip.hide();
    // The component's own wording (it also says the text still works); the error's if it has none,
    // or when the drawing failed rather than never started.
    const fallback = this.root.querySelector<HTMLElement>('.scene-fallback');
    if (fallback) {
      fallback.hidden = false;
      if (failed) fallback.textContent = `The 3D view stopped: ${message}. The text and its numbers still work.`;
      else if (!fallback.textContent?.trim()) fallback.textContent = message;
    }
  }

  /** Shows `layout`; the camera goes to its starting view the first time, or when `fit` is true. */
  setModel(layout: ModelLayout, modelName: string, opts: { fit?: boolean } = {}): void {
    const first = this.layout === null;
    this.layout = layout;
    // A trace of another length cannot fill this layout's columns: drop it until setValues.
    if (this.trace && this.trace.ids.length !== layout.T) this.trace = null;
    this.modelName = modelName;
    // The host measures label text in the labels' own font, read once the page is styled, before
    // the first layout goes to the host.
    if (first) this.renderer.placeOverlay(getComputedStyle(this.root.querySelector('.scene-labels') ?? this.root).fontFamily || 'sans-serif');
    if (this.caption) {
      const text = `${modelName} · ${grouped(layout.params)} parameters`;
      if (this.caption.textContent !== text) this.caption.textContent = text;
    }
    this.home = homeCamera(layout, this.cssSize.width, this.cssSize.height);
    if (first || !this.spring) this.spring = new CameraSpring(this.home);
    else if (opts.fit) this.setCamera(this.home);
    this.clearHover();
    this.renderer.setValues(layout, this.trace, this.params);
    this.requestRender();
  }

  /** The numbers to show: a trace of the layout's T tokens and the packed parameters. */
  setValues(trace: Trace | null, params: Float32Array | null): void {
    if (trace && this.layout && trace.ids.length !== this.layout.T) {
      throw new RangeError(`setValues: the trace has ${trace.ids.length} tokens but the ${this.layout.model} layout shows T = ${this.layout.T}`);
    }
    this.trace = trace;
    this.params = params;
    if (this.layout) this.renderer.setValues(this.layout, trace, params);
    this.valuesPending = true;
    if (this.hovered) this.showHover(this.hovered.hit, this.pointer, this.hovered.pinned);
    this.requestRender();
  }

  /**
   * What to emphasise: block styles, highlights, callouts, links, dim. Equal parts keep the
   * previous objects, so caches keyed by identity hold across frames. Returns whether anything
   * differs from what was shown (only then is a frame requested).
   */
  setScene(content: Partial<SceneContent>): boolean {
    const prev = this.content;
    const next = { ...EMPTY, ...content };
    this.content = {
      blocks: keepIfSame(prev.blocks, next.blocks),
      highlights: keepIfSame(prev.highlights, next.highlights),
      callouts: keepIfSame(prev.callouts, next.callouts),
      links: keepIfSame(prev.links, next.links),
      dim: next.dim,
    };
    const c = this.content;
    const changed = c.blocks !== prev.blocks || c.highlights !== prev.highlights || c.callouts !== prev.callouts || c.links !== prev.links || c.dim !== prev.dim;
    if (changed) this.requestRender();
    return changed;
  }

  /** Eases toward `camera` (jumps with prefers-reduced-motion or `animate: false`). */
  setCamera(camera: CameraState, opts: { animate?: boolean } = {}): void {
    if (!this.spring) return;
    if (opts.animate === false || this.reducedMotion?.matches) this.spring.jump(camera);
    else this.spring.setGoal(camera);
    this.requestRender();
  }

  /** Back to the starting view (the top of the model, full width). */
  resetCamera(): void {
    if (!this.layout) return;
    this.home = homeCamera(this.layout, this.cssSize.width, this.cssSize.height);
    this.setCamera(this.home);
  }

  /** The whole model in view: tall and thin, at true proportions. */
  fitWholeModel(): void {
    if (this.layout) this.setCamera(fitCamera(this.layout, this.cssSize.width, this.cssSize.height));
  }

  /** The camera on screen now (eased), or null before a model is set. */
  get camera(): CameraState | null {
    return this.spring?.value ?? null;
  }

  /** The camera being eased toward. */
  goal(): CameraState {
    return this.spring?.target ?? this.home!;
  }

  /** The SceneState of the last drawn frame. */
  state(): SceneState | null {
    if (!this.spring) return null;
    return this.compose(this.spring.value);
  }

  resources(): ResourceCounts {
    return this.renderer.resources();
  }

  /** Draw calls issued so far, as of the last frame the worker drew. */
  get drawCalls(): number {
    return this.renderer.drawCalls;
  }

  /** Wall ms of each hand-off of a frame to the render worker (a task after the frame), oldest first. */
  get handoffTimes(): readonly number[] {
    return this.renderer.handoffTimes;
  }

  /**
   * Resolves once the worker has drawn the frame asked for last (at once when none is waiting):
   * for tests and tools that read the canvas's pixels.
   */
  drawn(): Promise<void> {
    return new Promise((resolve) => this.renderer.whenDrawn(() => resolve()));
  }

  /** False while nothing can be drawn: no WebGL2, a stopped worker, a lost context. */
  get drawing(): boolean {
    return !this.renderer.isContextLost();
  }

  /** Loses the context as a driver reset would, resolving once the view knows (tests of recovery). */
  loseContext(): Promise<void> {
    return new Promise((resolve) => {
      this.onLost = resolve;
      this.renderer.simulateContextLoss(true);
    });
  }

  /** Gives a context lost by loseContext() back. */
  restoreContext(): void {
    this.renderer.simulateContextLoss(false);
  }

  /** CSS-pixel position of a cell's centre on the canvas, or null when behind the eye. */
  cellScreenPosition(blockId: string, row: number, col: number): { x: number; y: number } | null {
    const b = this.layout?.blocks.find((x) => x.id === blockId);
    if (!b || !this.spring) return null;
    const m = this.matrices ?? this.renderer.draw(this.layout!, this.compose(this.spring.value), this.cssSize.width, this.cssSize.height);
    const off = this.content.blocks[b.id]?.offset ?? [0, 0, 0];
    const p = new Float32Array(3);
    const cw = b.size[0] / b.cols.size;
    const ch = b.size[1] / b.rows.size;
    const centre: [number, number, number] = [b.position[0] + off[0] + (col + 0.5) * cw, b.position[1] + off[1] - (row + 0.5) * ch, b.position[2] + off[2]];
    if (!projectPoint(m, centre, this.cssSize.width, this.cssSize.height, p)) return null;
    return { x: p[0]!, y: p[1]! };
  }

  /**
   * CSS-pixel position on the canvas of a world point (offsets and lifts already added by the
   * caller), through the camera of the last drawn frame; null when behind the eye or before a frame.
   */
  screenPoint(world: Vec3): { x: number; y: number } | null {
    if (!this.matrices) return null;
    const p = new Float32Array(3);
    if (!projectPoint(this.matrices, world, this.cssSize.width, this.cssSize.height, p)) return null;
    return { x: p[0]!, y: p[1]! };
  }

  /** Shows the tooltip and source highlights of one cell as if hovered (tests, keyboard, directors). */
  hoverCell(blockId: string, row: number, col: number): Explanation | null {
    const at = this.cellScreenPosition(blockId, row, col);
    this.showHover({ block: blockId, row, col, distance: 0 }, at, true);
    return this.hovered?.explanation ?? null;
  }

  clearHover(): void {
    this.pointer = null;
    this.clearHovered();
  }

  /**
   * True while the render worker has not drawn the frame sent last: a caller that draws per scroll
   * frame (the article) skips this animation frame and draws the newer position at the next. After
   * BUSY_LIMIT answers in a row it says false, so a worker that never answers cannot stop the labels.
   */
  gpuBusy(): boolean {
    if (this.busyRun < BUSY_LIMIT && this.renderer.busy()) {
      this.busyRun++;
      return true;
    }
    this.busyRun = 0;
    return false;
  }

  /**
   * Draws now rather than at the next animation frame: the new values reach the screen with the
   * next composite instead of a frame later. For updates the reader is waiting on (typed letters).
   */
  renderNow(): void {
    if (this.renderer.isContextLost()) return;
    this.renderWanted = false;
    if (this.frameRequest) cancelAnimationFrame(this.frameRequest);
    this.frameRequest = 0;
    this.frame(performance.now());
  }

  requestRender(): void {
    if (this.frameRequest || this.renderer.isContextLost()) return;
    this.renderWanted = true;
    if (this.scheduling) return;
    this.scheduling = true;
    queueMicrotask(this.schedule);
  }

  private readonly schedule = (): void => {
    this.scheduling = false;
    if (!this.renderWanted || this.frameRequest || this.renderer.isContextLost()) return;
    this.renderWanted = false;
    this.frameRequest = requestAnimationFrame((t) => this.frame(t));
  };

  /** No frame is drawn until the next request. */
  private cancelFrame(): void {
    cancelAnimationFrame(this.frameRequest);
    this.frameRequest = 0;
    this.renderWanted = false;
  }

  dispose(): void {
    this.cancelFrame();
    this.resize.disconnect();
    this.controls.dispose();
    this.renderer.dispose();
    this.overlay.clear();
  }

  /** One frame: ease the camera, send it to be drawn (and labelled), follow the hover; schedule another while moving. */
  private frame(time: number): void {
    this.frameRequest = 0;
    this.renderWanted = false;
    const t0 = performance.now();
    if (!this.layout || !this.spring || this.renderer.isContextLost()) return;
    // renderNow() passes performance.now(), which can run ahead of the next rAF timestamp: clamp at 0.
    const dt = this.lastTime ? Math.max(0, Math.min(0.05, (time - this.lastTime) / 1000)) : 1 / 60;
    this.lastTime = time;
    const moving = this.spring.step(dt);
    this.fitCanvas();
    const state = this.compose(this.spring.value);
    const { width, height } = this.cssSize;
    // The labels and arrows are placed by the render host beside the drawing, and come back with it.
    this.matrices = this.renderer.draw(this.layout, state, width, height, this.tokens());
    if (this.pointer && this.hovered && !this.hovered.pinned) this.hoverAt(this.pointer, true);
    this.renderer.commit();
    if (moving) this.requestRender();
    else this.lastTime = 0;
    const ms = performance.now() - t0;
    this.stats.frames++;
    this.stats.lastFrameMs = ms;
    if (this.valuesPending) {
      this.valuesPending = false;
      // The values are on screen once the worker has drawn this frame.
      this.renderer.whenDrawn((drawn) => {
        if (drawn) this.stats.valuesShownAt = performance.now();
      });
    }
    this.times.push(ms, this.renderer.lastDraw);
  }

  /**
   * Does the script work of a frame showing `content` from `camera` (the instance lists, the
   * labels' placement, the arrows' curves, all in the render host) without drawing it or touching
   * the page: nothing the reader sees or the view remembers changes. The article runs the steps
   * ahead of the reader this way while the page is idle, so that the engine has compiled their
   * code before the first real frame needs it. For another `layout` than the one shown (a later
   * step's model), its layout goes to the worker now; its instance lists and labels wait for the
   * frame that shows it, with its values.
   */
  rehearse(content: SceneContent, camera: CameraState, layout: ModelLayout | null = this.layout): void {
    if (!this.layout || !layout || this.renderer.isContextLost()) return;
    const { width, height } = this.cssSize;
    this.renderer.rehearse(layout, sceneState(camera, content), width, height, this.tokens());
  }

  /**
   * Writes the labels and arrows the render host placed for the frame it drew. Their time, from
   * the answer's arrival, is the page's work for that frame too: added to that frame's entry in
   * frameTimes, and told to onOverlay.
   */
  private showOverlay(frame: OverlayFrame, draw: number, received: number): void {
    this.overlay.apply(frame);
    const ms = performance.now() - received;
    this.times.add(draw, ms);
    this.onOverlay?.(ms, draw);
  }

  /** The number of the last frame asked of the renderer (for onOverlay). */
  get lastDraw(): number {
    return this.renderer.lastDraw;
  }

  /**
   * Keeps the drawing buffer (in the worker) at the canvas's CSS size (as the ResizeObserver last
   * reported it, so a
   * frame never forces a layout) times the device pixel ratio.
   */
  private fitCanvas(): void {
    const dpr = window.devicePixelRatio || 1;
    this.cssSize.dpr = dpr;
    this.renderer.resize(this.cssSize.width * dpr, this.cssSize.height * dpr);
  }

  private tokens(): string | null {
    if (!this.trace) return null;
    return this.trace.ids.map((id) => 'ABC'[id] ?? '?').join('');
  }

  private compose(camera: CameraState): SceneState {
    const c = this.content;
    const hovering = this.hoverHighlights.length > 0;
    let highlights = c.highlights;
    if (hovering) {
      if (!this.composed || this.composed.base !== c.highlights || this.composed.hover !== this.hoverHighlights) {
        this.composed = { base: c.highlights, hover: this.hoverHighlights, out: [...c.highlights, ...this.hoverHighlights] };
      }
      highlights = this.composed.out;
    }
    const dim = hovering && c.dim === undefined ? HOVER_DIM : c.dim;
    return sceneState(camera, c, highlights, dim);
  }

  /** Pointer over the canvas (or a tap): pick the cell under it and explain it. */
  private hoverAt(at: { x: number; y: number } | null, fromFrame = false): void {
    this.pointer = at;
    if (!at || !this.layout || !this.matrices || !this.spring) {
      this.clearHovered();
      return;
    }
    const { width, height } = this.cssSize;
    const ray = rayFromScreen((at.x / width) * 2 - 1, 1 - (at.y / height) * 2, this.matrices.inverseViewProjection);
    const o = this.matrices.origin;
    const hit = pickCell(this.layout, { origin: [ray.origin[0] + o[0], ray.origin[1] + o[1], ray.origin[2] + o[2]], dir: ray.dir }, this.compose(this.spring.value));
    const same = hit && this.hovered && hit.block === this.hovered.hit.block && hit.row === this.hovered.hit.row && hit.col === this.hovered.hit.col;
    if (same) {
      if (!fromFrame) this.placeTooltip(at);
      return;
    }
    if (!hit) this.clearHovered();
    else this.showHover(hit, at, false);
  }

  private showHover(hit: CellHit, at: { x: number; y: number } | null, pinned: boolean): void {
    const layout = this.layout;
    if (!layout) return;
    const block = layout.blocks.find((b) => b.id === hit.block);
    if (!block) throw new Error(`hoverCell: no block "${hit.block}" in the ${layout.model} layout`);
    let explanation: Explanation | null = null;
    // A companion's cell (nano at a big model's foot) is explained in nano's own layout, its ids
    // prefixed back into the pair's.
    const inner = companionId(layout, hit.block);
    const own = inner !== null ? layout.companion! : null;
    const explained = own ? own.layout : layout;
    const hasValues = this.trace !== null && this.params !== null && this.trace.ids.length === explained.T && explained.model === 'nano';
    if (hasValues && (block.source !== null || block.stage === 'input')) {
      explanation = explainCell(explained, inner ?? hit.block, hit.row, hit.col, this.trace!, this.params!);
      if (own) explanation = { ...explanation, block: hit.block, title: `gpt-nano: ${explanation.title}`, sources: explanation.sources.map((s) => ({ ...s, block: own.prefix + s.block })) };
    }
    this.hovered = { hit, explanation, pinned };
    const highlights: Highlight[] = [{ block: hit.block, rows: [hit.row, hit.row + 1], cols: [hit.col, hit.col + 1], role: 'focus' }];
    for (const s of explanation?.sources ?? []) highlights.push({ block: s.block, rows: s.rows, cols: s.cols, role: 'source' });
    this.hoverHighlights = highlights;
    const pos = at ?? { x: this.cssSize.width / 2, y: this.cssSize.height / 2 };
    if (explanation) this.tooltip.show(explanation, pos.x, pos.y, this.cssSize);
    else {
      const note = explained.model === 'nano' ? 'The numbers appear once the model has run.' : `${this.modelName} is drawn at its true size; only gpt-nano's numbers are computed on this page.`;
      this.tooltip.showText(own ? `gpt-nano: ${block.label}` : block.label, `${block.rows.name} × ${block.cols.name} = ${grouped(block.rows.size)} × ${grouped(block.cols.size)} cells. ${note}`, pos.x, pos.y, this.cssSize);
    }
    this.options.onHover?.(hit);
    this.requestRender();
  }

  private placeTooltip(at: { x: number; y: number }): void {
    if (this.hovered?.explanation) this.tooltip.show(this.hovered.explanation, at.x, at.y, this.cssSize);
  }

  private clearHovered(): void {
    if (!this.hovered && this.hoverHighlights.length === 0) return;
    this.hovered = null;
    this.hoverHighlights = [];
    this.tooltip.hide();
    this.options.onHover?.(null);
    this.requestRender();
  }
}

/**
 * The page's end of the render channel (render-host.ts): the renderer as SceneView uses it, while
 * the drawing happens on the render worker's thread.
 *
 *   const r = new RenderClient(canvas, { unavailable: (why) => showFallback(why) });
 *   r.setValues(layout, trace, params);            // sent at once
 *   r.resize(pixelWidth, pixelHeight);             // sent with the next frame
 *   const m = r.draw(layout, state, cssW, cssH);   // the frame's camera matrices
 *   r.commit();                                    // at the end of the page's frame: sends it
 *
 * The camera matrices are computed here (picking and the cells' screen positions need them in the
 * same frame) and sent with the frame: commit() keeps a copy of them at the end of the page's
 * frame; the message (with its style patch) is built and posted in a task of its own right after,
 * new values first (a new layout, rarer, goes at once; rehearsals send layouts ahead): the page's
 * frame ends sooner, and on a machine with few cores, waking the worker lets the system run it
 * (and the GPU work it starts) at once, and the page's frame would wait for it. The host places
 * the frame's labels and arrows beside the drawing (overlay.ts) and sends them back with its
 * answer; events.overlay hands them to the page before anyone waiting for that frame is told it
 * is drawn.
 * One frame is in flight at a time: a frame built while the worker is still drawing the last
 * replaces any other waiting, and goes when the worker answers. Layouts and the weights cross
 * once; a frame carries the block styles that changed, and its highlights when they are other
 * objects than the last's.
 *
 * Where the worker cannot draw (no OffscreenCanvas, no WebGL2 on one, or its file fails to load),
 * the page imports the worker's file and runs its host on this thread, on the <canvas> itself.
 */
import type { Trace } from '../gpt/trace.ts';
import { cameraMatrices, sceneRadius, type CameraMatrices } from './camera.ts';
import { flowSegments } from './flows.ts';
import type { renderHost } from './render-host.ts';
import { MAIN_THREAD_HOST, stylePatch, type HostMessage, type PageMessage } from './render-protocol.ts';
import type { OverlayFrame } from './overlay.ts';
import type { WorkerHello } from './render-worker.ts';
import workerUrl from './render-worker.ts?worker&url';
import type { FrameMatrices, ResourceCounts } from './renderer.ts';
import type { ModelLayout, SceneState } from './types.ts';

export interface RenderClientEvents {
  /**
   * A drawn frame's labels and arrows, placed by the host beside the drawing, for the page to show:
   * `draw` numbers the draw() call that asked for the frame (lastDraw), `received` is when its
   * answer reached the page (performance.now(), before it was read).
   */
  overlay?: (frame: OverlayFrame, draw: number, received: number) => void;
  /** No WebGL2 (failed: false), or the drawing stopped with an error (failed: true): nothing more is drawn. */
  unavailable: (message: string, failed: boolean) => void;
  lost?: () => void;
  restored?: () => void;
}

type Send = (m: PageMessage, transfer?: Transferable[]) => void;

/** Hand-offs timed (wall ms of each commit task), for the benchmarks: the newest are kept. */
const HANDOFF_HISTORY = 2000;

export class RenderClient {
  /** Until the worker has said whether it can draw, messages wait here in order. */
  private waiting: { m: PageMessage; transfer?: Transferable[] }[] | null = [];
  private channel: { send: Send; stop: () => void } | null = null;
  /** A hand-off task is queued. */
  private handOffQueued = false;
  /** A rehearsal is in the worker's hands. */
  private rehearsing = false;
  /** Wall ms of each hand-off (building a frame's message and posting it to the worker), oldest first. */
  readonly handoffTimes: number[] = [];
  /** Draw calls the worker has issued, as of the last frame it drew (for the benchmarks). */
  drawCalls = 0;
  private readonly events: RenderClientEvents;
  private readonly layoutIds = new WeakMap<ModelLayout, number>();
  private nextLayout = 1;
  private matrices: CameraMatrices | null = null;
  private rehearsal: CameraMatrices | null = null;
  private pixels: [number, number] = [1, 1];
  /** Values set and not yet sent (handOff sends them, before any frame). */
  private values: PageMessage | null = null;
  /** Asked for by draw(); once committed, with a copy of its matrices. Not yet posted. */
  private next: { layout: ModelLayout; state: SceneState; matrices: FrameMatrices | null; css: [number, number]; tokens: string | null; draw: number } | null = null;
  /** Counts draw() calls. */
  private draws = 0;
  /** The draw() each posted frame came from, by the frame's number, until it is answered. */
  private readonly drawIds = new Map<number, number>();
  /** The next frame's overlay is placed even if nothing changed (the page did not take the last one placed). */
  private fresh = false;
  private inFlight = false;
  private lost = false;
  private stopped = false;
  private sent: { blocks: SceneState['blocks']; highlights: unknown; callouts: unknown; links: unknown; tokens: string | null | undefined; params: Float32Array | null | undefined; values: { layout: number; trace: Trace | null } | null } = {
    blocks: {},
    highlights: null,
    callouts: null,
    links: null,
    tokens: undefined,
    params: undefined,
    values: null,
  };
  /**
   * Called once the frame in flight is drawn, and once the frame waiting to go (asked for or
   * committed) is; with false when it never will be (a lost context, a stopped worker).
   */
  private inFlightDrawn: ((drawn: boolean) => void)[] = [];
  private waitingDrawn: ((drawn: boolean) => void)[] = [];
  /** Numbers the frames posted: an answer for another frame than the one in flight (sent before a context loss) is not taken for it. */
  private seq = 0;
  private counts: ResourceCounts = { textures: 0, buffers: 0, programs: 0, vertexArrays: 0 };

  constructor(canvas: HTMLCanvasElement, events: RenderClientEvents) {
    this.events = events;
    const onPage = () => this.open(inThread(canvas, (m) => this.receive(m)));
    if (typeof Worker === 'undefined' || typeof canvas.transferControlToOffscreen !== 'function') {
      onPage();
      return;
    }
    let worker: Worker;
    try {
      worker = new Worker(workerUrl, { type: 'module' });
    } catch {
      onPage();
      return;
    }
    let handedOver = false;
    worker.onmessage = (e: MessageEvent<HostMessage | WorkerHello>) => {
      // Before the message is read: reading it decodes it, on this thread.
      const received = performance.now();
      const m = e.data;
      if (m.type !== 'hello') return this.receive(m, received);
      if (!m.webgl2) {
        worker.terminate();
        onPage();
        return;
      }
      const offscreen = canvas.transferControlToOffscreen();
      handedOver = true;
      worker.postMessage({ type: 'init', canvas: offscreen } satisfies PageMessage, [offscreen]);
      this.open({ send: (msg, transfer) => worker.postMessage(msg, transfer ?? []), stop: () => worker.terminate() });
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      // Before the canvas went over (the worker's file did not load or run): draw on the page.
      if (!handedOver) onPage();
      else this.receive({ type: 'failed', message: 'the drawing worker stopped' });
    };
  }

  /** The channel is decided: everything sent so far goes, in order. */
  private open(channel: { send: Send; stop: () => void }): void {
    this.channel = channel;
    const waiting = this.waiting ?? [];
    this.waiting = null;
    if (this.stopped) return channel.stop();
    for (const { m, transfer } of waiting) channel.send(m, transfer);
  }

  private send(m: PageMessage, transfer?: Transferable[]): void {
    if (this.stopped) return;
    if (this.waiting) this.waiting.push({ m, transfer });
    else this.channel?.send(m, transfer);
  }

  /** GPU objects the worker's context holds, as of the last frame it drew. */
  resources(): ResourceCounts {
    return { ...this.counts };
  }

  isContextLost(): boolean {
    return this.lost || this.stopped;
  }

  /** True while the worker has not yet drawn the frame sent last. */
  busy(): boolean {
    return this.inFlight;
  }

  setValues(layout: ModelLayout, trace: Trace | null, params: Float32Array | null): void {
    if (this.stopped) return;
    const id = this.layoutId(layout);
    const last = this.sent.values;
    if (last && last.layout === id && last.trace === trace && params === this.sent.params) return;
    this.sent.values = { layout: id, trace };
    const m: PageMessage = { type: 'values', layout: id, trace };
    if (params !== this.sent.params) m.params = this.sent.params = params;
    // New weights in values set since the last hand-off, and not sent, go with these.
    else if (this.values && 'params' in this.values) m.params = this.values.params;
    // A frame built for another layout would reach the worker after these values, and show that
    // layout without them: the next frame replaces it.
    if (this.next && this.next.layout !== layout) this.dropWaiting();
    // Sent in the hand-off task, before any frame after them (cloning a trace is not the frame's work).
    this.values = m;
    this.handOff();
  }

  /** The drawing buffer's size in device pixels, sent with the next frame (the renderer rounds it). */
  resize(width: number, height: number): void {
    this.pixels = [width, height];
  }

  /** The number of the last draw() (events.overlay names a frame by it). */
  get lastDraw(): number {
    return this.draws;
  }

  /**
   * The labels' font family: from now on the host places each frame's labels and arrows and
   * sends them back with the drawn frame (events.overlay).
   */
  placeOverlay(family: string): void {
    this.send({ type: 'overlay', family });
  }

  /**
   * The frame to draw next, seen from `state.camera` over a stage of `cssWidth` x `cssHeight`
   * (its labels over the tokens' cells spell `tokens`): returns its camera matrices. It is sent
   * by commit(), which the caller runs once the rest of its frame is done.
   */
  draw(layout: ModelLayout, state: SceneState, cssWidth: number, cssHeight: number, tokens: string | null = null): CameraMatrices {
    this.matrices = cameraMatrices(state.camera, cssWidth, cssHeight, sceneRadius(layout), this.matrices ?? undefined);
    this.draws++;
    if (!this.stopped) this.next = { layout, state, matrices: null, css: [cssWidth, cssHeight], tokens, draw: this.draws };
    return this.matrices;
  }

  /**
   * Sends the frame asked for by the last draw(): its message is built and posted in a task after
   * this one (or once the worker has drawn the frame in flight, if it has not yet), so the page's
   * frame ends sooner.
   */
  commit(): void {
    const next = this.next;
    if (!next || !this.matrices || this.stopped) return;
    if (!next.matrices) {
      // Copies: the page's matrices change with its next draw(), before this frame may go.
      const { view, viewProjection, origin, eye, pixelAngle } = this.matrices;
      next.matrices = { view: view.slice(), viewProjection: viewProjection.slice(), origin: [...origin], eye: [...eye], pixelAngle };
    }
    this.handOff();
  }

  /** Runs the hand-off (values, then the frame) in a task after this one, once. */
  private handOff(): void {
    if (this.handOffQueued) return;
    this.handOffQueued = true;
    setTimeout(() => {
      this.handOffQueued = false;
      this.post();
    }, 0);
  }

  /** Sends the values set since the last hand-off, timed as a hand-off of its own. */
  private sendValues(): void {
    const m = this.values;
    if (!m || this.stopped) return;
    this.values = null;
    const t0 = performance.now();
    this.send(m);
    this.timeHandOff(t0);
  }

  /**
   * The camera matrices of a rehearsed frame (SceneView.rehearse), and the frame's instance work
   * and label placement in the worker: one at a time, so that a frame never queues behind a run
   * of them there (one asked for while the worker has not finished the last sends nothing: its
   * director still ran on the page).
   */
  rehearse(layout: ModelLayout, state: SceneState, cssWidth: number, cssHeight: number, tokens: string | null = null): CameraMatrices {
    this.rehearsal = cameraMatrices(state.camera, cssWidth, cssHeight, sceneRadius(layout), this.rehearsal ?? undefined);
    if (this.stopped) return this.rehearsal;
    // Another model than the one drawn: its layout goes to the worker now, not in the frame that
    // first shows it; its instances wait for that frame (they need its values).
    const id = this.layoutId(layout);
    if (!this.rehearsing && this.sent.values?.layout === id) {
      this.rehearsing = true;
      const { view, viewProjection, origin } = this.rehearsal;
      const overlay = { matrices: { view, viewProjection, origin }, width: cssWidth, height: cssHeight, tokens, callouts: state.callouts, links: state.links };
      this.send({ type: 'rehearse', layout: id, blocks: state.blocks, highlights: state.highlights, dim: state.dim, overlay });
    }
    return this.rehearsal;
  }

  /**
   * Calls `done(true)` once the frame asked for last is drawn (at once when every frame is), or
   * `done(false)` when it never will be.
   */
  whenDrawn(done: (drawn: boolean) => void): void {
    if (this.stopped || this.lost) done(false);
    else if (this.next) this.waitingDrawn.push(done);
    else if (this.inFlight) this.inFlightDrawn.push(done);
    else done(true);
  }

  /** Loses (true) or restores (false) the worker's context: for the tests of recovery. */
  simulateContextLoss(lose: boolean): void {
    this.send({ type: 'lose', lose });
  }

  dispose(): void {
    this.stop();
  }

  /** Nothing more is drawn: the worker goes, and whatever waited for it is told. */
  private stop(): void {
    this.stopped = true;
    this.values = null;
    this.inFlight = false;
    this.waiting = null;
    this.channel?.stop();
    this.dropWaiting();
    this.settleWaiters();
  }

  private dropWaiting(): void {
    this.next = null;
    for (const done of this.waitingDrawn.splice(0)) done(false);
  }

  /**
   * Sends the values waiting, then posts the committed frame unless one is in flight; whether it
   * did. Its style patch is from the styles the worker holds now.
   */
  private post(): boolean {
    this.sendValues();
    const next = this.next;
    if (this.inFlight || !next?.matrices || this.lost || this.stopped) return false;
    this.next = null;
    const t0 = performance.now();
    const { layout, state } = next;
    const m: Extract<PageMessage, { type: 'frame' }> = { type: 'frame', seq: ++this.seq, layout: this.layoutId(layout), matrices: next.matrices, dim: state.dim, pixels: this.pixels, css: next.css };
    const sent = this.sent;
    if (state.blocks !== sent.blocks) m.blocks = stylePatch(sent.blocks, state.blocks);
    if (state.highlights !== sent.highlights) m.highlights = state.highlights;
    if (state.callouts !== sent.callouts) m.callouts = state.callouts;
    if (state.links !== sent.links) m.links = state.links ?? null;
    if (next.tokens !== sent.tokens) m.tokens = next.tokens;
    if (this.fresh) m.fresh = true;
    this.fresh = false;
    sent.blocks = state.blocks;
    sent.highlights = state.highlights;
    sent.callouts = state.callouts;
    sent.links = state.links;
    sent.tokens = next.tokens;
    this.inFlight = true;
    this.drawIds.set(m.seq, next.draw);
    [this.inFlightDrawn, this.waitingDrawn] = [this.waitingDrawn, this.inFlightDrawn];
    this.send(m);
    this.timeHandOff(t0);
    return true;
  }

  private timeHandOff(t0: number): void {
    this.handoffTimes.push(performance.now() - t0);
    if (this.handoffTimes.length > HANDOFF_HISTORY) this.handoffTimes.splice(0, this.handoffTimes.length - HANDOFF_HISTORY);
  }

  /** Nothing asked for will be drawn (a lost context, a stopped worker): nobody waits for it. */
  private settleWaiters(): void {
    for (const done of [...this.inFlightDrawn.splice(0), ...this.waitingDrawn.splice(0)]) done(false);
  }

  private layoutId(layout: ModelLayout): number {
    let id = this.layoutIds.get(layout);
    if (id === undefined) {
      id = this.nextLayout++;
      this.layoutIds.set(layout, id);
      this.send({ type: 'layout', id, layout, flows: flowSegments(layout) });
    }
    return id;
  }

  private receive(m: HostMessage, received = performance.now()): void {
    switch (m.type) {
      case 'drawn':
        this.counts = m.resources;
        this.drawCalls = m.drawCalls;
        if (!this.inFlight || m.seq !== this.seq) {
          // Labels of a frame given up (sent before a context loss): the host takes them for shown.
          if (m.overlay) this.fresh = true;
          this.drawIds.delete(m.seq);
          break;
        }
        this.inFlight = false;
        // The labels first: whoever waits for the drawn frame finds them on the page.
        try {
          if (m.overlay) this.events.overlay?.(m.overlay, this.drawIds.get(m.seq) ?? -1, received);
        } finally {
          this.drawIds.delete(m.seq);
          for (const done of this.inFlightDrawn.splice(0)) done(true);
        }
        this.post();
        break;
      case 'rehearsed':
        this.rehearsing = false;
        break;
      case 'lost':
        this.lost = true;
        this.inFlight = false;
        // The frame in flight is given up: whatever the host placed for it, the next is placed afresh.
        this.fresh = true;
        this.drawIds.clear();
        this.settleWaiters();
        this.events.lost?.();
        break;
      case 'restored':
        this.lost = false;
        this.counts = m.resources;
        this.events.restored?.();
        break;
      case 'unavailable':
      case 'failed':
        if (this.stopped) break;
        this.stop();
        this.events.unavailable(m.message, m.type === 'failed');
        break;
    }
  }
}

/**
 * The host on this thread, from the worker's own file (so the page carries no second copy of the
 * drawing code): loaded on demand, messages before it loads wait in order; its answers come back
 * after the current task, as a worker's would. `init` with the page's own canvas goes first.
 */
function inThread(canvas: HTMLCanvasElement, receive: (m: HostMessage) => void): { send: Send; stop: () => void } {
  let handle: ((m: PageMessage) => void) | null = null;
  let stopped = false;
  const waiting: PageMessage[] = [{ type: 'init', canvas }];
  const fail = (message: string) => receive({ type: 'failed', message });
  // The host answers its own errors; one it cannot (on this thread, thrown back here) stops the drawing too.
  const take = (m: PageMessage) => {
    try {
      handle!(m);
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
    }
  };
  import(/* @vite-ignore */ workerUrl).then(
    () => {
      const host = (globalThis as Record<string, unknown>)[MAIN_THREAD_HOST] as typeof renderHost | undefined;
      if (stopped) return;
      if (!host) return fail('the drawing code could not be loaded');
      handle = host((m) => queueMicrotask(() => !stopped && receive(m)));
      for (const m of waiting.splice(0)) take(m);
    },
    () => fail('the drawing code could not be loaded'),
  );
  return {
    send: (m) => (handle ? take(m) : waiting.push(m)),
    stop: () => (stopped = true),
  };
}

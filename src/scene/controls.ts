/**
 * Pointer, wheel, touch and keyboard input on the scene canvas, turned into camera goals (the
 * view eases the shown camera toward them) and hover / tap positions.
 *
 * Mouse: drag pans, right-drag or shift-drag orbits, wheel zooms toward the pointer.
 * Touch: one finger pans, two fingers pinch-zoom (toward their midpoint), pan and twist-orbit;
 *        a tap shows the tooltip of the cell under it.
 * Keys (canvas focused): arrows orbit, shift+arrows pan, + / - zoom, 0 or Home resets, Enter
 *        explains the cell at the centre of the view, Esc hides the tooltip.
 *
 * In the article the canvas must not steal the page's scrolling: with captureTouch false the
 * browser keeps vertical one-finger pans (touch-action: pan-y), and with captureWheel false the
 * wheel zooms only while Ctrl/⌘ is held.
 */
import { orbit, pan, zoomAt, type ZoomLimits } from './camera.ts';
import type { CameraState } from './types.ts';

export interface ControlsOptions {
  /** One-finger drags move the camera even vertically (the page cannot be scrolled from the canvas). */
  captureTouch: boolean;
  /** The wheel zooms without a modifier key (the page cannot be scrolled over the canvas). */
  captureWheel: boolean;
}

export interface ControlsTarget {
  /** The camera the view is heading to (not the eased one on screen). */
  goal(): CameraState;
  setGoal(camera: CameraState): void;
  reset(): void;
  /** Pointer position in CSS pixels inside the canvas, or null when it left / the tooltip should close. */
  hover(at: { x: number; y: number } | null): void;
  limits(): ZoomLimits;
}

/** Radians of orbit per CSS pixel of drag. */
const ORBIT_PER_PX = 0.006;
const KEY_ORBIT = 0.12;
const KEY_PAN_PX = 60;
const KEY_ZOOM = 1.25;
/** A touch that moved less than this (CSS px) and lasted less than TAP_MS is a tap. */
const TAP_PX = 8;
const TAP_MS = 450;

interface Pointer {
  x: number;
  y: number;
  startX: number;
  startY: number;
  startTime: number;
  type: string;
  mode: 'pan' | 'orbit';
}

export class CameraControls {
  private readonly canvas: HTMLCanvasElement;
  private readonly target: ControlsTarget;
  private readonly options: ControlsOptions;
  private readonly pointers = new Map<number, Pointer>();
  private readonly abort = new AbortController();

  constructor(canvas: HTMLCanvasElement, target: ControlsTarget, options: ControlsOptions) {
    this.canvas = canvas;
    this.target = target;
    this.options = options;
    canvas.style.touchAction = options.captureTouch ? 'none' : 'pan-y';
    const on = <K extends keyof HTMLElementEventMap>(type: K, fn: (e: HTMLElementEventMap[K]) => void, passive = true) =>
      canvas.addEventListener(type, fn, { signal: this.abort.signal, passive });
    on('pointerdown', (e) => this.down(e));
    on('pointermove', (e) => this.move(e));
    on('pointerup', (e) => this.up(e));
    on('pointercancel', (e) => this.cancel(e));
    on('pointerleave', (e) => {
      if (e.pointerType === 'mouse' && this.pointers.size === 0) target.hover(null);
    });
    on('wheel', (e) => this.wheel(e), false);
    on('keydown', (e) => this.key(e), false);
    on('contextmenu', (e) => e.preventDefault(), false);
  }

  dispose(): void {
    this.abort.abort();
  }

  private local(e: PointerEvent | WheelEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(1, this.canvas.clientWidth), height: Math.max(1, this.canvas.clientHeight) };
  }

  private down(e: PointerEvent): void {
    const p = this.local(e);
    const mode = e.pointerType === 'mouse' && (e.button === 2 || e.shiftKey) ? 'orbit' : 'pan';
    if (e.pointerType === 'mouse' && e.button !== 0 && e.button !== 2) return;
    this.pointers.set(e.pointerId, { ...p, startX: p.x, startY: p.y, startTime: e.timeStamp, type: e.pointerType, mode });
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // The pointer is already gone (released, or a synthetic event): dragging still works while over the canvas.
    }
    if (e.pointerType === 'mouse') this.target.hover(null);
  }

  private move(e: PointerEvent): void {
    const at = this.local(e);
    const p = this.pointers.get(e.pointerId);
    if (!p) {
      if (e.pointerType === 'mouse') this.target.hover(at);
      return;
    }
    const dx = at.x - p.x;
    const dy = at.y - p.y;
    if (this.pointers.size >= 2 && p.type === 'touch') {
      this.twoFingers(e.pointerId, at);
      return;
    }
    p.x = at.x;
    p.y = at.y;
    const goal = this.target.goal();
    const { height } = this.size();
    if (p.mode === 'orbit') this.target.setGoal(orbit(goal, -dx * ORBIT_PER_PX, dy * ORBIT_PER_PX));
    else this.target.setGoal(pan(goal, dx, dy, height));
  }

  /** Pinch to zoom toward the midpoint, move the midpoint to pan, twist to orbit. */
  private twoFingers(id: number, at: { x: number; y: number }): void {
    const [a, b] = [...this.pointers.entries()].slice(0, 2);
    if (!a || !b) return;
    const before = { a: { ...a[1] }, b: { ...b[1] } };
    const moved = id === a[0] ? a[1] : id === b[0] ? b[1] : null;
    if (!moved) return;
    moved.x = at.x;
    moved.y = at.y;
    const mid0 = { x: (before.a.x + before.b.x) / 2, y: (before.a.y + before.b.y) / 2 };
    const mid1 = { x: (a[1].x + b[1].x) / 2, y: (a[1].y + b[1].y) / 2 };
    const d0 = Math.hypot(before.a.x - before.b.x, before.a.y - before.b.y);
    const d1 = Math.hypot(a[1].x - b[1].x, a[1].y - b[1].y);
    const angle0 = Math.atan2(before.b.y - before.a.y, before.b.x - before.a.x);
    const angle1 = Math.atan2(b[1].y - a[1].y, b[1].x - a[1].x);
    const { width, height } = this.size();
    let goal = pan(this.target.goal(), mid1.x - mid0.x, mid1.y - mid0.y, height);
    if (d0 > 1 && d1 > 1) {
      const ndcX = (mid1.x / width) * 2 - 1;
      const ndcY = 1 - (mid1.y / height) * 2;
      goal = zoomAt(goal, d0 / d1, ndcX, ndcY, width / height, this.target.limits());
    }
    let twist = angle1 - angle0;
    if (twist > Math.PI) twist -= 2 * Math.PI;
    if (twist < -Math.PI) twist += 2 * Math.PI;
    goal = orbit(goal, -twist, 0);
    this.target.setGoal(goal);
  }

  private up(e: PointerEvent): void {
    const p = this.pointers.get(e.pointerId);
    this.pointers.delete(e.pointerId);
    if (!p) return;
    const at = this.local(e);
    const still = Math.hypot(at.x - p.startX, at.y - p.startY) < TAP_PX;
    if (p.type !== 'mouse' && still && e.timeStamp - p.startTime < TAP_MS && this.pointers.size === 0) this.target.hover(at);
    else if (p.type === 'mouse' && still) this.target.hover(at);
  }

  private cancel(e: PointerEvent): void {
    this.pointers.delete(e.pointerId);
  }

  private wheel(e: WheelEvent): void {
    if (!this.options.captureWheel && !e.ctrlKey && !e.metaKey) return;
    e.preventDefault();
    // Lines and pages are ~16 and ~800 px of scroll; a 100 px notch zooms by about 16%.
    const px = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 800 : 1);
    const factor = Math.exp(Math.max(-300, Math.min(300, px)) * 0.0015);
    const { width, height } = this.size();
    const at = this.local(e);
    const ndcX = (at.x / width) * 2 - 1;
    const ndcY = 1 - (at.y / height) * 2;
    this.target.setGoal(zoomAt(this.target.goal(), factor, ndcX, ndcY, width / height, this.target.limits()));
  }

  private key(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const goal = this.target.goal();
    const { width, height } = this.size();
    const zoom = (f: number) => this.target.setGoal(zoomAt(goal, f, 0, 0, width / height, this.target.limits()));
    const arrow = (dx: number, dy: number) =>
      this.target.setGoal(e.shiftKey ? pan(goal, -dx * KEY_PAN_PX, -dy * KEY_PAN_PX, height) : orbit(goal, -dx * KEY_ORBIT, dy * KEY_ORBIT));
    switch (e.key) {
      case 'ArrowLeft':
        arrow(-1, 0);
        break;
      case 'ArrowRight':
        arrow(1, 0);
        break;
      case 'ArrowUp':
        arrow(0, -1);
        break;
      case 'ArrowDown':
        arrow(0, 1);
        break;
      case '+':
      case '=':
        zoom(1 / KEY_ZOOM);
        break;
      case '-':
      case '_':
        zoom(KEY_ZOOM);
        break;
      case '0':
      case 'Home':
        this.target.reset();
        break;
      case 'Enter':
        // Keyboard stand-in for hovering: explain the cell at the centre of the view.
        this.target.hover({ x: width / 2, y: height / 2 });
        break;
      case 'Escape':
        this.target.hover(null);
        return;
      default:
        return;
    }
    e.preventDefault();
  }
}

/**
 * The two ends of the label layer that touch the outside world, kept free of its logic:
 * LabelElements, the pooled <span>s that show placed labels, and ScreenProjector, which turns
 * world boxes and points into CSS-pixel screen positions for one frame without allocating.
 */
import { projectXYZ, type ScreenMatrices } from './camera.ts';
import { copyRect, type Rect } from './placement.ts';
import type { Block, Vec3 } from './types.ts';

interface Shown {
  text: string;
  cls: string;
  w: number;
  h: number;
  x: number;
  y: number;
  hidden: boolean;
}

/**
 * Pooled label elements under one root; each remembers what it shows, so a frame writes only what
 * changed and reads nothing back. A label shown again keeps the element that showed its text the
 * frame before: while the camera moves, most labels only move, though others come and go before
 * them in priority order.
 */
export class LabelElements {
  private readonly pool: HTMLElement[] = [];
  private readonly state: Shown[] = [];
  /** This frame's labels, in the order shown, and the element each is given. */
  private readonly queued: { text: string; cls: string; r: Rect; at: number }[] = [];
  private n = 0;
  /** The element that showed each text in the last frame. */
  private readonly byText = new Map<string, number>();
  /** The frame each element was last given in; `frame` counts frames. */
  private readonly given: number[] = [];
  private frame = 0;
  private readonly root: HTMLElement;

  constructor(root: HTMLElement) {
    this.root = root;
  }

  /** Queues `text` in the box `r` for this frame (written by end()). */
  show(text: string, cls: string, r: Rect): void {
    const q = (this.queued[this.n] ??= { text, cls, r: { x0: 0, y0: 0, x1: 0, y1: 0 }, at: -1 });
    this.n++;
    q.text = text;
    q.cls = cls;
    copyRect(q.r, r);
    // Its element of the last frame, unless a label of the same text took it already.
    const i = this.byText.get(text);
    q.at = i !== undefined && this.given[i] !== this.frame + 1 ? i : -1;
    if (q.at >= 0) this.given[i!] = this.frame + 1;
  }

  /** Writes the frame's labels to their elements and hides the elements left over. */
  end(): void {
    const frame = ++this.frame;
    let free = 0;
    // The last frame's texts were read by show(): the map now notes this frame's.
    this.byText.clear();
    for (let k = 0; k < this.n; k++) {
      const q = this.queued[k]!;
      if (q.at < 0) {
        while (free < this.pool.length && this.given[free] === frame) free++;
        if (free === this.pool.length) this.add();
        this.given[(q.at = free)] = frame;
      }
      this.write(q.at, q.text, q.cls, q.r);
      this.byText.set(q.text, q.at);
    }
    for (let i = 0; i < this.pool.length; i++) {
      if (this.given[i] === frame || this.state[i]!.hidden) continue;
      this.pool[i]!.style.display = 'none';
      this.state[i]!.hidden = true;
    }
    this.n = 0;
  }

  private add(): void {
    const el = document.createElement('span');
    this.root.appendChild(el);
    this.pool.push(el);
    this.given.push(0);
    this.state.push({ text: '', cls: '', w: -1, h: -1, x: NaN, y: NaN, hidden: true });
  }

  private write(i: number, text: string, cls: string, r: Rect): void {
    const el = this.pool[i]!;
    const was = this.state[i]!;
    if (was.text !== text) {
      // The text node's data, when there is one: half the cost of textContent, which makes a new node.
      if (el.firstChild) (el.firstChild as Text).data = text;
      else el.textContent = text;
      was.text = text;
    }
    if (was.cls !== cls) el.className = was.cls = cls;
    const w = r.x1 - r.x0;
    const h = r.y1 - r.y0;
    if (was.w !== w) el.style.width = `${(was.w = w)}px`;
    if (was.h !== h) el.style.height = `${(was.h = h)}px`;
    if (was.hidden) {
      el.style.display = '';
      was.hidden = false;
    }
    if (was.x !== r.x0 || was.y !== r.y0) {
      was.x = r.x0;
      was.y = r.y0;
      el.style.transform = `translate(${r.x0}px, ${r.y0}px)`;
    }
  }
}

/** World to screen for one frame. Results land in `box` and `point`, reused from call to call. */
export class ScreenProjector {
  matrices: ScreenMatrices | null = null;
  width = 1;
  height = 1;
  /** The last projected rectangle; `partial` when some corner was behind the eye (it is then unsure). */
  readonly box: Rect & { partial: boolean } = { x0: 0, y0: 0, x1: 0, y1: 0, partial: false };
  /** The last projected point, CSS px. */
  readonly point = new Float32Array(3);
  private readonly lo: Vec3 = [0, 0, 0];
  private readonly hi: Vec3 = [0, 0, 0];

  begin(matrices: ScreenMatrices, width: number, height: number): void {
    this.matrices = matrices;
    this.width = width;
    this.height = height;
  }

  /** The screen rectangle of the world box [min, max] shifted by `off`; false when wholly behind the eye or off screen. */
  project(min: Vec3, max: Vec3, off: Vec3 | undefined): boolean {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    let behind = 0;
    const t = this.point;
    for (let i = 0; i < 8; i++) {
      if (!this.at((i & 1 ? max[0] : min[0]) + (off ? off[0] : 0), (i & 2 ? max[1] : min[1]) + (off ? off[1] : 0), (i & 4 ? max[2] : min[2]) + (off ? off[2] : 0))) {
        behind++;
        continue;
      }
      x0 = Math.min(x0, t[0]!);
      y0 = Math.min(y0, t[1]!);
      x1 = Math.max(x1, t[0]!);
      y1 = Math.max(y1, t[1]!);
    }
    if (behind === 8) return false;
    if (behind === 0 && (x1 < 0 || y1 < 0 || x0 > this.width || y0 > this.height)) return false;
    const b = this.box;
    b.x0 = x0;
    b.y0 = y0;
    b.x1 = x1;
    b.y1 = y1;
    b.partial = behind > 0;
    return true;
  }

  /**
   * The screen rectangle of rows [r0, r1) x cols [c0, c1) of block `b` (all of it by default),
   * moved by `off` and `lift`; false when off screen or partly behind the eye.
   */
  cells(b: Block, off: Vec3 | undefined, r0 = 0, r1 = b.rows.size, c0 = 0, c1 = b.cols.size, lift?: Vec3): boolean {
    const cw = b.size[0] / b.cols.size;
    const ch = b.size[1] / b.rows.size;
    const lo = this.lo;
    const hi = this.hi;
    lo[0] = b.position[0] + c0 * cw + (lift ? lift[0] : 0);
    lo[1] = b.position[1] - r1 * ch + (lift ? lift[1] : 0);
    lo[2] = b.position[2] - b.size[2] + (lift ? lift[2] : 0);
    hi[0] = b.position[0] + c1 * cw + (lift ? lift[0] : 0);
    hi[1] = b.position[1] - r0 * ch + (lift ? lift[1] : 0);
    hi[2] = b.position[2] + (lift ? lift[2] : 0);
    return this.project(lo, hi, off) && !this.box.partial;
  }

  /** The screen position of a point of block `b` in cell coordinates (fractional allowed; -0.5 is an edge); false when behind the eye. */
  cellPoint(b: Block, row: number, col: number, off: Vec3 | undefined): boolean {
    return this.at(
      b.position[0] + (off ? off[0] : 0) + (col + 0.5) * (b.size[0] / b.cols.size),
      b.position[1] + (off ? off[1] : 0) - (row + 0.5) * (b.size[1] / b.rows.size),
      b.position[2] + (off ? off[2] : 0),
    );
  }

  /** The screen position of world point `p` shifted by `off`; false when behind the eye. */
  shifted(p: Vec3, off: Vec3 | undefined): boolean {
    return this.at(p[0] + (off ? off[0] : 0), p[1] + (off ? off[1] : 0), p[2] + (off ? off[2] : 0));
  }

  /** The world point (x, y, z) on screen, into `point` (x, y in CSS px, then the depth); false when behind the eye. */
  private at(x: number, y: number, z: number): boolean {
    return projectXYZ(this.matrices!, x, y, z, this.width, this.height, this.point);
  }
}

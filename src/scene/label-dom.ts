/**
 * The two ends of the label layer that touch the outside world, kept free of its logic:
 * LabelElements, the pooled <span>s that show placed labels, and ScreenProjector, which turns
 * world boxes and points into CSS-pixel screen positions for one frame without allocating.
 */
import type { CameraMatrices } from './camera.ts';
import type { Rect } from './placement.ts';
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

/** One label of this frame, waiting for LabelElements.end() to give it an element. */
interface Queued {
  text: string;
  cls: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Pooled label elements under one root; each remembers what it shows, so a frame writes only what
 * changed and reads nothing back. A label keeps the element that showed the same text last frame:
 * while the camera moves, names come and go as groups open and close, and handing out elements in
 * placement order would rewrite the text, class and size of every label after the first change.
 */
export class LabelElements {
  private readonly pool: HTMLElement[] = [];
  private readonly state: Shown[] = [];
  private readonly queue: Queued[] = [];
  private queued = 0;
  /** Per queued label, the element it gets; per element, whether a label of this frame took it. */
  private readonly slot: number[] = [];
  private readonly taken: boolean[] = [];
  private readonly root: HTMLElement;

  constructor(root: HTMLElement) {
    this.root = root;
  }

  /** Starts a frame's labels: show() each, then end(). */
  begin(): void {
    this.queued = 0;
  }

  /** Shows `text` with class `cls` in the box `r` this frame. */
  show(text: string, cls: string, r: Rect): void {
    let q = this.queue[this.queued];
    if (!q) this.queue.push((q = { text, cls, x0: 0, y0: 0, x1: 0, y1: 0 }));
    this.queued++;
    q.text = text;
    q.cls = cls;
    q.x0 = r.x0;
    q.y0 = r.y0;
    q.x1 = r.x1;
    q.y1 = r.y1;
  }

  /** Puts this frame's labels on elements (the one that showed the same text, where there is one) and hides the rest. */
  end(): void {
    const { pool, state, queue, slot, taken } = this;
    const n = this.queued;
    for (let i = 0; i < pool.length; i++) taken[i] = false;
    for (let k = 0; k < n; k++) {
      const q = queue[k]!;
      slot[k] = -1;
      for (let i = 0; i < pool.length; i++) {
        const s = state[i]!;
        if (taken[i] || s.hidden || s.text !== q.text || s.cls !== q.cls) continue;
        slot[k] = i;
        taken[i] = true;
        break;
      }
    }
    let free = 0;
    for (let k = 0; k < n; k++) {
      if (slot[k]! >= 0) continue;
      while (free < pool.length && taken[free]) free++;
      if (free === pool.length) this.add();
      slot[k] = free;
      taken[free] = true;
    }
    for (let k = 0; k < n; k++) this.write(slot[k]!, queue[k]!);
    for (let i = 0; i < pool.length; i++) {
      if (taken[i] || state[i]!.hidden) continue;
      pool[i]!.style.display = 'none';
      state[i]!.hidden = true;
    }
  }

  /** Hides every label. */
  clear(): void {
    this.begin();
    this.end();
  }

  private add(): void {
    const el = document.createElement('span');
    this.root.appendChild(el);
    this.pool.push(el);
    this.state.push({ text: '', cls: '', w: -1, h: -1, x: NaN, y: NaN, hidden: true });
    this.taken.push(false);
  }

  private write(i: number, q: Queued): void {
    const el = this.pool[i]!;
    const was = this.state[i]!;
    if (was.text !== q.text) el.textContent = was.text = q.text;
    if (was.cls !== q.cls) el.className = was.cls = q.cls;
    const w = q.x1 - q.x0;
    const h = q.y1 - q.y0;
    if (was.w !== w) el.style.width = `${(was.w = w)}px`;
    if (was.h !== h) el.style.height = `${(was.h = h)}px`;
    if (was.hidden) {
      el.style.display = '';
      was.hidden = false;
    }
    if (was.x !== q.x0 || was.y !== q.y0) {
      was.x = q.x0;
      was.y = q.y0;
      el.style.transform = `translate(${q.x0}px, ${q.y0}px)`;
    }
  }
}

/** World to screen for one frame. Results land in `box` and `point`, reused from call to call. */
export class ScreenProjector {
  matrices: CameraMatrices | null = null;
  width = 1;
  height = 1;
  /** The last projected rectangle; `partial` when some corner was behind the eye (it is then unsure). */
  readonly box: Rect & { partial: boolean } = { x0: 0, y0: 0, x1: 0, y1: 0, partial: false };
  /** The last projected point, CSS px. */
  readonly point = new Float32Array(3);
  private readonly lo: Vec3 = [0, 0, 0];
  private readonly hi: Vec3 = [0, 0, 0];

  begin(matrices: CameraMatrices, width: number, height: number): void {
    this.matrices = matrices;
    this.width = width;
    this.height = height;
  }

  /**
   * The screen rectangle of the world box [min, max] shifted by `off`; false when wholly behind
   * the eye or off screen. The eight corners are the first one plus the box's edges, each edge
   * carried through the matrices once (what projectPoint does per point, with no scratch copies):
   * a whole-model view projects some hundred boxes a frame.
   */
  project(min: Vec3, max: Vec3, off: Vec3 | undefined): boolean {
    const m = this.matrices!;
    const v = m.view;
    const c = m.viewProjection;
    const x = min[0] + (off ? off[0] : 0) - m.origin[0];
    const y = min[1] + (off ? off[1] : 0) - m.origin[1];
    const z = min[2] + (off ? off[2] : 0) - m.origin[2];
    const dx = max[0] - min[0];
    const dy = max[1] - min[1];
    const dz = max[2] - min[2];
    // Clip x, y, w and view depth at the first corner, and what each edge adds to them.
    const bx = c[0]! * x + c[4]! * y + c[8]! * z + c[12]!;
    const by = c[1]! * x + c[5]! * y + c[9]! * z + c[13]!;
    const bw = c[3]! * x + c[7]! * y + c[11]! * z + c[15]!;
    const bz = v[2]! * x + v[6]! * y + v[10]! * z + v[14]!;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    let behind = 0;
    for (let i = 0; i < 8; i++) {
      const ex = i & 1 ? dx : 0;
      const ey = i & 2 ? dy : 0;
      const ez = i & 4 ? dz : 0;
      if (bz + v[2]! * ex + v[6]! * ey + v[10]! * ez > -1e-9) {
        behind++;
        continue;
      }
      const w = bw + c[3]! * ex + c[7]! * ey + c[11]! * ez;
      const sx = ((bx + c[0]! * ex + c[4]! * ey + c[8]! * ez) / w) * 0.5 + 0.5;
      const sy = 0.5 - ((by + c[1]! * ex + c[5]! * ey + c[9]! * ez) / w) * 0.5;
      const px = sx * this.width;
      const py = sy * this.height;
      if (px < x0) x0 = px;
      if (py < y0) y0 = py;
      if (px > x1) x1 = px;
      if (py > y1) y1 = py;
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

  /** The world point (x, y, z) on screen, into `point` (x, y in CSS px, then the depth), as projectPoint does; false when behind the eye. */
  private at(x: number, y: number, z: number): boolean {
    const m = this.matrices!;
    const v = m.view;
    const c = m.viewProjection;
    x -= m.origin[0];
    y -= m.origin[1];
    z -= m.origin[2];
    const depth = v[2]! * x + v[6]! * y + v[10]! * z + v[14]!;
    if (depth > -1e-9) return false;
    const w = c[3]! * x + c[7]! * y + c[11]! * z + c[15]!;
    this.point[0] = (((c[0]! * x + c[4]! * y + c[8]! * z + c[12]!) / w) * 0.5 + 0.5) * this.width;
    this.point[1] = (0.5 - ((c[1]! * x + c[5]! * y + c[9]! * z + c[13]!) / w) * 0.5) * this.height;
    this.point[2] = -depth;
    return true;
  }
}

/**
 * Screen-space geometry for the step audit (scripts/lib/audit-measure.ts): rectangles and the
 * convex outlines of projected boxes, in CSS pixels with y down.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function boundsOf(points: readonly Point[]): Rect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return { x0, y0, x1, y1 };
}

export function intersect(a: Rect, b: Rect): Rect | null {
  const r = { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
  return r.x1 > r.x0 && r.y1 > r.y0 ? r : null;
}

export function area(r: Rect): number {
  return Math.max(0, r.x1 - r.x0) * Math.max(0, r.y1 - r.y0);
}

/** How far (px) `inner` sticks out of `outer` on each side; all zero when it is inside. */
export function overshoot(inner: Rect, outer: Rect): { left: number; top: number; right: number; bottom: number } {
  return {
    left: Math.max(0, outer.x0 - inner.x0),
    top: Math.max(0, outer.y0 - inner.y0),
    right: Math.max(0, inner.x1 - outer.x1),
    bottom: Math.max(0, inner.y1 - outer.y1),
  };
}

/** Convex hull of points (Andrew's monotone chain), as a closed polygon without repeated points. */
export function convexHull(points: readonly Point[]): Point[] {
  const pts = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (pts.length < 3) return pts;
  const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/** Area of a simple polygon (shoelace), always >= 0. */
export function polygonArea(poly: readonly Point[]): number {
  let s = 0;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i]!;
    const b = poly[(i + 1) % poly.length]!;
    s += a.x * b.y - b.x * a.y;
  }
  return Math.abs(s) / 2;
}

/** Area of a convex polygon inside a rectangle (Sutherland-Hodgman clipping against its four edges). */
export function convexRectOverlap(poly: readonly Point[], r: Rect): number {
  let out: Point[] = [...poly];
  const edges: [(p: Point) => number, 'x' | 'y', number][] = [
    [(p) => p.x - r.x0, 'x', r.x0],
    [(p) => r.x1 - p.x, 'x', r.x1],
    [(p) => p.y - r.y0, 'y', r.y0],
    [(p) => r.y1 - p.y, 'y', r.y1],
  ];
  for (const [inside, axis, at] of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const a = input[i]!;
      const b = input[(i + 1) % input.length]!;
      const da = inside(a);
      const db = inside(b);
      if (da >= 0) out.push(a);
      if (da >= 0 !== db >= 0) {
        const k = da / (da - db);
        const p = { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
        p[axis] = at;
        out.push(p);
      }
    }
    if (out.length === 0) return 0;
  }
  return polygonArea(out);
}

/**
 * Time helpers for directors. Every animation is derived from a step's local time t in [0, 1],
 * never accumulated frame to frame: a beat's own progress is clamp((t - start) / duration),
 * shaped by an easing curve from d3-ease. Scrubbing backwards, jumping to a deep link and
 * reduced motion (t = 1 at once) therefore all give the same picture.
 */
import { easeCubicInOut, easeLinear } from 'd3-ease';
import type { CameraState, Vec3 } from '../scene/types.ts';

export type Ease = (t: number) => number;

export function clamp(x: number, lo = 0, hi = 1): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Progress of a beat that starts at `start` and lasts `duration` (both in step time), eased. */
export function beat(t: number, start: number, duration: number, ease: Ease = easeCubicInOut): number {
  if (duration <= 0) return t >= start ? 1 : 0;
  return ease(clamp((t - start) / duration));
}

/**
 * Splits [0, 1] into consecutive beats with the given relative lengths and returns each
 * beat's eased progress at t. `beats(t, { move: 1, pause: 0.5, fill: 3 })` gives
 * { move, pause, fill }, each in [0, 1].
 */
export function beats<K extends string>(t: number, lengths: Record<K, number>, ease: Ease = easeCubicInOut): Record<K, number> {
  const keys = Object.keys(lengths) as K[];
  const total = keys.reduce((s, k) => s + lengths[k], 0);
  const out = {} as Record<K, number>;
  let start = 0;
  for (const k of keys) {
    const d = lengths[k] / total;
    out[k] = beat(t, start, d, ease);
    start += d;
  }
  return out;
}

export function lerp(a: number, b: number, u: number): number {
  return a + (b - a) * u;
}

export function lerpVec(a: Vec3, b: Vec3, u: number): Vec3 {
  return [lerp(a[0], b[0], u), lerp(a[1], b[1], u), lerp(a[2], b[2], u)];
}

/**
 * u of the way from `a` to `b`, risen toward the viewer (+z) by up to `lift` mid-way: how a block
 * moves past what lies between its two places, in front of it. Exactly `b` from u = 1 on.
 */
export function arcVec(a: Vec3, b: Vec3, u: number, lift: number): Vec3 {
  if (u >= 1) return [b[0], b[1], b[2]];
  const p = lerpVec(a, b, u);
  p[2] += lift * Math.sin(Math.PI * u);
  return p;
}

/** Shortest-way interpolation of an angle in radians. */
export function lerpAngle(a: number, b: number, u: number): number {
  let d = (b - a) % (2 * Math.PI);
  if (d > Math.PI) d -= 2 * Math.PI;
  if (d < -Math.PI) d += 2 * Math.PI;
  return a + d * u;
}

/** Camera in between two cameras; distance interpolates geometrically so zooms feel even. */
export function lerpCamera(a: CameraState, b: CameraState, u: number): CameraState {
  // Exact at the ends (exp(log(x)) is not always x), so a finished move lands precisely.
  if (u <= 0) return { ...a, target: [...a.target] };
  if (u >= 1) return { ...b, target: [...b.target] };
  return {
    target: lerpVec(a.target, b.target, u),
    distance: Math.exp(lerp(Math.log(a.distance), Math.log(b.distance), u)),
    yaw: lerpAngle(a.yaw, b.yaw, u),
    pitch: lerp(a.pitch, b.pitch, u),
  };
}

/** How many of n items have appeared when progress is u (0 at u = 0, n at u = 1). */
export function countAt(n: number, u: number): number {
  return Math.floor(clamp(u) * n + 1e-9);
}

export { easeLinear };

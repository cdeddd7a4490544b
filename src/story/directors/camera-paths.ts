/**
 * Camera paths for long moves, shared by the generation and scale chapters. A plain lerpCamera
 * pans at a fixed speed whatever the distance, so a move across the whole model at close range
 * would rush cells past the viewer faster than the eye can follow; these paths keep the apparent
 * (on-screen) speed even. Pure functions of u in [0, 1].
 */
import type { CameraState, Vec3 } from '../../scene/types.ts';
import { clamp, lerp, lerpAngle } from '../beats.ts';

const SAMPLES = 64;

/**
 * From `a` to `b` by rising to about `height` (a viewing distance) half way and coming down
 * again, like a flight. The target advances in proportion to the distance, so its on-screen speed
 * stays constant along the whole path.
 */
export function fly(a: CameraState, b: CameraState, u: number, height: number): CameraState {
  const x = clamp(u);
  if (x <= 0) return { ...a, target: [...a.target] };
  if (x >= 1) return { ...b, target: [...b.target] };
  const la = Math.log(a.distance);
  const lb = Math.log(b.distance);
  const bump = Math.max(0, Math.log(height) - (la + lb) / 2);
  const logDistance = (v: number) => lerp(la, lb, v) + bump * Math.sin(Math.PI * v);
  // Cumulative integral of the distance (trapezoids): the share of the way the target has moved.
  let total = 0;
  let done = 0;
  let prev = Math.exp(logDistance(0));
  for (let i = 1; i <= SAMPLES; i++) {
    const v = i / SAMPLES;
    const d = Math.exp(logDistance(v));
    const area = ((prev + d) / 2) / SAMPLES;
    total += area;
    if (v <= x) done += area;
    else if (v - 1 / SAMPLES < x) done += area * ((x - (v - 1 / SAMPLES)) * SAMPLES);
    prev = d;
  }
  const s = done / total;
  const target: Vec3 = [lerp(a.target[0], b.target[0], s), lerp(a.target[1], b.target[1], s), lerp(a.target[2], b.target[2], s)];
  return { target, distance: Math.exp(logDistance(x)), yaw: lerpAngle(a.yaw, b.yaw, x), pitch: lerp(a.pitch, b.pitch, x) };
}

/**
 * From `a` to `b` as a zoom about a fixed point: `anchor` slides linearly across the screen
 * (relative to the view's size) while the distance changes geometrically, so a pull-back from a
 * close view keeps what was in it in sight as it shrinks.
 */
export function zoomAbout(a: CameraState, b: CameraState, anchor: Vec3, u: number): CameraState {
  const x = clamp(u);
  if (x <= 0) return { ...a, target: [...a.target] };
  if (x >= 1) return { ...b, target: [...b.target] };
  const distance = Math.exp(lerp(Math.log(a.distance), Math.log(b.distance), x));
  const target = [0, 1, 2].map((i) => {
    const ra = (a.target[i]! - anchor[i]!) / a.distance;
    const rb = (b.target[i]! - anchor[i]!) / b.distance;
    return anchor[i]! + lerp(ra, rb, x) * distance;
  }) as Vec3;
  return { target, distance, yaw: lerpAngle(a.yaw, b.yaw, x), pitch: lerp(a.pitch, b.pitch, x) };
}

/**
 * The orbit camera: matrices from a CameraState, framing a layout, the pan / orbit / zoom moves
 * the controls ask for, and a critically damped spring that eases the shown camera toward the
 * wanted one (about 300 ms to settle, no overshoot, no linear lurches).
 *
 * Units: world units as in ModelLayout; angles in radians; pixels are CSS pixels.
 */
import { m4, v3 } from 'twgl.js';
import type { CameraState, ModelLayout, Vec3 } from './types.ts';

/** Vertical field of view. Narrow, so blocks keep their proportions (little perspective distortion). */
export const FOV_Y = (30 * Math.PI) / 180;
const PITCH_LIMIT = Math.PI / 2 - 0.02;

/**
 * Matrices are relative to `origin` (the camera target rounded to whole cells): GPT-3's layout
 * spans 19 million units, where float32 matrices would lose the cell-level precision a close-up
 * needs. Cell corners are integers, so subtracting an integer origin is exact on the GPU too.
 */
export interface CameraMatrices {
  origin: Vec3;
  view: Float32Array;
  projection: Float32Array;
  viewProjection: Float32Array;
  inverseViewProjection: Float32Array;
  /** Eye position relative to origin. */
  eye: Vec3;
  /** World units per CSS pixel at distance 1 from the eye. */
  pixelAngle: number;
}

/** What projecting a point to the screen needs of a camera's matrices (all a worker is sent of them, with the eye). */
export type ScreenMatrices = Pick<CameraMatrices, 'view' | 'viewProjection' | 'origin'>;

export function eyePosition(c: CameraState): Vec3 {
  const cp = Math.cos(c.pitch);
  return [
    c.target[0] + c.distance * cp * Math.sin(c.yaw),
    c.target[1] + c.distance * Math.sin(c.pitch),
    c.target[2] + c.distance * cp * Math.cos(c.yaw),
  ];
}

/**
 * View and projection for a camera over a viewport of `width` x `height` CSS pixels. `sceneRadius`
 * (half the layout's diagonal) sets the far plane so the whole model stays inside the frustum.
 */
export function cameraMatrices(c: CameraState, width: number, height: number, sceneRadius: number, out?: CameraMatrices): CameraMatrices {
  const origin: Vec3 = [Math.round(c.target[0]), Math.round(c.target[1]), Math.round(c.target[2])];
  const local: CameraState = { ...c, target: [c.target[0] - origin[0], c.target[1] - origin[1], c.target[2] - origin[2]] };
  const eye = eyePosition(local);
  const m = out ?? {
    origin,
    view: new Float32Array(16),
    projection: new Float32Array(16),
    viewProjection: new Float32Array(16),
    inverseViewProjection: new Float32Array(16),
    eye,
    pixelAngle: 0,
  };
  m.origin = origin;
  m.eye = eye;
  m4.inverse(m4.lookAt(eye, local.target, UP, m.view), m.view);
  const near = Math.max(c.distance * 0.01, 1e-4);
  const far = c.distance + 2 * sceneRadius + near;
  m4.perspective(FOV_Y, Math.max(width, 1) / Math.max(height, 1), near, far, m.projection);
  m4.multiply(m.projection, m.view, m.viewProjection);
  m4.inverse(m.viewProjection, m.inverseViewProjection);
  m.pixelAngle = (2 * Math.tan(FOV_Y / 2)) / Math.max(height, 1);
  return m;
}

const UP = [0, 1, 0];

/** Half the diagonal of the layout's bounds, world units. */
export function sceneRadius(layout: ModelLayout): number {
  return 0.5 * v3.distance(layout.bounds.min, layout.bounds.max);
}

/** A camera that shows the whole layout, seen a little from the left and above. */
export function fitCamera(layout: ModelLayout, width: number, height: number): CameraState {
  return frameBox(layout.bounds.min, layout.bounds.max, width, height, -0.32, 0.16);
}

/**
 * The starting view: the input, the embeddings and the first layer's attention, seen a little
 * from the left and above. Every model is far taller than wide, so fitting all of it would
 * leave nano's cells under a pixel; the whole model is one zoom-out (or fitCamera) away.
 */
export function homeCamera(layout: ModelLayout, width: number, height: number): CameraState {
  const first = layout.blocks.filter(
    (b) => (b.layer === null && (b.stage === 'input' || b.stage === 'embedding')) || (b.layer === 0 && (b.stage === 'ln_1' || b.stage === 'attention')),
  );
  if (first.length === 0) return fitCamera(layout, width, height);
  const min: Vec3 = [Math.min(...first.map((b) => b.position[0])), Math.min(...first.map((b) => b.position[1] - b.size[1])), layout.bounds.min[2]];
  const max: Vec3 = [Math.max(...first.map((b) => b.position[0] + b.size[0])), Math.max(...first.map((b) => b.position[1])), layout.bounds.max[2]];
  return frameBox(min, max, width, height, -0.22, 0.1);
}

/** A camera looking at the box [min, max] from (yaw, pitch), at the distance that fits it with a margin. */
export function frameBox(min: Vec3, max: Vec3, width: number, height: number, yaw = 0, pitch = 0): CameraState {
  const target: Vec3 = [(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2];
  const aspect = Math.max(width, 1) / Math.max(height, 1);
  const halfH = (max[1] - min[1]) / 2;
  const halfW = (max[0] - min[0]) / 2;
  const halfD = (max[2] - min[2]) / 2;
  const tanY = Math.tan(FOV_Y / 2);
  const fitH = halfH / tanY;
  const fitW = halfW / (tanY * aspect);
  const distance = Math.max(fitH, fitW, 1e-3) * 1.12 + halfD;
  return { target, distance, yaw, pitch };
}

/** Orbit by angles (radians); pitch stays short of the poles so "up" stays defined. */
export function orbit(c: CameraState, dYaw: number, dPitch: number): CameraState {
  return { ...c, yaw: c.yaw + dYaw, pitch: Math.max(-PITCH_LIMIT, Math.min(PITCH_LIMIT, c.pitch + dPitch)) };
}

/** Camera right and up unit vectors in world space. */
function cameraAxes(c: CameraState): { right: Vec3; up: Vec3 } {
  const right: Vec3 = [Math.cos(c.yaw), 0, -Math.sin(c.yaw)];
  const forward = v3.normalize(v3.subtract(c.target, eyePosition(c)));
  const up = v3.cross(right, forward);
  return { right, up: [up[0]!, up[1]!, up[2]!] };
}

/** Pan so the scene follows the pointer by (dx, dy) CSS pixels (dy down), on a viewport `height` px tall. */
export function pan(c: CameraState, dx: number, dy: number, height: number): CameraState {
  const perPixel = (2 * c.distance * Math.tan(FOV_Y / 2)) / Math.max(height, 1);
  const { right, up } = cameraAxes(c);
  const move = v3.add(v3.mulScalar(right, -dx * perPixel), v3.mulScalar(up, dy * perPixel));
  return { ...c, target: [c.target[0] + move[0]!, c.target[1] + move[1]!, c.target[2] + move[2]!] };
}

/**
 * Zoom by `factor` (< 1 moves closer) keeping the point under the pointer in place. The pointer is
 * given in normalised device coordinates (-1..1, y up) of a viewport with the given aspect.
 */
export function zoomAt(c: CameraState, factor: number, ndcX: number, ndcY: number, aspect: number, limits: ZoomLimits): CameraState {
  const distance = Math.max(limits.min, Math.min(limits.max, c.distance * factor));
  const applied = distance / c.distance;
  const halfH = c.distance * Math.tan(FOV_Y / 2);
  const { right, up } = cameraAxes(c);
  // The pointer's offset from the target on the plane through the target, which shrinks by `applied`.
  const offset = v3.add(v3.mulScalar(right, ndcX * halfH * aspect), v3.mulScalar(up, ndcY * halfH));
  const shift = v3.mulScalar(offset, 1 - applied);
  return { ...c, distance, target: [c.target[0] + shift[0]!, c.target[1] + shift[1]!, c.target[2] + shift[2]!] };
}

export interface ZoomLimits {
  min: number;
  max: number;
}

/** From a few cells across the screen to the whole model at a fraction of it. */
export function zoomLimits(layout: ModelLayout): ZoomLimits {
  return { min: layout.cell * 4, max: Math.max(sceneRadius(layout) * 8, layout.cell * 40) };
}

/**
 * Critically damped spring toward a goal camera, per component (distance in log space so zooming
 * feels even at every scale). `omega` 16/s settles to within 1% in about 0.3 s.
 */
export class CameraSpring {
  private current: number[];
  private velocity: number[];
  private goal: number[];
  private readonly omega: number;

  constructor(start: CameraState, omega = 16) {
    this.current = pack(start);
    this.goal = pack(start);
    this.velocity = this.current.map(() => 0);
    this.omega = omega;
  }

  get value(): CameraState {
    return unpack(this.current);
  }

  get target(): CameraState {
    return unpack(this.goal);
  }

  setGoal(c: CameraState): void {
    this.goal = pack(c);
  }

  /** Jump without easing (reduced motion, or the first frame of a layout). */
  jump(c: CameraState): void {
    this.goal = pack(c);
    this.current = pack(c);
    this.velocity = this.current.map(() => 0);
  }

  /** Advances by dt seconds; returns true while still moving. */
  step(dt: number): boolean {
    const w = this.omega;
    const e = Math.exp(-w * dt);
    let moving = false;
    for (let i = 0; i < this.current.length; i++) {
      const delta = this.current[i]! - this.goal[i]!;
      const tmp = (this.velocity[i]! + w * delta) * dt;
      this.velocity[i] = (this.velocity[i]! - w * tmp) * e;
      this.current[i] = this.goal[i]! + (delta + tmp) * e;
      // Target components settle relative to the viewing distance; the others are logs and angles.
      const tolerance = i < 3 ? 1e-4 * Math.exp(this.goal[3]!) : 1e-4;
      if (Math.abs(this.current[i]! - this.goal[i]!) > tolerance || Math.abs(this.velocity[i]!) > tolerance * 10) moving = true;
    }
    if (!moving) this.current = [...this.goal];
    return moving;
  }
}

/** [tx, ty, tz, log distance, yaw, pitch] */
function pack(c: CameraState): number[] {
  return [c.target[0], c.target[1], c.target[2], Math.log(Math.max(c.distance, 1e-9)), c.yaw, c.pitch];
}

function unpack(a: number[]): CameraState {
  return { target: [a[0]!, a[1]!, a[2]!], distance: Math.exp(a[3]!), yaw: a[4]!, pitch: a[5]! };
}

/**
 * World point -> CSS pixel position (out[0], out[1]) and distance in front of the eye (out[2]);
 * false when the point is behind the eye (its projection would be mirrored).
 */
export function projectPoint(m: ScreenMatrices, p: Vec3, width: number, height: number, out: Float32Array): boolean {
  return projectXYZ(m, p[0], p[1], p[2], width, height, out);
}

/**
 * projectPoint for a point given as x, y, z (the label layer projects hundreds a frame): one pass
 * through the matrices' rows it needs (view depth, clip x, y and w), no scratch copies.
 */
export function projectXYZ(m: ScreenMatrices, x: number, y: number, z: number, width: number, height: number, out: Float32Array): boolean {
  const v = m.view;
  const c = m.viewProjection;
  x -= m.origin[0];
  y -= m.origin[1];
  z -= m.origin[2];
  const depth = v[2]! * x + v[6]! * y + v[10]! * z + v[14]!;
  if (depth > -1e-9) return false;
  const w = c[3]! * x + c[7]! * y + c[11]! * z + c[15]!;
  out[0] = (((c[0]! * x + c[4]! * y + c[8]! * z + c[12]!) / w) * 0.5 + 0.5) * width;
  out[1] = (0.5 - ((c[1]! * x + c[5]! * y + c[9]! * z + c[13]!) / w) * 0.5) * height;
  out[2] = -depth;
  return true;
}

/**
 * Like frameBox, but measured after projection: from (yaw, pitch) with perspective, a box's
 * corners spread wider than its face-on size, so frameBox would cut an oblique view at the edges.
 * Moves the target until the projected box is centred and the distance until it spans `fill` of
 * the limiting side of the viewport (a few fixed-point steps; pure).
 */
export function frameBoxOblique(min: Vec3, max: Vec3, width: number, height: number, yaw: number, pitch: number, fill = 0.9): CameraState {
  let cam = frameBox(min, max, width, height, yaw, pitch);
  const corners: Vec3[] = [];
  for (let i = 0; i < 8; i++) corners.push([i & 1 ? max[0] : min[0], i & 2 ? max[1] : min[1], i & 4 ? max[2] : min[2]]);
  const p = new Float32Array(3);
  const radius = 0.5 * v3.distance(min, max);
  for (let iter = 0; iter < 4; iter++) {
    const m = cameraMatrices(cam, width, height, radius);
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const c of corners) {
      if (!projectPoint(m, c, width, height, p)) return cam;
      x0 = Math.min(x0, p[0]!);
      x1 = Math.max(x1, p[0]!);
      y0 = Math.min(y0, p[1]!);
      y1 = Math.max(y1, p[1]!);
    }
    // Re-centre: pan by the projected box's offset from the viewport's centre.
    const centred = pan(cam, width / 2 - (x0 + x1) / 2, height / 2 - (y0 + y1) / 2, height);
    const scale = Math.max((x1 - x0) / (fill * width), (y1 - y0) / (fill * height));
    cam = { ...centred, distance: centred.distance * scale };
  }
  return cam;
}

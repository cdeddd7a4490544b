/**
 * Structural equality for the plain data a director hands the scene each frame (block styles,
 * highlights, callouts, links): numbers, strings, booleans, arrays and plain objects.
 *
 * Directors build their scene afresh on every scroll frame, so two frames that show the same
 * blocks and highlights still arrive as new objects. The view keeps the previous object when the
 * new one is equal, and everything downstream that caches by identity (instance buffers, arrow
 * curves) then skips its work on frames where only the camera or a callout moved. samePlaces is
 * the looser test for what follows only where blocks are and whether they show (the labels'
 * drawn bounds, the arrows between blocks).
 */
import type { SceneState } from './types.ts';

type BlockStyles = SceneState['blocks'];

export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let n = 0;
  for (const k in ra) {
    if (ra[k] === undefined) continue;
    n++;
    if (!sameData(ra[k], rb[k])) return false;
  }
  for (const k in rb) if (rb[k] !== undefined) n--;
  return n === 0;
}

/**
 * Whether two sets of block styles put and show every block alike (offset and opacity: what an
 * arrow's ends follow); a block filling in column by column (reveal) moves no arrow.
 */
export function samePlaces(a: BlockStyles | null, b: BlockStyles): boolean {
  if (a === b) return true;
  if (!a) return false;
  for (const id in a) if (!(id in b) && (a[id]!.offset !== undefined || a[id]!.opacity !== undefined)) return false;
  for (const id in b) {
    const x = a[id];
    const y = b[id]!;
    if ((x?.opacity ?? 1) !== (y.opacity ?? 1)) return false;
    const p = x?.offset;
    const q = y.offset;
    if (p === q) continue;
    if ((p?.[0] ?? 0) !== (q?.[0] ?? 0) || (p?.[1] ?? 0) !== (q?.[1] ?? 0) || (p?.[2] ?? 0) !== (q?.[2] ?? 0)) return false;
  }
  return true;
}

/** `next` when it differs from `prev`, else `prev` itself: equal data keeps its identity. */
export function keepIfSame<T>(prev: T, next: T): T {
  return sameData(prev, next) ? prev : next;
}

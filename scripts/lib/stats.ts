/** Summaries and run loops shared by the browser benchmarks (bench-page, bench-scene). */
import { serveDist } from '../../tests/e2e/harness.ts';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The q-quantile (0..1) by nearest rank. */
export function quantile(xs: readonly number[], q: number): number {
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
}

/**
 * Served with these headers the pages are cross-origin isolated, as a host may serve them, and
 * performance.now() in them is precise to microseconds: elsewhere Chromium rounds it to 0.1 ms
 * (with jitter), too coarse for frames that take about a millisecond.
 */
export const ISOLATED = Object.freeze({ 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });

/** Serves `dist` (cross-origin isolated) and measures `runs` independent runs, one after another (the machine has two cores). */
export async function measureRuns<R>(dist: string, runs: number, oneRun: (origin: string) => Promise<R>): Promise<R[]> {
  const server = await serveDist(dist, { headers: ISOLATED });
  const out: R[] = [];
  try {
    for (let i = 0; i < runs; i++) out.push(await oneRun(server.origin));
  } finally {
    await server.close();
  }
  return out;
}

/**
 * What a page downloads, by kind, as scripts/bench-page.ts reports it and a browser test checks
 * it: every response a browser context received (the render worker's fetches are seen by the
 * context, not always by the page), each counted once, gzipped.
 */
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Response } from 'playwright-core';

export const KINDS = ['html', 'css', 'js', 'wasm', 'other', 'weights'] as const;
export type Kind = (typeof KINDS)[number];

/** The budget for a page's own bytes (everything but the weights), gzip. */
export const PAGE_BYTES_BUDGET = 100 * 1024;

export function kindOf(res: Response): Kind {
  const path = new URL(res.url()).pathname;
  const type = res.headers()['content-type'] ?? '';
  if (path.endsWith('.safetensors')) return 'weights';
  if (path.endsWith('.wasm')) return 'wasm';
  if (path.endsWith('.css') || type.startsWith('text/css')) return 'css';
  if (/\.m?js$/.test(path) || type.includes('javascript')) return 'js';
  if (res.request().resourceType() === 'document' || type.startsWith('text/html')) return 'html';
  return 'other';
}

export interface PageBytes {
  /** gzip bytes by kind. */
  gzip: Record<Kind, number>;
  /** Raw bytes of everything. */
  raw: number;
  /** The page's own bytes: everything but the weights, gzip. */
  own: number;
}

/** Starts counting what `context` receives; `total()` gzips what arrived so far. */
export function countBytes(context: BrowserContext): { total(): Promise<PageBytes> } {
  const bodies = new Map<string, Promise<{ kind: Kind; body: Buffer | null }>>();
  context.on('response', (res) => {
    if (res.status() !== 200 || bodies.has(res.url())) return;
    bodies.set(
      res.url(),
      res.body().then(
        (body) => ({ kind: kindOf(res), body }),
        () => ({ kind: kindOf(res), body: null }),
      ),
    );
  });
  return {
    async total() {
      const gzip = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
      let raw = 0;
      for (const { kind, body } of await Promise.all(bodies.values())) {
        if (!body) continue;
        raw += body.length;
        gzip[kind] += gzipSync(body).length;
      }
      return { gzip, raw, own: gzip.html + gzip.css + gzip.js + gzip.wasm + gzip.other };
    },
  };
}

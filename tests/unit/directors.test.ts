/**
 * The chapters and their directors: every step's beat is known to its chapter's director,
 * directors are pure, and the camera moves continuously within and across steps (except at
 * declared cuts), so scrolling, jumping and reloading all give the same picture.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CameraState } from '../../src/scene/types.ts';
import { CAMERA_MOVE, direct, drawnLayout, type DirectorContext } from '../../src/story/director.ts';
import { DIRECTORS } from '../../src/story/directors/index.ts';
import { chapterSchema, slugFromPath } from '../../src/story/schema.ts';
import { ROOT } from '../../scripts/lib/engine.ts';
import { directorContext } from './director-context.ts';

const CHAPTER_DIR = join(ROOT, 'content/chapters');
const files = readdirSync(CHAPTER_DIR).filter((f) => f.endsWith('.md')).sort();

function beatsOf(file: string): string[] {
  const text = readFileSync(join(CHAPTER_DIR, file), 'utf8');
  return [...text.matchAll(/^:::step\{beat="([^"]+)"\}/gm)].map((m) => m[1]!);
}

let ctx: DirectorContext;

beforeAll(async () => {
  ctx = await directorContext();
});

describe('chapter files', () => {
  it('every chapter has valid frontmatter, a unique order and a director', () => {
    const orders = new Set<number>();
    for (const file of files) {
      const text = readFileSync(join(CHAPTER_DIR, file), 'utf8');
      const front = /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '';
      const data: Record<string, unknown> = {};
      for (const line of front.split('\n')) {
        const m = /^(\w+):\s*(.*)$/.exec(line);
        if (m) data[m[1]!] = /^\d+$/.test(m[2]!) ? Number(m[2]) : m[2]!.replace(/^['"]|['"]$/g, '');
      }
      const parsed = chapterSchema.safeParse(data);
      expect(parsed.success, `${file}: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
      expect(orders.has(data.order as number), `${file}: order ${data.order} used twice`).toBe(false);
      orders.add(data.order as number);
      expect(DIRECTORS[slugFromPath(file)], `${file} has no director`).toBeDefined();
    }
    expect(files.length).toBeGreaterThan(0);
  });

  it('the schema rejects a chapter missing a required field', () => {
    expect(chapterSchema.safeParse({ title: 'T', order: 1, summary: 'S' }).success).toBe(true);
    expect(chapterSchema.safeParse({ order: 1, summary: 'S' }).success).toBe(false);
    expect(chapterSchema.safeParse({ title: 'T', summary: 'S' }).success).toBe(false);
    expect(chapterSchema.safeParse({ title: 'T', order: 1 }).success).toBe(false);
    expect(chapterSchema.safeParse({ title: '', order: 1, summary: 'S' }).success).toBe(false);
    expect(chapterSchema.safeParse({ title: 'T', order: 0, summary: 'S' }).success).toBe(false);
  });
});

function cameraJump(a: CameraState, b: CameraState): number {
  const scale = Math.min(a.distance, b.distance);
  const move = Math.hypot(a.target[0] - b.target[0], a.target[1] - b.target[1], a.target[2] - b.target[2]) / scale;
  return Math.max(move, Math.abs(Math.log(a.distance / b.distance)), Math.abs(a.yaw - b.yaw), Math.abs(a.pitch - b.pitch));
}

for (const file of files) {
  const slug = slugFromPath(file);
  describe(`chapter ${slug}`, () => {
    const order = beatsOf(file);

    it('has steps, and every step names a beat its director knows', () => {
      expect(order.length).toBeGreaterThan(1);
      const director = DIRECTORS[slug]!;
      for (const b of order) expect(Object.keys(director.steps), `beat "${b}" in ${file}`).toContain(b);
    });

    it('is pure: the same inputs give the same SceneState', () => {
      const director = DIRECTORS[slug]!;
      for (let i = 0; i < order.length; i++) {
        for (const t of [0, 0.13, 0.5, 0.77, 1]) {
          const a = direct(director, order, i, t, ctx);
          const b = direct(director, order, i, t, ctx);
          expect(JSON.stringify(a)).toEqual(JSON.stringify(b));
          expect(a.describe.length, `step ${order[i]} needs a text description`).toBeGreaterThan(0);
        }
      }
    });

    it('moves the camera continuously within and between steps, except at declared cuts', () => {
      const director = DIRECTORS[slug]!;
      const cuts = new Set(director.cuts ?? []);
      const dt = 0.001; // a true cut jumps by O(1) however small dt is; smooth motion shrinks with dt
      for (let i = 0; i < order.length; i++) {
        let prev = direct(director, order, i, 0, ctx).camera;
        let worst = 0;
        for (let t = dt; t <= 1 + 1e-9; t += dt) {
          const cam = direct(director, order, i, Math.min(t, 1), ctx).camera;
          worst = Math.max(worst, cameraJump(prev, cam));
          prev = cam;
        }
        expect(worst, `camera jumps inside step ${order[i]}`).toBeLessThan(0.06);
        if (i > 0 && !cuts.has(order[i]!)) {
          const end = direct(director, order, i - 1, 1, ctx).camera;
          const start = direct(director, order, i, 0, ctx).camera;
          expect(cameraJump(end, start), `camera jumps from ${order[i - 1]} to ${order[i]}`).toBeLessThan(1e-9);
        }
      }
      expect(CAMERA_MOVE).toBeGreaterThan(0);
    });

    it('names only blocks that exist in its layouts', () => {
      const director = DIRECTORS[slug]!;
      for (let i = 0; i < order.length; i++) {
        for (const t of [0, 0.3, 0.6, 1]) {
          const s = direct(director, order, i, t, ctx);
          const layout = drawnLayout(ctx.layoutOf, s.model, (s.trace ?? ctx.trace).ids.length);
          const ids = new Set(layout.blocks.map((b) => b.id));
          for (const id of Object.keys(s.blocks)) expect(ids.has(id), `${order[i]}: style for unknown block ${id}`).toBe(true);
          for (const h of s.highlights) expect(ids.has(h.block), `${order[i]}: highlight of unknown block ${h.block}`).toBe(true);
          for (const c of s.callouts) expect(ids.has(c.block), `${order[i]}: callout on unknown block ${c.block}`).toBe(true);
        }
      }
    });

    it('refers in its prose only to blocks that exist (:ref block ids)', () => {
      const text = readFileSync(join(CHAPTER_DIR, file), 'utf8');
      const ids = new Set(ctx.layout.blocks.map((b) => b.id));
      for (const m of text.matchAll(/:ref\[[^\]]*\]\{block="([^"]+)"\}/g)) expect(ids.has(m[1]!), `:ref to unknown block ${m[1]}`).toBe(true);
    });
  });
}

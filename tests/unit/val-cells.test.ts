/**
 * Text and picture agree: every number a step's prose quotes (:val) sits, when the step ends
 * (t = 1), on a cell the step's director marks: a highlight (not muted) narrow enough to point at
 * it, a callout pinned to it, or an end of a link. Numbers that are not one cell (sizes of the
 * model, counts, the generated answer) are listed with the reason in QUANTITY_CELLS.
 *
 * A highlight points at its cells when it is one row or one column of its block, or at most
 * MAX_AREA cells: lighting up a whole 16 x 48 weight block does not show which weight the prose
 * means.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { paramViews } from '../../src/gpt/reference.ts';
import { readCell } from '../../src/scene/cells.ts';
import type { Block, LinkEnd, Range } from '../../src/scene/types.ts';
import { direct, type DirectorContext, type Directed } from '../../src/story/director.ts';
import { DIRECTORS } from '../../src/story/directors/index.ts';
import { QUANTITIES, QUANTITY_CELLS as READER_CELLS, evalQuantity, valPlaces, type CellRef, type QuantityContext, type QuantityRef } from '../../src/story/quantities.ts';
import { SORTS_QUANTITIES, SORTS_QUANTITY_CELLS } from '../../src/story/sorts-figures.ts';

/** Every named quantity's cells: the reader's (quantities.ts) and the fixed ones measured over all inputs (sorts-figures.ts). */
const QUANTITY_CELLS = { ...READER_CELLS, ...SORTS_QUANTITY_CELLS };
import { slugFromPath } from '../../src/story/schema.ts';
import { ROOT } from '../../scripts/lib/engine.ts';
import { directorContext, INPUT } from './director-context.ts';

const MAX_AREA = 64;
const CHAPTER_DIR = join(ROOT, 'content/chapters');
const files = readdirSync(CHAPTER_DIR).filter((f) => f.endsWith('.md')).sort();

interface Step {
  beat: string;
  vals: { ref: QuantityRef; source: string }[];
}

/** The chapter's steps in order, each with the :val references in its prose. */
function stepsOf(file: string): Step[] {
  const steps: Step[] = [];
  let current: Step | null = null;
  for (const line of readFileSync(join(CHAPTER_DIR, file), 'utf8').split('\n')) {
    const open = /^:::step\{beat="([^"]+)"\}/.exec(line);
    if (open) {
      current = { beat: open[1]!, vals: [] };
      steps.push(current);
      continue;
    }
    if (/^:::\s*$/.test(line)) {
      current = null;
      continue;
    }
    if (!current) continue;
    for (const m of line.matchAll(/:val\{([^}]*)\}/g)) {
      const ref: QuantityRef = {};
      for (const a of m[1]!.matchAll(/(\w+)="([^"]*)"/g)) (ref as Record<string, string>)[a[1]!] = a[2]!;
      current.vals.push({ ref, source: m[0] });
    }
  }
  return steps;
}

const key = (c: CellRef) => `${c.block}[${c.row},${c.col}]`;

function span(r: Range | undefined, size: number): [number, number] {
  if (!r) return [0, size];
  const a = Math.max(0, Math.min(size, Math.floor(r[0])));
  return [a, Math.max(a, Math.min(size, Math.floor(r[1])))];
}

/** The cells a step marks at its end, and a short summary of what it marks for failure messages. */
function marks(scene: Directed, blocks: Map<string, Block>): { cells: Set<string>; summary: string[] } {
  const cells = new Set<string>();
  const summary: string[] = [];
  const range = (what: string, block: string, rows?: Range, cols?: Range) => {
    const b = blocks.get(block);
    if (!b) return;
    const [r0, r1] = span(rows, b.rows.size);
    const [c0, c1] = span(cols, b.cols.size);
    const n = (r1 - r0) * (c1 - c0);
    if (n === 0) return;
    const points = r1 - r0 === 1 || c1 - c0 === 1 || n <= MAX_AREA;
    summary.push(`${what} ${block}[${r0}..${r1 - 1}, ${c0}..${c1 - 1}]${points ? '' : ' (whole block: points at no cell)'}`);
    if (!points) return;
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) cells.add(key({ block, row: r, col: c }));
  };
  for (const h of scene.highlights) if (h.role !== 'muted') range(`${h.role} highlight`, h.block, h.rows, h.cols);
  const calloutCell = (i: number) => {
    const c = scene.callouts[i];
    if (!c) return;
    if (c.row !== undefined && c.col !== undefined) {
      cells.add(key({ block: c.block, row: c.row, col: c.col }));
      summary.push(`callout "${c.text}" on ${c.block}[${c.row}, ${c.col}]`);
    } else summary.push(`callout "${c.text}" on the whole of ${c.block} (points at no cell)`);
  };
  scene.callouts.forEach((_, i) => calloutCell(i));
  const end = (e: LinkEnd) => ('callout' in e ? calloutCell(e.callout) : range('link end', e.block, e.rows, e.cols));
  for (const l of scene.links ?? []) {
    end(l.from);
    end(l.to);
  }
  return { cells, summary };
}

let ctx: DirectorContext;
let qctx: QuantityContext;

beforeAll(async () => {
  ctx = await directorContext();
  qctx = { config: ctx.config, input: INPUT, trace: ctx.trace, output: ctx.generation!.tokens };
});

describe('the cells behind the quoted numbers', () => {
  it('every named quantity says which cells show it, or why none does', () => {
    const missing = [...Object.keys(QUANTITIES), ...Object.keys(SORTS_QUANTITIES)].filter((q) => !(q in QUANTITY_CELLS));
    expect(missing, 'quantities without an entry in QUANTITY_CELLS').toEqual([]);
    for (const [q, m] of Object.entries(QUANTITY_CELLS)) {
      if (typeof m === 'string') {
        expect(m.length, `${q}: give a reason`).toBeGreaterThan(10);
        continue;
      }
      const ids = new Set(ctx.layout.blocks.map((b) => b.id));
      for (const place of m(ctx.layout, qctx)) {
        for (const c of place) {
          expect(ids.has(c.block), `${q}: no block ${c.block}`).toBe(true);
          const b = ctx.layout.blocks.find((x) => x.id === c.block)!;
          expect(c.row >= 0 && c.row < b.rows.size && c.col >= 0 && c.col < b.cols.size, `${q}: ${key(c)} is outside the block`).toBe(true);
        }
      }
    }
  });

  it('a tensor reference maps to cells that hold exactly the quoted number', () => {
    const views = paramViews(ctx.config, ctx.params);
    let checked = 0;
    for (const file of files) {
      for (const step of stepsOf(file)) {
        for (const { ref, source } of step.vals) {
          if (ref.tensor === undefined) continue;
          const places = valPlaces(ref, ctx.layout, qctx, QUANTITY_CELLS);
          expect(Array.isArray(places) && places.length > 0, `${file} ${source}: no block draws this number`).toBe(true);
          for (const [c] of places as CellRef[][]) {
            const b = ctx.layout.blocks.find((x) => x.id === c!.block)!;
            const shown = readCell(b, c!.row, c!.col, ctx.trace, views);
            const t = ctx.trace.tensors[ref.tensor]!;
            const idx = ref.at!.split(',').map(Number);
            let flat = 0;
            for (let i = 0; i < idx.length; i++) flat = flat * t.shape[i]! + idx[i]!;
            expect(shown, `${file} ${source} at ${key(c!)}`).toBe(t.data[flat]);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

for (const file of files) {
  const slug = slugFromPath(file);
  // A chapter whose numbers are all counts and sizes (the scale chapter) has nothing to check here.
  if (!stepsOf(file).some((st) => st.vals.some((v) => v.ref.tensor !== undefined || typeof QUANTITY_CELLS[v.ref.q ?? ''] !== 'string'))) continue;
  describe(`chapter ${slug}: the picture marks the cells its prose quotes, at t = 1`, () => {
    const steps = stepsOf(file);
    const order = steps.map((s) => s.beat);
    steps.forEach((step, i) => {
      const cellVals = step.vals.filter((v) => v.ref.tensor !== undefined || typeof QUANTITY_CELLS[v.ref.q ?? ''] !== 'string');
      if (cellVals.length === 0) return;
      it(`${slug}-${step.beat}`, () => {
        const scene = direct(DIRECTORS[slug]!, order, i, 1, ctx);
        const blocks = new Map(ctx.layout.blocks.map((b) => [b.id, b]));
        const { cells, summary } = marks(scene, blocks);
        const problems: string[] = [];
        for (const { ref, source } of cellVals) {
          if (ref.q !== undefined && !(ref.q in QUANTITY_CELLS)) {
            problems.push(`${source}: quantity "${ref.q}" has no entry in QUANTITY_CELLS (src/story/quantities.ts)`);
            continue;
          }
          const places = valPlaces(ref, ctx.layout, qctx, QUANTITY_CELLS) as CellRef[][];
          if (places.some((p) => p.every((c) => cells.has(key(c))))) continue;
          const where = places.map((p) => p.map(key).join(' + ')).join(' or ');
          problems.push(`${source} = ${evalQuantity(ref, qctx)} is drawn at ${where}, which the step does not mark`);
        }
        expect(problems, `step ${slug}-${step.beat} at t = 1 marks: ${summary.join('; ') || 'nothing'}`).toEqual([]);
      });
    });
  });
}

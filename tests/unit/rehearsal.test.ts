/**
 * The idle-time rehearsal of a page's steps (src/story/rehearsal.ts): which moments it runs, in
 * which order, in idle slices, and that a failing step stops it instead of breaking the page.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REHEARSAL_PASSES, REHEARSAL_TIMES, rehearsalOrder, rehearse, type RehearsalItem } from '../../src/story/rehearsal.ts';

const chapters = [
  { chapter: 'tokens', beats: ['a', 'b'] },
  { chapter: 'embedding', beats: ['c', 'd', 'e'] },
];

describe('rehearsalOrder', () => {
  it('covers every step at every moment, each pass over', () => {
    const items = rehearsalOrder(chapters, null);
    expect(items).toHaveLength(5 * REHEARSAL_TIMES.length * REHEARSAL_PASSES);
    for (const { chapter, beats } of chapters) {
      beats.forEach((_, index) => {
        for (const t of REHEARSAL_TIMES) {
          expect(items.filter((i) => i.chapter === chapter && i.index === index && i.t === t)).toHaveLength(REHEARSAL_PASSES);
        }
      });
    }
    expect(items[0]).toMatchObject({ chapter: 'tokens', index: 0, t: 0 });
    expect(items[0]!.beats).toEqual(['a', 'b']);
  });

  it("starts at the reader's step, goes on to the end, then comes back to the steps before it", () => {
    const steps = rehearsalOrder(chapters, { chapter: 'embedding', index: 1 }, [1], 1).map((i) => `${i.chapter}:${i.index}`);
    expect(steps).toEqual(['embedding:1', 'embedding:2', 'tokens:0', 'tokens:1', 'embedding:0']);
  });

  it('repeats a step before moving on, so the step the reader reads next is warm first', () => {
    const items = rehearsalOrder(chapters, null, [0, 1], 2).slice(0, 4);
    expect(items.map((i) => `${i.chapter}:${i.index}@${i.t}`)).toEqual(['tokens:0@0', 'tokens:0@1', 'tokens:0@0', 'tokens:0@1']);
  });
});

describe('rehearse', () => {
  const idle: ((d: { timeRemaining(): number }) => void)[] = [];
  afterEach(() => {
    vi.unstubAllGlobals();
    idle.length = 0;
  });
  const stubIdle = () => vi.stubGlobal('requestIdleCallback', (f: (d: { timeRemaining(): number }) => void) => idle.push(f));
  /** Runs the queued idle callback with `budget` calls' worth of idle time. */
  const slice = (budget: number) => {
    let left = budget;
    idle.shift()!({ timeRemaining: () => (left-- > 0 ? 50 : 0) });
  };

  it('runs the items in order, in idle slices, and resolves when all ran', async () => {
    stubIdle();
    const items = rehearsalOrder(chapters, null, [0, 1], 1);
    const ran: RehearsalItem[] = [];
    const r = rehearse(items, (item) => ran.push(item));
    expect(ran).toHaveLength(0);
    slice(3);
    expect(ran).toEqual(items.slice(0, 3));
    expect(idle).toHaveLength(1);
    while (idle.length) slice(4);
    expect(ran).toEqual(items);
    await expect(r.done).resolves.toBeUndefined();
  });

  it('rehearses nothing where the browser cannot say when it is idle', async () => {
    vi.stubGlobal('requestIdleCallback', undefined);
    let n = 0;
    const r = rehearse(rehearsalOrder(chapters, null), () => n++);
    await r.done;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(n).toBe(0);
  });

  it('stops at an item that throws, and when told to', async () => {
    stubIdle();
    const items = rehearsalOrder(chapters, null, [0], 1);
    let n = 0;
    const r = rehearse(items, () => {
      if (++n === 2) throw new Error('no such beat');
    });
    slice(10);
    expect(n).toBe(2);
    expect(idle).toHaveLength(0);
    await r.done;
    const s = rehearse(items, () => n++);
    s.stop();
    slice(10);
    expect(n).toBe(2);
    await s.done;
  });
});

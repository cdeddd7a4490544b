/**
 * The "How it sorts" director: which blocks a part owns, the per-letter attention shares it quotes
 * for the reader's letters, and the lab step greying exactly the parts the reader switched off.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { direct, type DirectorContext } from '../../src/story/director.ts';
import { howItSorts, partBlocks, perLetterShare } from '../../src/story/directors/how-it-sorts.ts';
import { directorContext } from './director-context.ts';

let ctx: DirectorContext;
beforeAll(async () => {
  ctx = await directorContext();
});

const order = ['question', 'switch-off', 'not-needed', 'counting', 'counts-readable', 'mlps', 'lab', 'fallback'];

describe('how-it-sorts director', () => {
  it('a part owns its blocks: a head its q/k/v to output, a layer all its heads and projection, an MLP its blocks', () => {
    const layout = ctx.layoutOf('nano', 11);
    const head = partBlocks(layout, 'h.0.attn.head1');
    expect(head).toContain('h.0.attn.head1.probs');
    expect(head).toContain('h.0.attn.head1.q.weight');
    expect(head.every((id) => id.startsWith('h.0.attn.head1.'))).toBe(true);
    const attn = partBlocks(layout, 'h.2.attn');
    for (const h of [0, 1, 2]) expect(attn).toContain(`h.2.attn.head${h}.out`);
    expect(attn).toContain('h.2.attn.proj');
    expect(partBlocks(layout, 'h.1.mlp')).toEqual(expect.arrayContaining(['h.1.mlp.fc', 'h.1.mlp.gelu', 'h.1.mlp.proj']));
    expect(partBlocks(layout, 'h.1.mlp').some((id) => id.includes('attn'))).toBe(false);
  });

  it('per-letter shares weigh each input letter of a kind once: shares times counts add up to the attention on the input', () => {
    const trace = ctx.generation!.traces[5]!;
    const T = trace.ids.length;
    const p = trace.tensors['h.0.attn.probs']!.data;
    const counts = [0, 1, 2].map((v) => trace.ids.slice(0, 6).filter((x) => x === v).length);
    for (const h of [0, 1, 2]) {
      for (const q of [5, 10]) {
        const shares = perLetterShare(trace, h, q);
        let onInput = 0;
        for (let s = 0; s < 6; s++) onInput += p[(h * T + q) * T + s]!;
        const sum = shares.reduce<number>((acc, x, v) => acc + (x ?? 0) * counts[v]!, 0);
        expect(sum).toBeCloseTo(onInput, 6);
      }
    }
  });

  it('the lab step greys exactly the parts the reader switched off, on the pass that wrote their answer', () => {
    const trace = ctx.generation!.traces[5]!;
    const lab = { parts: ['h.0.attn.head0', 'h.2.mlp'], correct: 1, total: 729, slots: [0, 0, 0, 0, 0, 0], output: [0, 0, 0, 0, 0, 0], trace, ms: 1 };
    const scene = direct(howItSorts, order, order.indexOf('lab'), 1, { ...ctx, lab });
    expect(scene.trace).toBe(trace);
    const layout = ctx.layoutOf('nano', 11);
    const off = new Set([...partBlocks(layout, 'h.0.attn.head0'), ...partBlocks(layout, 'h.2.mlp')]);
    const muted = new Set(scene.highlights.filter((h) => h.role === 'muted').map((h) => h.block));
    expect(muted).toEqual(off);
    for (const id of off) expect(scene.blocks[id]?.opacity).toBeLessThan(1);
    expect(scene.blocks['h.0.attn.head1.probs']?.opacity ?? 1).toBe(1);
    expect(scene.describe).toContain('head 1 of layer 1 and the MLP of layer 3 off');
    const none = direct(howItSorts, order, order.indexOf('lab'), 1, { ...ctx, lab: null });
    expect(none.highlights.some((h) => h.role === 'muted')).toBe(false);
  });
});

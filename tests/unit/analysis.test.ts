/**
 * `npm run analyze` (src/gpt/analysis.ts): its numbers are regenerated from the shipped weights and
 * must equal docs/analysis.json, and the findings docs/how-it-sorts.md states hold in them.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readoutR2, type Analysis } from '../../src/gpt/analysis.ts';
import { ANALYSIS_PATH, runAnalysis } from '../../scripts/analyze.ts';

let fresh: Analysis;
beforeAll(async () => {
  fresh = await runAnalysis();
}, 120_000);

const row = (part: string) => fresh.ablations.find((r) => r.part === part)!;

describe('npm run analyze', () => {
  it('regenerates docs/analysis.json exactly', () => {
    expect(JSON.parse(readFileSync(ANALYSIS_PATH, 'utf8'))).toEqual(fresh);
  });

  it('finding 1: only the first layer attention is needed (how-it-sorts.md)', () => {
    expect(row('').correct).toBe(729);
    for (const part of ['h.1.attn', 'h.2.attn', 'h.1.attn,h.2.attn', 'h.1.attn.head0', 'h.2.attn.head2']) expect(row(part).correct, part).toBe(729);
    expect(row('h.0.attn').correct).toBe(90);
    for (const h of [0, 1, 2]) expect(row(`h.0.attn.head${h}`).correct).toBeLessThan(500);
  });

  it('finding 2: after layer 1 attention the counts of A and B are linearly readable at every slot', () => {
    const after = fresh.readouts.filter((r) => r.stage === 'h.0.resid_1');
    const before = fresh.readouts.filter((r) => r.stage === 'embed');
    expect(after).toHaveLength(6);
    for (const r of after) expect(Math.min(r.countA, r.countB)).toBeGreaterThanOrEqual(0.97);
    for (const r of before) expect(r.countA).toBeLessThan(0.7);
  });

  it('finding 3: the letter becomes readable only through the MLPs, and each MLP is needed', () => {
    for (const r of fresh.readouts.filter((r) => r.stage === 'h.0.resid_1')) expect(r.letter).toBeLessThan(0.8);
    for (const r of fresh.readouts.filter((r) => r.stage === 'h.2.resid_2')) expect(r.letter).toBeGreaterThan(0.98);
    expect([0, 1, 2].map((l) => row(`h.${l}.mlp`).correct)).toEqual([150, 172, 195]);
  });

  it('finding 4: without layer 1 attention the model writes A first and C last for every input', () => {
    const r = row('h.0.attn');
    expect(r.written[0]).toEqual([729, 0, 0]);
    expect(r.written[5]).toEqual([0, 0, 729]);
    expect(r.slots[0]).toBe(729 - 64);
  });
});

describe('readoutR2', () => {
  const x = Array.from({ length: 200 }, (_, n) => Float32Array.from([Math.sin(n), Math.cos(3 * n), (n % 7) / 7]));
  const train = x.map((_, n) => n % 2 === 0);

  it('is 1 for a quantity that is a linear function of the features', () => {
    const y = x.map((v) => 2 * v[0]! - v[2]! + 0.5);
    expect(readoutR2(x, y, train)).toBeGreaterThan(0.999);
  });

  it('is about 0 or below for a quantity unrelated to them', () => {
    const y = x.map((_, n) => ((n * 7919) % 13) - 6);
    expect(readoutR2(x, y, train)).toBeLessThan(0.1);
  });
});

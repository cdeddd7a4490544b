import { describe, expect, it, vi } from 'vitest';
import { keepIfSame, sameData, samePlaces } from '../../src/scene/same.ts';
import { TextBoxes, canvasMeasure, labelStyles } from '../../src/scene/label-styles.ts';

describe('samePlaces: block styles that put and show every block alike', () => {
  const base = { 'h.0.ln_1': { offset: [0, 1.5, 0] as [number, number, number], opacity: 0.5 }, wte: { reveal: { cols: 3 } } };
  it('ignores blocks filling in, and defaults written out', () => {
    expect(samePlaces(base, { ...base, wte: { reveal: { cols: 4, rows: 1 } } })).toBe(true);
    expect(samePlaces(base, { ...base, tok_emb: { reveal: { cols: 1 } }, lm_head: { opacity: 1, offset: [0, 0, 0] } })).toBe(true);
    expect(samePlaces(null, base)).toBe(false);
  });
  it('tells a moved, faded, shown or hidden block', () => {
    expect(samePlaces(base, { ...base, 'h.0.ln_1': { offset: [0, 1.5, 0.1], opacity: 0.5 } })).toBe(false);
    expect(samePlaces(base, { ...base, 'h.0.ln_1': { offset: [0, 1.5, 0], opacity: 0.6 } })).toBe(false);
    expect(samePlaces(base, { ...base, wte: { opacity: 0 } })).toBe(false);
    expect(samePlaces(base, { wte: base.wte })).toBe(false);
  });
});

describe('sameData: the scene keeps equal director output as the same object', () => {
  it('equal block styles, highlights and links built afresh are the same data', () => {
    const a = { 'h.0.ln_1': { offset: [0, 1.5, 0], opacity: 1 }, wte: { reveal: { cols: 3, rows: 2 } } };
    const b = { wte: { reveal: { cols: 3, rows: 2 } }, 'h.0.ln_1': { offset: [0, 1.5, 0], opacity: 1 } };
    expect(sameData(a, b)).toBe(true);
    expect(sameData([{ block: 'x', rows: [0, 6], role: 'focus' }], [{ block: 'x', rows: [0, 6], role: 'focus' }])).toBe(true);
  });

  it('any changed number, key, length or kind is different data', () => {
    const base = { 'h.0.ln_1': { offset: [0, 1.5, 0] } };
    expect(sameData(base, { 'h.0.ln_1': { offset: [0, 1.5001, 0] } })).toBe(false);
    expect(sameData(base, { 'h.0.ln_2': { offset: [0, 1.5, 0] } })).toBe(false);
    expect(sameData(base, { ...base, wte: {} })).toBe(false);
    expect(sameData([1, 2], [1, 2, 3])).toBe(false);
    expect(sameData([1], { 0: 1 })).toBe(false);
    expect(sameData({ a: null }, { a: {} })).toBe(false);
  });

  it('a key set to undefined equals a missing key (directors spread optional fields)', () => {
    expect(sameData({ role: 'focus', lift: undefined }, { role: 'focus' })).toBe(true);
  });

  it('keepIfSame returns the previous object only when the data are equal', () => {
    const prev = [{ block: 'x', role: 'focus' }];
    expect(keepIfSame(prev, [{ block: 'x', role: 'focus' }])).toBe(prev);
    const next = [{ block: 'y', role: 'focus' }];
    expect(keepIfSame(prev, next)).toBe(next);
  });
});

describe('TextBoxes: running numbers are measured once per shape', () => {
  const style = labelStyles()[0]!;

  it('numbers that differ only in their digits share one measurement', () => {
    const calls: string[] = [];
    const boxes = new TextBoxes((text) => (calls.push(text), text.length * 7));
    const w = boxes.width('0.9354 + bias −0.02819 = 0.9072', style);
    expect(boxes.width('0.1234 + bias −0.55555 = 0.1111', style)).toBe(w);
    expect(calls).toEqual(['0.0000 + bias −0.00000 = 0.0000']);
  });

  it('a text seen before is found as it is, without rewriting its digits (a label shown every frame)', () => {
    const boxes = new TextBoxes((text) => text.length * 7);
    const w = boxes.width('Layer 37', style);
    const replace = vi.spyOn(String.prototype, 'replace');
    try {
      for (let i = 0; i < 3; i++) expect(boxes.width('Layer 37', style)).toBe(w);
      expect(replace).not.toHaveBeenCalled();
      expect(boxes.width('Layer 38', style)).toBe(w);
      expect(replace).toHaveBeenCalled();
    } finally {
      replace.mockRestore();
    }
  });

  it('a different number of digits, or other text, is measured anew', () => {
    const calls: string[] = [];
    const boxes = new TextBoxes((text) => (calls.push(text), text.length * 7));
    expect(boxes.width('12.5', style)).toBeLessThan(boxes.width('123.5', style));
    boxes.width('top share: 41%', style);
    expect(calls).toEqual(['00.0', '000.0', 'top share: 00%']);
  });
});

describe('canvasMeasure: each character measured once per font', () => {
  it('sums per-character advances and measures a character only the first time', () => {
    const measured: string[] = [];
    const fakeCtx = { font: '', measureText: (t: string) => (measured.push(t), { width: t === 'W' ? 11 : 6 }) };
    const g = globalThis as { document?: unknown };
    const saved = g.document;
    g.document = { createElement: () => ({ getContext: () => fakeCtx }) };
    try {
      const measure = canvasMeasure('system-ui');
      expect(measure('WAW', '500 12px')).toBe(28);
      expect(measure('AWAAW', '500 12px')).toBe(40);
      expect(measured).toEqual(['W', 'A']);
      expect(fakeCtx.font).toBe('500 12px system-ui');
      measure('A', 'bold 14px');
      expect(measured).toEqual(['W', 'A', 'A']);
      expect(fakeCtx.font).toBe('bold 14px system-ui');
    } finally {
      g.document = saved;
    }
  });
});

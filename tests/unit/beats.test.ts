import { describe, expect, it } from 'vitest';
import { easeLinear } from 'd3-ease';
import { arcVec, beat, beats, clamp, countAt, lerpAngle, lerpCamera } from '../../src/story/beats.ts';

describe('beat helpers', () => {
  it('clamp keeps values in range', () => {
    expect(clamp(-1)).toBe(0);
    expect(clamp(2)).toBe(1);
    expect(clamp(0.25)).toBe(0.25);
  });

  it('a beat is exactly 0 before its start and exactly 1 after its end', () => {
    expect(beat(0.1, 0.2, 0.5)).toBe(0);
    expect(beat(0.2, 0.2, 0.5)).toBe(0);
    expect(beat(0.7, 0.2, 0.5)).toBe(1);
    expect(beat(1, 0.2, 0.5)).toBe(1);
    expect(beat(0.45, 0.2, 0.5)).toBeCloseTo(0.5, 10); // symmetric easing passes through the middle
    expect(beat(0.3, 0.2, 0.5, easeLinear)).toBeCloseTo(0.2, 10);
  });

  it('is monotonic in t', () => {
    let prev = -1;
    for (let t = 0; t <= 1; t += 0.01) {
      const v = beat(t, 0.1, 0.6);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
  });

  it('a zero-length beat is a step', () => {
    expect(beat(0.49, 0.5, 0)).toBe(0);
    expect(beat(0.5, 0.5, 0)).toBe(1);
  });

  it('beats() splits [0,1] in proportion', () => {
    const b = beats(0.5, { a: 1, b: 1 }, easeLinear);
    expect(b.a).toBe(1);
    expect(b.b).toBe(0);
    const c = beats(0.75, { a: 1, b: 2, c: 1 }, easeLinear);
    expect(c).toEqual({ a: 1, b: 1, c: 0 });
    expect(beats(0.5, { a: 1, b: 2, c: 1 }, easeLinear).b).toBeCloseTo(0.5, 10);
  });

  it('interpolates angles the short way round and cameras continuously', () => {
    expect(lerpAngle(3, -3, 0.5)).toBeCloseTo(Math.PI, 2);
    const a = { target: [0, 0, 0] as [number, number, number], distance: 10, yaw: 0, pitch: 0 };
    const b = { target: [10, 0, 0] as [number, number, number], distance: 1000, yaw: 1, pitch: 0.5 };
    expect(lerpCamera(a, b, 0)).toEqual(a);
    const end = lerpCamera(a, b, 1);
    expect(end.distance).toBeCloseTo(1000, 8);
    expect(lerpCamera(a, b, 0.5).distance).toBeCloseTo(100, 8); // geometric
  });

  it('arcVec goes from a to b exactly, rising toward the viewer by the lift mid-way', () => {
    const a: [number, number, number] = [10, -4, 0];
    const b: [number, number, number] = [-2, 8, 1];
    expect(arcVec(a, b, 0, 5)).toEqual(a);
    expect(arcVec(a, b, 1, 5)).toEqual(b);
    expect(arcVec(a, b, 1.5, 5)).toEqual(b);
    const mid = arcVec(a, b, 0.5, 5);
    expect(mid[0]).toBeCloseTo(4, 12);
    expect(mid[1]).toBeCloseTo(2, 12);
    expect(mid[2]).toBeCloseTo(0.5 + 5, 12);
    expect(arcVec(a, b, 0.25, 5)[2]).toBeCloseTo(0.25 + 5 * Math.SQRT1_2, 12);
  });

  it('countAt reveals items one by one', () => {
    expect(countAt(6, 0)).toBe(0);
    expect(countAt(6, 1)).toBe(6);
    expect(countAt(6, 0.5)).toBe(3);
    expect(countAt(6, 0.49)).toBe(2);
  });
});

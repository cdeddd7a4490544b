import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT, inputFromSearch, inputProblem } from '../../src/story/input.ts';

describe('the reader input', () => {
  it('accepts exactly six letters from A, B, C', () => {
    expect(inputProblem('CBABBC')).toBeNull();
    expect(inputProblem('CBABB')).toMatch(/exactly 6 letters \(you have 5\)/);
    expect(inputProblem('CBABBCA')).toMatch(/you have 7/);
    expect(inputProblem('CBXBBC')).toMatch(/Letter 3 \("X"\) is not A, B or C/);
    expect(inputProblem('cbabbc')).toMatch(/Letter 1/);
  });

  it('reads ?input= from the address, upper-casing valid letters', () => {
    expect(inputFromSearch('')).toEqual({ input: DEFAULT_INPUT, notice: null });
    expect(inputFromSearch('?input=acbacb')).toEqual({ input: 'ACBACB', notice: null });
    // A parameter the page reads elsewhere (the training chapter's seed) is not unknown there.
    expect(inputFromSearch('?seed=7', ['seed'])).toEqual({ input: DEFAULT_INPUT, notice: null });
    expect(inputFromSearch('?seed=7').notice).toMatch(/unknown address parameter "seed"/);
  });

  const bad: [string, RegExp][] = [
    ['?input=ABCABCABCABCABCABC', /Ignored \?input="ABCABCABCABCABCABC": Use exactly 6 letters/],
    ['?input=ABCABD', /Letter 6 \("D"\)/],
    ['?input=%3Cscript%3Ealert(1)%3C/script%3E', /Ignored \?input="<script>alert\(1\)<\/script>"/],
    ['?input=' + 'A'.repeat(100000), /Ignored \?input="A{40}…"/],
    ['?input=', /Use exactly 6 letters \(you have 0\)/],
    ['?zoom=3&input=CBABBC', /unknown address parameter "zoom"/],
  ];
  for (const [search, message] of bad) {
    it(`ignores ${search.slice(0, 40)} with a notice`, () => {
      const r = inputFromSearch(search);
      expect(r.notice).toMatch(message);
      // The notice is shown as text; its length stays bounded whatever the address holds.
      expect(r.notice!.length).toBeLessThan(300);
      if (!search.includes('input=CBABBC')) expect(r.input).toBe(DEFAULT_INPUT);
    });
  }
});

/** The lab's words for parts and results (src/story/lab-form.ts). */
import { describe, expect, it } from 'vitest';
import { labResultText, partLabel, partsLabel } from '../../src/story/lab-text.ts';

describe('lab form text', () => {
  it('names parts as the reader counts them, from 1', () => {
    expect(partLabel('h.0.attn.head2')).toBe('head 3 of layer 1');
    expect(partLabel('h.1.attn')).toBe("all of layer 2's attention");
    expect(partLabel('h.2.mlp')).toBe('the MLP of layer 3');
    expect(partsLabel(['h.0.attn.head0', 'h.1.mlp', 'h.2.attn'])).toBe("head 1 of layer 1, the MLP of layer 2 and all of layer 3's attention");
  });

  it('says what was switched off, the accuracy, the reader answer and the time', () => {
    expect(labResultText({ parts: [], correct: 729, total: 729 })).toBe('With every part on, the model sorts 729 of 729 inputs.');
    expect(labResultText({ parts: ['h.0.attn.head0'], correct: 330, total: 729, ms: 412.6 }, 'CBABBC', 'AABBCC')).toBe(
      'With head 1 of layer 1 off, the model sorts 330 of 729 inputs. CBABBC becomes AABBCC. (Answered in 413 ms in your browser.)',
    );
  });
});

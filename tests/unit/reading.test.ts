import { describe, expect, it } from 'vitest';
import { describeStep } from '../../src/story/describe.ts';
import { unknownHashNotice } from '../../src/story/navigation.ts';
import { layoutModel } from '../../src/scene/layout.ts';

describe('the address fragment', () => {
  const ids = new Set(['contents', 'tokens-task', 'schön']);
  const has = (id: string) => ids.has(id);

  it('says nothing for no fragment or one that names an element', () => {
    expect(unknownHashNotice('', has)).toBeNull();
    expect(unknownHashNotice('#', has)).toBeNull();
    expect(unknownHashNotice('#tokens-task', has)).toBeNull();
    expect(unknownHashNotice('#sch%C3%B6n', has)).toBeNull();
  });

  it('names an unknown fragment, shortened, and survives a malformed escape', () => {
    expect(unknownHashNotice('#nope', has)).toMatch(/no step "nope" on this page/);
    expect(unknownHashNotice(`#${'x'.repeat(100)}`, has)).toMatch(/"x{40}…"/);
    expect(unknownHashNotice('#%E0%A4%A', has)).toMatch(/"%E0%A4%A"/);
    expect(unknownHashNotice('#%3Cimg%20src%3Dx%3E', has)).toMatch(/"<img src=x>"/);
  });
});

describe('the text alternative of a step', () => {
  const layout = layoutModel('nano', 6);
  const block = layout.blocks.find((b) => b.kind === 'activation')!;
  const step = { number: 2, of: 5, chapterTitle: 'Embedding' };

  it('starts with where the reader is and keeps a director text that has numbers', () => {
    expect(describeStep(step, layout, [], 'Column 3 holds 48 numbers.')).toBe('Embedding, step 2 of 5. Column 3 holds 48 numbers.');
  });

  it('adds the emphasised blocks and their sizes when the director gives no number', () => {
    const text = describeStep(step, layout, [{ block: block.id, rows: [0, 4], role: 'focus' }], 'The embeddings.');
    expect(text).toContain(`The embeddings. The picture emphasises ${block.label} (4 × ${block.cols.size} of its ${block.rows.size} × ${block.cols.size} cells).`);
  });

  it('describes the whole model when nothing is emphasised and the director is silent', () => {
    expect(describeStep(step, layout, [], '')).toMatch(/^Embedding, step 2 of 5\. The picture shows all \d+ blocks of the model, 85,728 parameters\.$/);
  });
});

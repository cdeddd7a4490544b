/**
 * Words in the prose that name a block (:ref[...]{block="..."}): each is underlined in its block's
 * colour (blue weights, green activations, amber aggregates), and hovering or focusing it
 * highlights that block in the picture in the focus colour the span takes on too.
 */
import type { ModelLayout } from '../scene/types.ts';

export function bindBlockRefs(root: ParentNode, layout: ModelLayout, onChange: (block: string | null) => void): void {
  const kinds = new Map(layout.blocks.map((b) => [b.id, b.kind]));
  for (const span of root.querySelectorAll<HTMLElement>('.ref[data-block]')) {
    const block = span.dataset.block!;
    const kind = kinds.get(block);
    if (kind) span.classList.add(`ref-${kind}`);
    const on = () => {
      span.classList.add('ref-active');
      onChange(block);
    };
    const off = () => {
      span.classList.remove('ref-active');
      onChange(null);
    };
    span.addEventListener('mouseenter', on);
    span.addEventListener('focus', on);
    span.addEventListener('mouseleave', off);
    span.addEventListener('blur', off);
  }
}

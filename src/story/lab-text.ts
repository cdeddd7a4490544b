/**
 * The words of the "How it sorts" lab: part names as a reader reads them and the result line.
 * Apart from the form (lab-form.ts, built with the page) so the page's script carries only these.
 */

/** A part name (ablation.ts) as the reader reads it, counting from 1: h.0.attn.head2 -> "head 3 of layer 1". */
export function partLabel(part: string): string {
  const m = /^h\.(\d+)\.(attn(?:\.head(\d+))?|mlp)$/.exec(part);
  if (!m) return part;
  const layer = Number(m[1]) + 1;
  if (m[2] === 'mlp') return `the MLP of layer ${layer}`;
  return m[3] !== undefined ? `head ${Number(m[3]) + 1} of layer ${layer}` : `all of layer ${layer}'s attention`;
}

/** Part labels joined as a list: "a", "a and b", "a, b and c". */
export function partsLabel(parts: readonly string[]): string {
  const names = parts.map(partLabel);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The text of the result line; `output` is the reader's answer when known. */
export function labResultText(r: { parts: readonly string[]; correct: number; total: number; ms?: number }, input?: string, output?: string): string {
  const which = r.parts.length === 0 ? 'With every part on' : `With ${partsLabel(r.parts)} off`;
  const yours = input && output ? ` ${input} becomes ${output}.` : '';
  const took = r.ms !== undefined ? ` (Answered in ${Math.max(1, Math.round(r.ms))} ms in your browser.)` : '';
  return `${which}, the model sorts ${r.correct} of ${r.total} inputs.${yours}${took}`;
}

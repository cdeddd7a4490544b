/**
 * A small hyperscript for the HTML trees the Markdown directives build at build time (forms,
 * panels): hast element nodes, with strings as text children.
 */
export type HastChild = { type: 'element'; tagName: string; properties: Record<string, unknown>; children: HastChild[] } | { type: 'text'; value: string };

export function h(tagName: string, properties: Record<string, unknown>, ...children: (HastChild | string)[]): HastChild {
  return { type: 'element', tagName, properties, children: children.map((c) => (typeof c === 'string' ? { type: 'text', value: c } : c)) };
}

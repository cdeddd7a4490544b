/**
 * The page's end of the overlay over the canvas: the label elements and the arrows' SVG, written
 * from what the render worker placed for a frame (overlay.ts OverlayFrame). Nothing here projects
 * or places: a frame's record is copied onto pooled elements, changing only what changed.
 */
import { LabelElements } from './label-dom.ts';
import type { ArrowSink } from './links.ts';
import type { OverlayFrame } from './overlay.ts';
import { ROLE_HEX } from './palette.ts';
import type { Rect } from './placement.ts';
import type { HighlightRole } from './types.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';

interface Slot {
  group: SVGGElement;
  halo: SVGPathElement;
  line: SVGPathElement;
  head: SVGPathElement;
  d: string;
  h: string;
  role: HighlightRole | '';
}

/**
 * The arrows: one <svg> under the label layer (labels and callouts stay readable above the
 * arrows), pointer-events none, hidden from assistive technology (the step's description says in
 * words what the arrows show). Its groups are reused from frame to frame.
 */
export class ArrowElements implements ArrowSink {
  readonly svg: SVGSVGElement;
  private readonly slots: Slot[] = [];
  private shown = 0;

  constructor(root: HTMLElement, before: Element | null) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'scene-links');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    // CSSOM, not a style attribute: the page's CSP allows the former only.
    svg.style.position = 'absolute';
    svg.style.left = '0';
    svg.style.top = '0';
    svg.style.width = '100%';
    svg.style.height = '100%';
    svg.style.overflow = 'hidden';
    svg.style.pointerEvents = 'none';
    root.insertBefore(svg, before);
    this.svg = svg;
  }

  arrow(i: number, d: string, h: string, role: HighlightRole): void {
    const s = this.slots[i] ?? this.addSlot();
    if (s.d !== d) {
      s.halo.setAttribute('d', d);
      s.line.setAttribute('d', d);
      s.d = d;
    }
    if (s.h !== h) {
      s.head.setAttribute('d', h);
      s.h = h;
    }
    if (s.role !== role) {
      s.line.setAttribute('stroke', ROLE_HEX[role]);
      s.head.setAttribute('fill', ROLE_HEX[role]);
      s.role = role;
    }
    if (i >= this.shown) s.group.style.display = '';
  }

  end(n: number): void {
    for (let i = n; i < this.shown; i++) this.slots[i]!.group.style.display = 'none';
    this.shown = n;
  }

  private addSlot(): Slot {
    const group = document.createElementNS(SVG_NS, 'g');
    const path = (attrs: Record<string, string>) => {
      const p = document.createElementNS(SVG_NS, 'path');
      for (const [k, v] of Object.entries(attrs)) p.setAttribute(k, v);
      group.appendChild(p);
      return p;
    };
    // A white halo under the stroke keeps the arrow readable over cells of any colour.
    const halo = path({ fill: 'none', stroke: '#ffffff', 'stroke-width': '5', 'stroke-opacity': '0.9', 'stroke-linecap': 'round' });
    const line = path({ fill: 'none', 'stroke-width': '2', 'stroke-linecap': 'round' });
    const head = path({ stroke: '#ffffff', 'stroke-width': '1.5', 'stroke-linejoin': 'round', 'paint-order': 'stroke' });
    this.svg.appendChild(group);
    const slot: Slot = { group, halo, line, head, d: '', h: '', role: '' };
    this.slots.push(slot);
    return slot;
  }
}

/** Labels and arrows on the page, as the worker placed them. */
export class OverlayElements {
  private readonly labels: LabelElements;
  private readonly arrows: ArrowElements;
  private readonly box: Rect = { x0: 0, y0: 0, x1: 0, y1: 0 };

  /** Labels go in `labelRoot`; the arrows' <svg> into `root`, before `labelRoot`. */
  constructor(root: HTMLElement, labelRoot: HTMLElement | null) {
    this.labels = new LabelElements(labelRoot ?? root);
    this.arrows = new ArrowElements(root, labelRoot);
  }

  /** Shows one frame's labels and arrows, hiding the ones it does not have. */
  apply(frame: OverlayFrame): void {
    const { texts, classes, boxes, arrows } = frame;
    const r = this.box;
    for (let i = 0; i < texts.length; i++) {
      r.x0 = boxes[4 * i]!;
      r.y0 = boxes[4 * i + 1]!;
      r.x1 = boxes[4 * i + 2]!;
      r.y1 = boxes[4 * i + 3]!;
      this.labels.show(texts[i]!, classes[i]!, r);
    }
    this.labels.end();
    let n = 0;
    for (let i = 0; i + 2 < arrows.length; i += 3) this.arrows.arrow(n++, arrows[i]!, arrows[i + 1]!, arrows[i + 2] as HighlightRole);
    this.arrows.end(n);
  }

  /** Nothing shown. */
  clear(): void {
    this.labels.end();
    this.arrows.end(0);
  }
}

/**
 * The hover/tap tooltip of one cell: the tensor's name, where the cell is, the exact value the
 * trace holds, and the formula with the actual numbers (from explain.ts). GELU cells add a small
 * SVG of the curve with x marked. Built with DOM nodes and textContent only: labels and numbers
 * never pass through HTML parsing.
 */
import { gelu } from '../gpt/reference.ts';
import { formatFormula, formatNumber, type Explanation } from './explain.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The shortest decimal that reads back as the same float32: what the engine actually stored. */
export function exactFloat32(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** GELU over x in [-4, 4] with the cell's x marked; x outside the range is pinned to the edge. */
export function geluCurve(x: number): SVGSVGElement {
  const W = 160;
  const H = 72;
  const X0 = -4;
  const X1 = 4;
  const Y0 = -0.6;
  const Y1 = 4;
  const sx = (v: number) => ((v - X0) / (X1 - X0)) * W;
  const sy = (v: number) => H - ((v - Y0) / (Y1 - Y0)) * H;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H));
  svg.setAttribute('class', 'tt-gelu');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `GELU curve with x = ${formatNumber(x)} marked`);
  const line = (x1: number, y1: number, x2: number, y2: number, cls: string) => {
    const l = document.createElementNS(SVG_NS, 'line');
    l.setAttribute('x1', String(x1));
    l.setAttribute('y1', String(y1));
    l.setAttribute('x2', String(x2));
    l.setAttribute('y2', String(y2));
    l.setAttribute('class', cls);
    svg.appendChild(l);
  };
  line(0, sy(0), W, sy(0), 'axis');
  line(sx(0), 0, sx(0), H, 'axis');
  const points: string[] = [];
  for (let i = 0; i <= 64; i++) {
    const v = X0 + ((X1 - X0) * i) / 64;
    points.push(`${sx(v).toFixed(1)},${sy(gelu(v)).toFixed(1)}`);
  }
  const curve = document.createElementNS(SVG_NS, 'polyline');
  curve.setAttribute('points', points.join(' '));
  curve.setAttribute('class', 'curve');
  svg.appendChild(curve);
  const cx = Math.max(X0, Math.min(X1, x));
  const mark = document.createElementNS(SVG_NS, 'circle');
  mark.setAttribute('cx', sx(cx).toFixed(1));
  mark.setAttribute('cy', sy(Math.max(Y0, Math.min(Y1, gelu(cx)))).toFixed(1));
  mark.setAttribute('r', '3.5');
  mark.setAttribute('class', 'mark');
  svg.appendChild(mark);
  line(sx(cx), sy(0), sx(cx), sy(gelu(cx)), 'guide');
  return svg;
}

export class Tooltip {
  readonly element: HTMLElement;
  private shownKey = '';

  constructor(element: HTMLElement) {
    this.element = element;
    element.hidden = true;
  }

  /**
   * Shows the explanation next to (x, y) (CSS pixels inside the container of `bounds` size),
   * flipping to the other side of the pointer rather than leaving the container.
   */
  show(e: Explanation, x: number, y: number, bounds: { width: number; height: number }): void {
    const key = `${e.block}:${e.row}:${e.col}:${e.value}`;
    if (key !== this.shownKey) {
      this.shownKey = key;
      this.fill(e);
    }
    const t = this.element;
    t.hidden = false;
    const w = t.offsetWidth;
    const h = t.offsetHeight;
    const left = x + 16 + w > bounds.width ? Math.max(4, x - 16 - w) : x + 16;
    const top = y + 16 + h > bounds.height ? Math.max(4, y - 16 - h) : y + 16;
    t.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  /** A plain message (e.g. a render-only model's cell: there is no number to show). */
  showText(title: string, text: string, x: number, y: number, bounds: { width: number; height: number }): void {
    const key = `text:${title}:${text}`;
    if (key !== this.shownKey) {
      this.shownKey = key;
      this.element.replaceChildren(el('div', 'tt-title', title), el('div', 'tt-line', text));
    }
    this.element.hidden = false;
    const left = Math.min(x + 16, Math.max(4, bounds.width - this.element.offsetWidth - 4));
    const top = y + 16 + this.element.offsetHeight > bounds.height ? Math.max(4, y - 16 - this.element.offsetHeight) : y + 16;
    this.element.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  hide(): void {
    this.element.hidden = true;
  }

  private fill(e: Explanation): void {
    const lines = formatFormula(e);
    const value = el('div', 'tt-value');
    value.append(el('span', 'tt-num', formatNumber(e.value)));
    if (e.formula.kind !== 'token') value.append(' ', el('span', 'tt-exact', `float32 ${exactFloat32(e.value)}`));
    value.dataset.value = String(e.value);
    const children: Node[] = [el('div', 'tt-title', e.title), value];
    lines.forEach((line, i) => children.push(el('div', i === 0 ? 'tt-where' : 'tt-line', line)));
    if (e.formula.kind === 'gelu') children.push(geluCurve(e.formula.x));
    this.element.replaceChildren(...children);
  }
}

/**
 * The run's loss (log scale) and accuracy as SVG, drawn with d3-scale and d3-shape. Each plot is
 * an <svg role="img"> named by its title and described by the panel's text summary; axes carry
 * their ticks and labels as text. A vertical rule marks the checkpoint the picture shows.
 */
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';

const M = { left: 50, right: 10, top: 20, bottom: 32 };

/** A plot's size in SVG units (drawn at about one unit per CSS px, so 11-unit text stays 11 px). */
export interface PlotSize {
  width: number;
  height: number;
}

export const WIDE: PlotSize = { width: 320, height: 130 };
/** Two side by side in a phone's text column. */
export const NARROW: PlotSize = { width: 175, height: 120 };

export interface PlotInput {
  iters: number;
  /** losses[i]: batch loss of iteration i + 1 (holes for iterations not received). */
  losses: readonly number[];
  accuracy: readonly { iteration: number; correct: number; total: number }[];
  /** The iteration of the checkpoint in the picture. */
  marker: number | null;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The frame both plots share: title, axes with ticks, axis names; `body` is drawn inside. */
function frame(z: PlotSize, title: string, x: (v: number) => number, xTicks: number[], y: (v: number) => number, yTicks: number[], yFormat: (v: number) => string, yName: string, body: string): string {
  const x0 = M.left;
  const x1 = z.width - M.right;
  const y0 = z.height - M.bottom;
  const y1 = M.top;
  const parts = [`<text class="plot-title" x="${x0}" y="14">${esc(title)}</text>`];
  parts.push(`<line class="axis" x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}"/>`, `<line class="axis" x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}"/>`);
  for (const v of xTicks) parts.push(`<line class="tick" x1="${x(v)}" y1="${y0}" x2="${x(v)}" y2="${y0 + 4}"/><text class="tick-label" x="${x(v)}" y="${y0 + 15}" text-anchor="middle">${v}</text>`);
  for (const v of yTicks) parts.push(`<line class="grid" x1="${x0}" y1="${y(v)}" x2="${x1}" y2="${y(v)}"/><text class="tick-label" x="${x0 - 5}" y="${y(v) + 4}" text-anchor="end">${esc(yFormat(v))}</text>`);
  parts.push(`<text class="axis-name" x="${(x0 + x1) / 2}" y="${z.height - 4}" text-anchor="middle">iteration</text>`);
  parts.push(`<text class="axis-name" transform="translate(11 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(yName)}</text>`);
  return parts.join('') + body;
}

function markerAt(z: PlotSize, x: number): string {
  return `<line class="marker" x1="${x}" y1="${M.top}" x2="${x}" y2="${z.height - M.bottom}"/>`;
}

/** The iteration axis: a tick every quarter of the run, or every half when narrow. */
function iterationAxis(d: PlotInput, z: PlotSize) {
  const x = scaleLinear().domain([0, d.iters]).range([M.left, z.width - M.right]);
  return { x, ticks: x.ticks(z.width < 250 ? 2 : 4) };
}

/** Batch losses averaged over consecutive windows of `n` iterations: [last iteration of the window, mean]. */
export function windowMeans(losses: readonly number[], n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < losses.length; start += n) {
    let sum = 0;
    let count = 0;
    for (let i = start; i < Math.min(start + n, losses.length); i++) {
      const v = losses[i];
      if (v !== undefined && Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    if (count > 0) out.push([Math.min(start + n, losses.length), sum / count]);
  }
  return out;
}

/** Iterations per point of the loss curve: single batches swing by orders of magnitude once most are easy. */
export const LOSS_WINDOW = 20;

export function lossSvg(d: PlotInput, z: PlotSize = WIDE): string {
  const { x, ticks } = iterationAxis(d, z);
  const means = windowMeans(d.losses, LOSS_WINDOW);
  const known = means.map((m) => m[1]).filter((v) => v > 0);
  const lo = known.length ? Math.min(...known) : 0.01;
  const hi = known.length ? Math.max(...known) : 2;
  const y = scaleLog().domain([Math.min(lo, 0.5), Math.max(hi, 1.2)]).range([z.height - M.bottom, M.top]).nice().clamp(true);
  const path = line<[number, number]>()
    .defined(([, v]) => v > 0)
    .x(([i]) => x(i))
    .y(([, v]) => y(v))(means);
  const fmt = y.tickFormat(4, '~g');
  const yTicks = y.ticks(4).filter((v) => fmt(v) !== '');
  const body = (path ? `<path class="loss-line" d="${path}"/>` : '') + (d.marker !== null ? markerAt(z, x(d.marker)) : '');
  const title = z.width < 250 ? 'Loss (log scale)' : `Loss, mean of ${LOSS_WINDOW} steps (log scale)`;
  return frame(z, title, x, ticks, y, yTicks, fmt, 'loss', body);
}

export function accuracySvg(d: PlotInput, z: PlotSize = WIDE): string {
  const { x, ticks: xTicks } = iterationAxis(d, z);
  const total = d.accuracy[0]?.total ?? 729;
  const y = scaleLinear().domain([0, total]).range([z.height - M.bottom, M.top]);
  const pts = d.accuracy.map((a) => [x(a.iteration), y(a.correct)] as [number, number]);
  const path = line()(pts);
  const dots = pts.map(([px, py]) => `<circle class="acc-dot" cx="${px}" cy="${py}" r="2"/>`).join('');
  const body = (path ? `<path class="acc-line" d="${path}"/>` : '') + dots + (d.marker !== null ? markerAt(z, x(d.marker)) : '');
  const ticks = z.height < 125 ? [0, total] : [0, Math.round(total / 3), Math.round((2 * total) / 3), total];
  return frame(z, z.width < 250 ? 'Inputs sorted' : `Inputs sorted (of ${total})`, x, xTicks, y, ticks, String, 'sorted', body);
}

export const viewBoxOf = (z: PlotSize) => `0 0 ${z.width} ${z.height}`;
export const PLOT_VIEWBOX = viewBoxOf(WIDE);

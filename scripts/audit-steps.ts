/**
 * npm run audit:steps [-- --json] [--chapters welcome,stack,explore] [--sizes 1280x800,390x844] [--dist dir]
 *
 * Serves the built site (run `npm run build` first) and, in the test Chromium, visits every step
 * of every chapter at t = 0, 0.5 and 1 at each size, plus /explore/'s default and "Whole model"
 * views; measures the rendered page (canvas pixels, DOM boxes, the frame's camera) and checks
 * the numbers of issue 12 (thresholds in scripts/lib/audit-measure.ts). Prints one row per
 * step/size/t and a summary of the failures (or everything as JSON with --json).
 * Exit status: 0 when every threshold holds, 1 when any fails, 2 on bad arguments.
 */
import { launchBrowser, serveDist } from '../tests/e2e/harness.ts';
import { argsOrExit, parseArgs } from './lib/args.ts';
import { EXPLORE, runAudit } from './lib/audit-run.ts';
import { THRESHOLDS, type Row, type Summary } from './lib/audit-measure.ts';
import { DEFAULT_SIZES, parseChapters, parseSizes } from './lib/step-pages.ts';

const { args, chapters, sizes } = argsOrExit('audit:steps', () => {
  const args = parseArgs(process.argv.slice(2), { json: 'flag', chapters: 'string', sizes: 'string', dist: 'string' });
  return {
    args,
    chapters: args.chapters === undefined ? undefined : parseChapters(args.chapters as string, [EXPLORE]),
    sizes: args.sizes === undefined ? [...DEFAULT_SIZES] : parseSizes(args.sizes as string),
  };
});
const json = Boolean(args.json);

const pct = (x: number) => `${(x * 100).toFixed(0)}%`.padStart(4);
const COLUMNS = ['step', 'size', 't', 'drawn', 'bbox w x h', 'targets out', 'min cell', 'labels', 'failures'];

function line(r: Row): string {
  const cells = [
    `${r.id}${r.overview ? ' (whole)' : ''}`.padEnd(36),
    r.size.padEnd(8),
    r.t.toFixed(1),
    pct(r.drawnShare),
    `${pct(r.bboxWidth)} x ${pct(r.bboxHeight)}`,
    `${r.targetsOut.length}/${r.targets}`.padStart(5),
    (r.minCellPx === null ? '-' : r.minCellPx.toFixed(1)).padStart(6),
    String(r.labels).padStart(4),
    r.failures.map((f) => f.check).join(', ') || 'ok',
  ];
  return cells.join('  ');
}

function printSummary(s: Summary): void {
  process.stdout.write(`\n${s.rows} rows, ${s.failingRows} with failures (${s.failingSteps} step/size pairs).\n`);
  for (const [check, v] of Object.entries(s.byCheck)) {
    process.stdout.write(`\n${check}: ${v.rows} rows. Worst:\n`);
    for (const w of v.worst) process.stdout.write(`  ${w.id} ${w.size} t=${w.t}: ${w.detail}\n`);
  }
}

const server = await serveDist((args.dist as string | undefined) ?? 'dist');
const browser = await launchBrowser();
let failed: boolean;
try {
  if (!json) process.stdout.write(COLUMNS.join(' | ') + '\n');
  const report = await runAudit({
    browser,
    origin: server.origin,
    chapters,
    sizes,
    onRow: json ? undefined : (r) => process.stdout.write(line(r) + '\n'),
  });
  failed = report.summary.failingRows > 0;
  if (json) process.stdout.write(JSON.stringify({ thresholds: THRESHOLDS, ...report }, null, 2) + '\n');
  else printSummary(report.summary);
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);

/** Tiny command-line parsing for the scripts: `--name value` pairs and `--flag`s, strictly checked. */

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: Record<string, 'string' | 'int' | 'flag'>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.startsWith('--') ? arg.slice(2) : null;
    const kind = name ? spec[name] : undefined;
    if (!name || !kind) throw new UsageError(`unknown argument "${arg}": expected one of ${Object.keys(spec).map((k) => '--' + k).join(', ')}`);
    if (kind === 'flag') {
      out[name] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    if (kind === 'int') {
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
      out[name] = Number(value);
    } else {
      out[name] = value;
    }
  }
  return out;
}

/**
 * Runs `parse` (parseArgs and any further checks, which throw UsageError) for the script `name`:
 * a usage error becomes one stderr line, "<name>: <message>", and exit status 2.
 */
export function argsOrExit<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${name}: ${e.message}\n`);
    process.exit(2);
  }
}

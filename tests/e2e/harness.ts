/**
 * Browser-test harness: finds a Chromium without downloading one, serves the built site from
 * dist/ over a throwaway local HTTP server, opens pages while recording everything that went
 * wrong, and reads WebGL canvases back as pixels.
 *
 * Chromium lookup order (findChromium):
 *   1. $CHROME_PATH (must be an executable file, otherwise an error: a typo should not silently
 *      fall through to another browser);
 *   2. a system Chromium/Chrome: /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome,
 *      then chromium, chromium-browser, google-chrome, google-chrome-stable on $PATH. Snap wrappers are
 *      skipped (a snap-confined browser cannot use the temporary profile under /tmp); force one
 *      through CHROME_PATH if you must;
 *   3. the @sparticuz/chromium npm package (a Linux x64/arm64 headless_shell, Brotli-packed), unpacked
 *      into a private, versioned directory under the OS temp dir (see unpackSparticuz).
 *
 * WebGL2 comes from SwiftShader (CPU) through ANGLE: `--use-angle=swiftshader --enable-unsafe-swiftshader`.
 * Do not use `--use-gl=swiftshader`: Chromium drops the WebGL context with it.
 */
import { sceneHook } from './scene-hook.ts';
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants as fsConstants,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, extname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';

/** Repository root (tests/e2e/ is two levels down); relative paths given to the harness resolve here. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------------------------------------------------------------------------------------------
// Finding Chromium
// ---------------------------------------------------------------------------------------------

export interface FoundChromium {
  /** Absolute path of the browser binary. */
  executablePath: string;
  /** Where it came from: 'CHROME_PATH', 'system', or '@sparticuz/chromium@<version>', plus detail. */
  source: string;
  /** Extra environment the binary needs (FONTCONFIG_PATH, LD_LIBRARY_PATH); merged over process.env at launch. */
  env: Record<string, string>;
  /** Milliseconds spent unpacking @sparticuz/chromium in this process; undefined when nothing was unpacked. */
  unpackMs?: number;
}

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

let found: Promise<FoundChromium> | undefined;

/** Locates a Chromium binary (memoised per process). Never downloads anything. */
export function findChromium(): Promise<FoundChromium> {
  found ??= locateChromium();
  // A failed lookup is not cached, so a later call (e.g. after fixing CHROME_PATH) tries again.
  found.catch(() => {
    found = undefined;
  });
  return found;
}

async function locateChromium(): Promise<FoundChromium> {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) {
      throw new Error(`CHROME_PATH=${fromEnv} is not an executable file. Unset it to use a system or bundled Chromium.`);
    }
    return { executablePath: fromEnv, source: 'CHROME_PATH', env: {} };
  }

  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .flatMap((d) => PATH_NAMES.map((n) => join(d, n)));
  for (const candidate of [...SYSTEM_PATHS, ...onPath]) {
    if (isExecutableFile(candidate) && !isSnapWrapper(candidate)) {
      return { executablePath: candidate, source: `system (${candidate})`, env: {} };
    }
  }

  return unpackSparticuz();
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Ubuntu's /usr/bin/chromium-browser is a shell script that installs or runs the snap. */
function isSnapWrapper(path: string): boolean {
  try {
    if (realpathSync(path).startsWith('/snap/')) return true;
    const head = readFileSync(path).subarray(0, 4096).toString('latin1');
    return head.startsWith('#!') && head.includes('snap');
  } catch {
    return false;
  }
}

interface SparticuzMarker {
  version: string;
  browserVersion: string;
  needsBundledLibs: boolean;
}

/**
 * Unpacks @sparticuz/chromium into `<tmp>/sparticuz-chromium-<version>-<uid>/`.
 *
 * Why not plain `executablePath()` into /tmp: it returns /tmp/chromium whenever that file exists,
 * so a half-written binary (killed run) or one from an older package version is reused forever,
 * and a /tmp/chromium left by another user (mode 0700) is unusable. The package computes every
 * output path from os.tmpdir() at call time, so TMPDIR is pointed at the private directory for the
 * duration of the call. A `.ready` marker is written only after the binary has run `--version`;
 * a directory lock serialises concurrent test processes.
 *
 * Its fonts.conf names /tmp/fonts literally, so it is rewritten to point at the private copy.
 * Its system-library pack (libnss3, libnspr4, libexpat, built for Amazon Linux 2023) is only
 * unpacked by the package on AL2023; here it is always unpacked and added to LD_LIBRARY_PATH when
 * `ldd` reports the system lacks those libraries (a bare Debian/Ubuntu image with only Node).
 */
async function unpackSparticuz(): Promise<FoundChromium> {
  const require = createRequire(import.meta.url);
  let pkgRoot: string;
  try {
    // The package's exports map hides package.json; walk up from its CommonJS entry (build/cjs/index.cjs).
    pkgRoot = resolve(dirname(require.resolve('@sparticuz/chromium')), '..', '..');
  } catch {
    throw new Error(
      'No Chromium found: CHROME_PATH is unset, no system Chromium/Chrome is installed, and the ' +
        '@sparticuz/chromium package is missing (run `npm ci`).',
    );
  }
  if (process.platform !== 'linux') {
    throw new Error(`@sparticuz/chromium only ships Linux binaries; set CHROME_PATH to a Chrome/Chromium on ${process.platform}.`);
  }
  const version = (JSON.parse(readFileSync(join(pkgRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const uid = typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
  const realTmp = tmpdir();
  const dir = join(realTmp, `sparticuz-chromium-${version}-${uid}`);
  const exe = join(dir, 'chromium');
  const markerPath = join(dir, '.ready');
  const fontsDir = join(dir, 'fonts');
  const libDir = join(dir, 'al2023', 'lib');
  const source = `@sparticuz/chromium@${version} (${dir})`;

  return withLock(`${dir}.lock`, async () => {
    const complete =
      existsSync(markerPath) && isExecutableFile(exe) && existsSync(join(dir, 'libGLESv2.so')) && existsSync(fontsDir);
    if (complete) {
      const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as SparticuzMarker;
      return { executablePath: exe, source, env: sparticuzEnv(fontsDir, libDir, marker.needsBundledLibs) };
    }

    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const t0 = performance.now();
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    let unpacked: string;
    try {
      const mod = await import('@sparticuz/chromium');
      unpacked = await mod.default.executablePath();
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    if (resolve(unpacked) !== exe) {
      throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, expected ${exe} (did its TMPDIR handling change?)`);
    }
    extractTarBr(join(pkgRoot, 'bin', 'al2023.tar.br'), join(dir, 'al2023'));
    writeFileSync(
      join(fontsDir, 'fonts.conf'),
      [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
        '<fontconfig>',
        `  <dir>${fontsDir}</dir>`,
        `  <cachedir>${join(dir, 'fonts-cache')}</cachedir>`,
        '</fontconfig>',
        '',
      ].join('\n'),
    );
    const unpackMs = performance.now() - t0;

    const missing = missingLibraries(exe, {});
    const needsBundledLibs = missing.length > 0;
    const env = sparticuzEnv(fontsDir, libDir, needsBundledLibs);
    if (needsBundledLibs) {
      const stillMissing = missingLibraries(exe, env);
      if (stillMissing.length > 0) {
        throw new Error(
          `The bundled Chromium needs shared libraries this system lacks: ${stillMissing.join(', ')}. ` +
            'Install them (e.g. apt-get install libnss3) or point CHROME_PATH at a working Chrome/Chromium.',
        );
      }
    }

    const run = spawnSync(exe, ['--version'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const browserVersion = (run.stdout ?? '').trim();
    const major = version.split('.')[0];
    if (run.status !== 0 || !new RegExp(`\\b${major}\\.`).test(browserVersion)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `Unpacked ${exe} does not run (exit ${String(run.status)}${run.error ? `, ${run.error.message}` : ''}): ` +
          `${browserVersion} ${(run.stderr ?? '').trim()}`.trim(),
      );
    }
    const marker: SparticuzMarker = { version, browserVersion, needsBundledLibs };
    writeFileSync(markerPath, JSON.stringify(marker) + '\n');
    return { executablePath: exe, source, env, unpackMs };
  });
}

function sparticuzEnv(fontsDir: string, libDir: string, needsBundledLibs: boolean): Record<string, string> {
  // The bundled Open Sans everywhere keeps text rendering identical across machines (and works
  // where no system fonts exist); an explicit FONTCONFIG_PATH from the caller wins.
  const env: Record<string, string> = { FONTCONFIG_PATH: process.env.FONTCONFIG_PATH ?? fontsDir };
  if (needsBundledLibs) {
    env.LD_LIBRARY_PATH = [libDir, ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)].join(':');
  }
  return env;
}

/** Libraries `ldd` cannot resolve; empty when ldd itself is unavailable (then launch will tell). */
function missingLibraries(exe: string, env: Record<string, string>): string[] {
  const r = spawnSync('ldd', [exe], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  if (r.error || typeof r.stdout !== 'string') return [];
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('not found'))
    .map((l) => l.trim().split(/\s+/)[0] ?? l.trim());
}

/** Minimal ustar reader for the package's small .tar.br packs: regular files, directories, symlinks. */
function extractTarBr(file: string, dest: string): void {
  const tar = brotliDecompressSync(readFileSync(file));
  const field = (o: number, n: number): string => tar.toString('utf8', o, o + n).replace(/\0.*$/s, '');
  let off = 0;
  while (off + 512 <= tar.length) {
    const name = field(off, 100);
    if (!name) break;
    const prefix = field(off + 345, 155);
    const path = prefix ? `${prefix}/${name}` : name;
    const size = parseInt(field(off + 124, 12).trim() || '0', 8);
    const mode = parseInt(field(off + 100, 8).trim() || '644', 8);
    const type = field(off + 156, 1) || '0';
    const target = normalize(join(dest, path));
    if (isAbsolute(path) || !target.startsWith(dest + sep)) throw new Error(`Unsafe path ${path} in ${file}`);
    const body = tar.subarray(off + 512, off + 512 + size);
    if (type === '5') {
      mkdirSync(target, { recursive: true });
    } else if (type === '0' || type === '7') {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, body, { mode: mode & 0o777 });
    } else if (type === '2') {
      mkdirSync(dirname(target), { recursive: true });
      rmSync(target, { force: true });
      symlinkSync(field(off + 157, 100), target);
    }
    // Other entry types (pax headers, hard links) do not occur in these packs and are skipped.
    off += 512 + Math.ceil(size / 512) * 512;
  }
}

async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        // A lock older than five minutes belongs to a killed process (unpacking takes seconds).
        if (Date.now() - statSync(lockDir).mtimeMs > 300_000) {
          rmSync(lockDir, { recursive: true, force: true });
          continue;
        }
      } catch {
        continue; // the lock vanished between mkdir and stat: retry at once
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${lockDir}; remove it if no other test run is unpacking Chromium.`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Launching
// ---------------------------------------------------------------------------------------------

/** Flags every launch gets. SwiftShader through ANGLE is what makes WebGL2 work (and screenshot) headless. */
export const BASE_ARGS: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
]);

/**
 * Flags for a browser without WebGL anywhere. --disable-webgl alone leaves WebGL to an
 * OffscreenCanvas in a worker, where the site draws; without a GPU process or a software
 * rasteriser, no context can be made at all.
 */
export const NO_WEBGL = ['--disable-webgl', '--disable-gpu', '--disable-software-rasterizer'];

export interface LaunchOptions {
  /** Extra Chromium flags, e.g. NO_WEBGL for a browser without WebGL. */
  args?: string[];
  /** Launch timeout in ms (default 60 s). */
  timeout?: number;
}

/**
 * Launches headless Chromium. Playwright's launch() gives every browser a fresh temporary
 * user-data-dir (and deletes it on close), so no profile state leaks between runs.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const chrome = await findChromium();
  return chromium.launch({
    executablePath: chrome.executablePath,
    headless: true,
    args: [...BASE_ARGS, ...(options.args ?? [])],
    env: { ...stringEnv(process.env), ...chrome.env },
    timeout: options.timeout ?? 60_000,
  });
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Static server
// ---------------------------------------------------------------------------------------------

export const MIME_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.safetensors': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
});

/** Extra response headers: fixed, or chosen per decoded request path (return undefined for none). */
export type HeaderOption =
  | Record<string, string>
  | ((pathname: string) => Record<string, string> | undefined);

export interface ServeOptions {
  headers?: HeaderOption;
  /**
   * Serve the site under this path prefix, as a host serving a site built with BASE_PATH does
   * (e.g. "/gpt-inside-out/"): `/gpt-inside-out/x` reads `dir/x`; any path outside the prefix gets
   * the 404 page. Default "/".
   */
  base?: string;
}

export interface StaticServer {
  /** e.g. http://127.0.0.1:40123 (no trailing slash). */
  origin: string;
  /** Absolute directory being served. */
  root: string;
  /** The path prefix the site is served under, with slashes at both ends ("/" by default). */
  base: string;
  /** Replace the extra response headers for subsequent requests. */
  setHeaders(headers: HeaderOption | undefined): void;
  close(): Promise<void>;
}

/**
 * Serves `dir` (relative to the repo root unless absolute) on 127.0.0.1 at an OS-chosen port.
 * GET/HEAD only; `/dir` redirects to `/dir/`, `/dir/` serves its index.html; missing files get 404
 * (with dir/404.html as the body when it exists); any `..` segment (raw or percent-encoded) and
 * anything resolving outside the root (symlinks included) gets 403. Responses are `no-store`.
 */
export async function serveDist(dir = 'dist', options: ServeOptions = {}): Promise<StaticServer> {
  const root = resolve(REPO_ROOT, dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(`serveDist: ${root} does not exist. Run \`npm run build\` first to build the site into dist/.`);
  }
  const realRoot = realpathSync(root);
  const inner = (options.base ?? '/').split('/').filter(Boolean).join('/');
  const base = inner ? `/${inner}/` : '/';
  let extra: HeaderOption | undefined = options.headers;

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) send(res, req, 500, 'text/plain; charset=utf-8', `500 ${(e as Error).message}\n`);
      else res.destroy();
    }
  });

  function extraHeaders(pathname: string): Record<string, string> {
    if (!extra) return {};
    return (typeof extra === 'function' ? extra(pathname) : extra) ?? {};
  }

  function send(
    res: ServerResponse,
    req: IncomingMessage,
    status: number,
    type: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): void {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': String(buf.length),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : buf);
  }

  function notFound(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    const page = join(realRoot, '404.html');
    if (existsSync(page)) send(res, req, 404, MIME_TYPES['.html']!, readFileSync(page), extraHeaders(pathname));
    else send(res, req, 404, 'text/plain; charset=utf-8', `404 Not Found: ${pathname}\n`, extraHeaders(pathname));
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.search(/[?#]/);
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = q === -1 ? '' : rawUrl.slice(q).replace(/#.*$/, '');
    if (method !== 'GET' && method !== 'HEAD') {
      send(res, req, 405, 'text/plain; charset=utf-8', '405 Method Not Allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(rawPath);
    } catch {
      send(res, req, 400, 'text/plain; charset=utf-8', '400 Bad Request\n');
      return;
    }
    if (!pathname.startsWith('/') || pathname.includes('\0')) {
      send(res, req, 400, 'text/plain; charset=utf-8', '400 Bad Request\n');
      return;
    }
    // Refuse traversal outright rather than normalising it away.
    if (pathname.split(/[\\/]/).includes('..')) {
      send(res, req, 403, 'text/plain; charset=utf-8', '403 Forbidden\n');
      return;
    }
    if (base !== '/') {
      if (rawPath === base.slice(0, -1)) {
        send(res, req, 301, 'text/plain; charset=utf-8', '', { Location: `${base}${query}` });
        return;
      }
      if (!pathname.startsWith(base)) {
        notFound(req, res, pathname);
        return;
      }
      pathname = pathname.slice(base.length - 1);
    }
    let file = join(realRoot, pathname);
    if (file !== realRoot && !file.startsWith(realRoot + sep)) {
      send(res, req, 403, 'text/plain; charset=utf-8', '403 Forbidden\n');
      return;
    }
    let st = statOrNull(file);
    if (st?.isDirectory()) {
      if (!rawPath.endsWith('/')) {
        send(res, req, 301, 'text/plain; charset=utf-8', '', { Location: `${rawPath}/${query}` });
        return;
      }
      file = join(file, 'index.html');
      st = statOrNull(file);
    }
    if (!st?.isFile()) {
      notFound(req, res, pathname);
      return;
    }
    const real = realpathSync(file);
    if (!real.startsWith(realRoot + sep)) {
      send(res, req, 403, 'text/plain; charset=utf-8', '403 Forbidden\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(st.size),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...extraHeaders(pathname),
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(real);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    root,
    base,
    setHeaders(headers) {
      extra = headers;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        // Chromium keeps connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

export interface OpenPageOptions {
  /** CSS pixels; default 1280x800. */
  viewport?: { width: number; height: number };
  /** Default 1, so screenshot pixels equal CSS pixels. */
  deviceScaleFactor?: number;
  /** Navigation milestone to wait for; default 'load'. */
  waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit';
  reducedMotion?: 'reduce' | 'no-preference';
  /** A touch screen (page.touchscreen.tap needs it); default false. */
  hasTouch?: boolean;
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** The main document's response (null for about:blank and same-document navigations). */
  response: Response | null;
  /** console.error() calls and browser-logged errors, as "text (url:line)". */
  consoleErrors: string[];
  /** console.warn() calls; not a failure by themselves (SwiftShader logs GPU-stall warnings). */
  consoleWarnings: string[];
  /** Uncaught exceptions and unhandled rejections in the page. */
  pageErrors: string[];
  /** Requests that failed at the network level, and responses with status >= 400. */
  failedRequests: string[];
  /** All of consoleErrors, pageErrors and failedRequests, for `expect(p.problems()).toEqual([])`. */
  problems(): string[];
  close(): Promise<void>;
}

/** Opens `url` in a fresh context, recording errors from before the first byte onward. */
export async function openPage(browser: Browser, url: string, options: OpenPageOptions = {}): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
    reducedMotion: options.reducedMotion,
    hasTouch: options.hasTouch,
  });
  // The test hook (window.__scene) on every page of the context, reloads and navigations included.
  await context.addInitScript(sceneHook);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const consoleWarnings: string[] = [];
  const pageErrors: string[] = [];
  const failedRequests: string[] = [];

  page.on('console', (msg) => {
    const loc = msg.location();
    const where = loc.url ? ` (${loc.url}:${loc.lineNumber})` : '';
    if (msg.type() === 'error') consoleErrors.push(`${msg.text()}${where}`);
    else if (msg.type() === 'warning') consoleWarnings.push(`${msg.text()}${where}`);
  });
  page.on('pageerror', (err) => pageErrors.push(err.stack ?? String(err)));
  page.on('requestfailed', (req) =>
    failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText ?? 'failed'}`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) failedRequests.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });

  const response = await page.goto(url, { waitUntil: options.waitUntil ?? 'load' });
  return {
    page,
    context,
    response,
    consoleErrors,
    consoleWarnings,
    pageErrors,
    failedRequests,
    problems: () => [
      ...consoleErrors.map((e) => `console: ${e}`),
      ...pageErrors.map((e) => `pageerror: ${e}`),
      ...failedRequests.map((e) => `request: ${e}`),
    ],
    close: () => context.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// Pixels
// ---------------------------------------------------------------------------------------------

export interface RGBAImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major, non-premultiplied RGBA. */
  data: Uint8Array;
}

export type RGB = [number, number, number];

export interface CanvasStats {
  width: number;
  height: number;
  /** Number of distinct RGBA values. */
  distinctColors: number;
  /** Fraction of pixels farther than `tolerance` (any channel) from `background`. */
  nonBackgroundFraction: number;
  /** Mean colour, 0..255 floats. */
  meanRGB: RGB;
  /** The colour counted as background. */
  background: RGB;
  /** The decoded screenshot, for imageDiff(). */
  image: RGBAImage;
}

export interface CanvasStatsOptions {
  /** Background colour; default: the element's effective CSS background-color (white if none). */
  background?: RGB;
  /** Per-channel tolerance for "is background"; default 4. */
  tolerance?: number;
}

/**
 * Screenshots the element (what the compositor shows, so it works without preserveDrawingBuffer)
 * after two animation frames, decodes the PNG and summarises its pixels.
 */
export async function canvasStats(page: Page, selector: string, options: CanvasStatsOptions = {}): Promise<CanvasStats> {
  const image = await screenshotImage(page, selector);
  const background = options.background ?? (await effectiveBackground(page, selector));
  return imageStats(image, background, options.tolerance ?? 4);
}

/**
 * The element's current on-screen pixels as RGBA: exactly its pixel-snapped box, in device pixels.
 *
 * Not locator.screenshot(): that rounds a fractional box outwards (a 64 px canvas at y = 161.4
 * comes back 65 rows tall with a row of page background). Chromium paints a box snapped to
 * round(edge * dpr) / dpr, so clip to that. The element must fit inside the viewport (a clip
 * outside it would be trimmed, and a full-page capture would resize the viewport under the app).
 */
export async function screenshotImage(page: Page, selector: string): Promise<RGBAImage> {
  const loc = page.locator(selector);
  await loc.scrollIntoViewIfNeeded();
  await page.evaluate(
    () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
  );
  const box = await loc.evaluate((el) => {
    const b = el.getBoundingClientRect();
    const dpr = window.devicePixelRatio;
    const snap = (v: number): number => Math.round(v * dpr) / dpr;
    const x = snap(b.left);
    const y = snap(b.top);
    return { x, y, width: snap(b.right) - x, height: snap(b.bottom) - y, vw: innerWidth, vh: innerHeight };
  });
  if (box.width <= 0 || box.height <= 0) throw new Error(`screenshotImage: ${selector} has no visible box`);
  if (box.x < 0 || box.y < 0 || box.x + box.width > box.vw || box.y + box.height > box.vh) {
    throw new Error(
      `screenshotImage: ${selector} (${box.width}x${box.height} at ${box.x},${box.y}) does not fit in the ` +
        `${box.vw}x${box.vh} viewport; open the page with a larger viewport.`,
    );
  }
  const png = await page.screenshot({
    clip: { x: box.x, y: box.y, width: box.width, height: box.height },
    animations: 'disabled',
    caret: 'hide',
  });
  return decodePng(png);
}

async function effectiveBackground(page: Page, selector: string): Promise<RGB> {
  return page.locator(selector).evaluate((el): [number, number, number] => {
    for (let n: Element | null = el; n; n = n.parentElement) {
      const m = /rgba?\(([^)]*)\)/.exec(getComputedStyle(n).backgroundColor);
      if (!m || !m[1]) continue;
      const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      const alpha = parts.length > 3 ? (parts[3] ?? 1) : 1;
      if (alpha > 0) return [parts[0] ?? 255, parts[1] ?? 255, parts[2] ?? 255];
    }
    return [255, 255, 255];
  });
}

/** Summary statistics of an image against a background colour. */
export function imageStats(image: RGBAImage, background: RGB, tolerance = 4): CanvasStats {
  const { width, height, data } = image;
  const n = width * height;
  const colors = new Set<number>();
  let r = 0;
  let g = 0;
  let b = 0;
  let nonBg = 0;
  for (let i = 0; i < n * 4; i += 4) {
    const pr = data[i]!;
    const pg = data[i + 1]!;
    const pb = data[i + 2]!;
    colors.add(((pr << 16) | (pg << 8) | pb) + data[i + 3]! * 16777216);
    r += pr;
    g += pg;
    b += pb;
    if (
      Math.abs(pr - background[0]) > tolerance ||
      Math.abs(pg - background[1]) > tolerance ||
      Math.abs(pb - background[2]) > tolerance
    ) {
      nonBg++;
    }
  }
  return {
    width,
    height,
    distinctColors: colors.size,
    nonBackgroundFraction: n ? nonBg / n : 0,
    meanRGB: n ? [r / n, g / n, b / n] : [0, 0, 0],
    background,
    image,
  };
}

/**
 * Fraction (0..1) of pixels whose RGBA differs by more than `tolerance` in any channel.
 * Accepts images or CanvasStats; sizes must match.
 */
export function imageDiff(
  a: RGBAImage | { image: RGBAImage },
  b: RGBAImage | { image: RGBAImage },
  options: { tolerance?: number } = {},
): number {
  const ia = 'image' in a ? a.image : a;
  const ib = 'image' in b ? b.image : b;
  if (ia.width !== ib.width || ia.height !== ib.height) {
    throw new Error(`imageDiff: sizes differ (${ia.width}x${ia.height} vs ${ib.width}x${ib.height})`);
  }
  const tol = options.tolerance ?? 0;
  const n = ia.width * ia.height;
  let differing = 0;
  for (let p = 0; p < n * 4; p += 4) {
    for (let c = 0; c < 4; c++) {
      if (Math.abs(ia.data[p + c]! - ib.data[p + c]!) > tol) {
        differing++;
        break;
      }
    }
  }
  return n ? differing / n : 0;
}

/** Decodes an 8-bit, non-interlaced PNG (RGBA, RGB, grey or grey+alpha, as Chromium writes) to RGBA. */
export function decodePng(input: Uint8Array): RGBAImage {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (buf.length < 8 || signature.some((v, i) => buf[i] !== v)) throw new Error('decodePng: not a PNG');
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = -1;
  let interlace = 0;
  const idat: Buffer[] = [];
  let off = 8;
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (data.length !== len) throw new Error(`decodePng: truncated ${type} chunk`);
    off += 12 + len; // length + type + data + CRC
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8]!;
      colorType = data[9]!;
      interlace = data[12]!;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
  }
  const channelsByType: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };
  const channels = channelsByType[colorType];
  if (bitDepth !== 8 || channels === undefined) {
    throw new Error(`decodePng: unsupported bit depth ${bitDepth} / colour type ${colorType}`);
  }
  if (interlace !== 0) throw new Error('decodePng: interlaced PNGs are not supported');

  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('decodePng: image data too short');
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  let cur = new Uint8Array(stride);
  let pos = 0;
  for (let y = 0; y < height; y++) {
    const filter = raw[pos++]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[pos + i]!;
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new Error(`decodePng: bad filter ${filter} on row ${y}`);
      }
      cur[i] = v & 0xff;
    }
    pos += stride;
    for (let xPix = 0, o = y * width * 4; xPix < width; xPix++, o += 4) {
      const s = xPix * channels;
      if (channels >= 3) {
        out[o] = cur[s]!;
        out[o + 1] = cur[s + 1]!;
        out[o + 2] = cur[s + 2]!;
        out[o + 3] = channels === 4 ? cur[s + 3]! : 255;
      } else {
        out[o] = out[o + 1] = out[o + 2] = cur[s]!;
        out[o + 3] = channels === 2 ? cur[s + 1]! : 255;
      }
    }
    [prev, cur] = [cur, prev];
  }
  return { width, height, data: out };
}

// ---------------------------------------------------------------------------------------------
// vitest lifecycle
// ---------------------------------------------------------------------------------------------

export interface SiteOptions {
  /** Directory to serve (default 'dist', relative to the repo root). Must contain index.html. */
  dist?: string;
  /** Extra Chromium flags for this file's browser. */
  args?: string[];
  /** Extra response headers (see serveDist). */
  headers?: HeaderOption;
  /** Serve under this path prefix (see serveDist); site.url() and site.open() then take paths inside it. */
  base?: string;
}

export interface Site {
  /** Server origin, e.g. http://127.0.0.1:40123. */
  readonly origin: string;
  readonly browser: Browser;
  readonly server: StaticServer;
  readonly chromium: FoundChromium;
  /** Absolute URL for a site path ('/' by default; under the base path when one is set). */
  url(path?: string): string;
  /** openPage() on a site path; the context is closed in afterAll if the test did not close it. */
  open(path?: string, options?: OpenPageOptions): Promise<OpenedPage>;
}

/**
 * Registers beforeAll/afterAll in the calling test file: serve the already-built site (it builds
 * nothing) and launch one browser for the whole file; close both afterwards. Call at module or
 * describe level; use the returned object inside tests.
 */
export function useSite(options: SiteOptions = {}): Site {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let chrome: FoundChromium | undefined;
  const opened: OpenedPage[] = [];
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`useSite: ${what} is not ready (used outside a test, or beforeAll failed)`);
    return v;
  };

  beforeAll(async () => {
    const dist = resolve(REPO_ROOT, options.dist ?? process.env.E2E_DIST ?? 'dist');
    if (!existsSync(join(dist, 'index.html'))) {
      throw new Error(`No built site: ${join(dist, 'index.html')} is missing. Run \`npm run build\` before the e2e tests.`);
    }
    chrome = await findChromium();
    server = await serveDist(dist, { headers: options.headers, base: options.base });
    browser = await launchBrowser({ args: options.args });
  });

  afterAll(async () => {
    await Promise.allSettled(opened.map((p) => p.close()));
    await browser?.close();
    await server?.close();
  });

  const site: Site = {
    get origin() {
      return need(server, 'server').origin;
    },
    get browser() {
      return need(browser, 'browser');
    },
    get server() {
      return need(server, 'server');
    },
    get chromium() {
      return need(chrome, 'chromium');
    },
    url: (path = '/') => {
      const s = need(server, 'server');
      return new URL(path.startsWith('/') ? s.base + path.slice(1) : path, s.origin + s.base).href;
    },
    async open(path = '/', openOptions) {
      const p = await openPage(need(browser, 'browser'), site.url(path), openOptions);
      opened.push(p);
      return p;
    },
  };
  return site;
}

/**
 * Loses the WebGL context of the page's scene (WEBGL_lose_context, in the render worker that holds
 * it, through the window.__scene test hook), restores it, and returns the milliseconds from the
 * restore until the scene drew again. Gives up after 5 s (returns about 5000).
 */
export async function loseAndRestoreContext(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const hook = (window as unknown as { __scene: { frames: number; loseContext(): Promise<void>; restoreContext(): void } }).__scene;
    await hook.loseContext();
    await new Promise((r) => setTimeout(r, 100));
    const frames = hook.frames;
    const t0 = performance.now();
    hook.restoreContext();
    while (hook.frames === frames && performance.now() - t0 < 5000) await new Promise((r) => requestAnimationFrame(r));
    return performance.now() - t0;
  });
}

/**
 * Tests of the browser harness itself: a probe page (written to a temporary folder and served
 * like the site) loads cleanly, WebGL2 draws through SwiftShader and canvas pixels can be read, a
 * browser without WebGL has none, and the static server behaves. The site's own pages are tested
 * in the other e2e files against dist/ (run `npm run build` first).
 */
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  canvasStats,
  decodePng,
  findChromium,
  imageDiff,
  launchBrowser,
  openPage,
  serveDist,
  useSite,
  type StaticServer,
} from './harness.ts';

const site = useSite();

const PROBE_RGB = [40, 120, 200] as const;

/** A page with a 64x64 WebGL2 canvas cleared to PROBE_RGB, or a notice without WebGL2. */
const PROBE_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>probe</title>
<link rel="icon" href="data:,"><style>#probe{display:block;width:64px;height:64px}#probe[hidden]{display:none}</style></head>
<body><h1>probe</h1><canvas id="probe" width="64" height="64"></canvas><p id="gl-status"></p>
<script>
  const canvas = document.getElementById('probe');
  const gl = canvas.getContext('webgl2');
  if (!gl) {
    canvas.hidden = true;
    document.getElementById('gl-status').textContent = 'WebGL2 is not available in this browser.';
  } else {
    gl.clearColor(40 / 255, 120 / 255, 200 / 255, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    canvas.dataset.webgl2 = 'ok';
  }
</script></body></html>`;

let probeDir: string;
let probe: StaticServer;
beforeAll(async () => {
  probeDir = mkdtempSync(join(tmpdir(), 'probe-'));
  writeFileSync(join(probeDir, 'index.html'), PROBE_HTML);
  probe = await serveDist(probeDir);
});
afterAll(async () => {
  await probe?.close();
  rmSync(probeDir, { recursive: true, force: true });
});

/** A raw request whose path is sent exactly as given (fetch() would normalise `..` away). */
function rawGet(origin: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((ok, fail) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('probe page', () => {
  it('loads with no console errors, page errors or failed requests', async () => {
    const chrome = await findChromium();
    console.info(`chromium: ${chrome.source}${chrome.unpackMs ? `, unpacked in ${Math.round(chrome.unpackMs)} ms` : ''}`);

    const p = await openPage(site.browser, probe.origin + '/');
    expect(p.response?.status()).toBe(200);
    await expect(p.page.title()).resolves.toBe('probe');
    expect(await p.page.getAttribute('html', 'lang')).toBe('en');
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('draws the probe canvas in rgb(40,120,200) through WebGL2', async () => {
    const p = await openPage(site.browser, probe.origin + '/');
    await p.page.waitForSelector('#probe[data-webgl2="ok"]');
    const stats = await canvasStats(p.page, '#probe');
    expect([stats.width, stats.height]).toEqual([64, 64]);
    expect(stats.background).toEqual([255, 255, 255]);
    expect(stats.nonBackgroundFraction).toBeGreaterThan(0.99);
    expect(stats.distinctColors).toBeLessThanOrEqual(4);
    stats.meanRGB.forEach((v, i) => expect(Math.abs(v - PROBE_RGB[i]!)).toBeLessThanOrEqual(3));
    expect(await p.page.textContent('#gl-status')).toBe('');
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('screenshots track redraws, and imageDiff sees the change', async () => {
    const p = await openPage(site.browser, probe.origin + '/');
    await p.page.waitForSelector('#probe[data-webgl2="ok"]');
    const before = await canvasStats(p.page, '#probe');
    const again = await canvasStats(p.page, '#probe');
    expect(imageDiff(before, again)).toBe(0);

    // Redraw the left half (a new frame, no preserveDrawingBuffer needed) and compare.
    await p.page.evaluate(() => {
      const gl = (document.getElementById('probe') as HTMLCanvasElement).getContext('webgl2')!;
      gl.clearColor(40 / 255, 120 / 255, 200 / 255, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
      gl.enable(gl.SCISSOR_TEST);
      gl.scissor(0, 0, 32, 64);
      gl.clearColor(1, 1, 1, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
    });
    const after = await canvasStats(p.page, '#probe');
    expect(imageDiff(before, after, { tolerance: 3 })).toBeCloseTo(0.5, 2);
    expect(after.nonBackgroundFraction).toBeCloseTo(0.5, 2);
    expect(after.distinctColors).toBeGreaterThanOrEqual(2);
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

describe('without WebGL', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ args: ['--disable-webgl'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the notice instead of a canvas', async () => {
    const p = await openPage(browser, probe.origin + '/');
    const gl = await p.page.evaluate(() => ({
      webgl2: document.createElement('canvas').getContext('webgl2') !== null,
      webgl: document.createElement('canvas').getContext('webgl') !== null,
    }));
    expect(gl).toEqual({ webgl2: false, webgl: false });
    const status = p.page.locator('#gl-status');
    await expect(status.isVisible()).resolves.toBe(true);
    expect(await status.textContent()).toMatch(/WebGL2 is not available/);
    expect(await p.page.locator('#probe').isVisible()).toBe(false);
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

describe('static server', () => {
  it('returns 404 for a missing path', async () => {
    const res = await fetch(site.url('/no/such/page/'));
    expect(res.status).toBe(404);
    await res.body?.cancel();
  });

  it('serves / as index.html', async () => {
    const res = await fetch(site.url('/'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('<h1');
  });

  it('refuses path traversal', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/a/../../package.json']) {
      const res = await rawGet(site.origin, path);
      expect(res.status, path).toBe(403);
      expect(res.body, path).not.toContain('gpt-inside-out');
    }
  });

  it('fails clearly when the directory to serve is missing', async () => {
    await expect(serveDist('dist-that-does-not-exist')).rejects.toThrow(/npm run build/);
  });

  describe('MIME types and headers', () => {
    let dir: string;
    let server: StaticServer;
    // The smallest valid module: magic + version, no sections.
    const wasm = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'harness-serve-'));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
      writeFileSync(join(dir, 'empty.wasm'), wasm);
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', 'index.html'), 'sub');
      writeFileSync(join(dir, 'w.safetensors'), Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32));
      server = await serveDist(dir, { headers: { 'Cross-Origin-Opener-Policy': 'same-origin' } });
    });
    afterAll(async () => {
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('serves .wasm as application/wasm (compileStreaming accepts it)', async () => {
      const res = await fetch(`${server.origin}/empty.wasm`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/wasm');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(wasm);

      const p = await openPage(site.browser, `${server.origin}/`);
      const exports = await p.page.evaluate(async () => {
        const mod = await WebAssembly.compileStreaming(fetch('/empty.wasm'));
        return WebAssembly.Module.exports(mod).length;
      });
      expect(exports).toBe(0);
      expect(p.problems()).toEqual([]);
      await p.close();
    });

    it('serves .safetensors as octet-stream and adds requested headers', async () => {
      const res = await fetch(`${server.origin}/w.safetensors`);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      await res.body?.cancel();

      server.setHeaders((path) => (path.endsWith('.html') ? { 'X-Test': 'html' } : undefined));
      const page = await fetch(`${server.origin}/index.html`);
      expect(page.headers.get('x-test')).toBe('html');
      expect(page.headers.get('cross-origin-opener-policy')).toBeNull();
      await page.body?.cancel();
    });

    it('redirects a directory without its trailing slash, then serves its index.html', async () => {
      const res = await fetch(`${server.origin}/sub?x=1`, { redirect: 'manual' });
      expect(res.status).toBe(301);
      expect(res.headers.get('location')).toBe('/sub/?x=1');
      await res.body?.cancel();
      const index = await fetch(`${server.origin}/sub/`);
      expect(index.status).toBe(200);
      expect(await index.text()).toBe('sub');
    });
  });
});

describe('decodePng', () => {
  it('rejects non-PNG input', () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG/);
  });
});

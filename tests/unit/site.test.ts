/**
 * Publishing: URLs under a base path, the embed snippet, base-path links in chapter Markdown,
 * the committed link-preview pictures (one per chapter file, at the size the tags declare) and
 * the favicon.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Root } from 'mdast';
import { absoluteUrl, normalBase, withBase } from '../../src/site/urls.ts';
import { KEY_STEPS, OG_EXPLORE, OG_HEIGHT, OG_WIDTH, imageSize, keyStep, ogImagePath } from '../../src/site/og.ts';
import { embedSnippet } from '../../src/story/embed.ts';
import { remarkBaseLinks } from '../../src/story/base-links.ts';
import { slugFromPath } from '../../src/story/schema.ts';
import { KIND_HEX } from '../../src/scene/palette.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const chapterFiles = readdirSync(join(ROOT, 'content/chapters')).filter((f) => f.endsWith('.md')).sort();

function beatsOf(file: string): string[] {
  const md = readFileSync(join(ROOT, 'content/chapters', file), 'utf8');
  return [...md.matchAll(/^:::step\{beat="([^"]+)"/gm)].map((m) => m[1]!);
}

describe('site URLs', () => {
  it('normalise the base path to one slash at each end', () => {
    for (const b of ['/', '', '//']) expect(normalBase(b)).toBe('/');
    for (const b of ['/gpt-inside-out/', '/gpt-inside-out', 'gpt-inside-out', '//gpt-inside-out//']) expect(normalBase(b)).toBe('/gpt-inside-out/');
    expect(normalBase('/a/b')).toBe('/a/b/');
  });

  it('put the base in front of a site path, however the path begins', () => {
    expect(withBase('/explore/', '/')).toBe('/explore/');
    expect(withBase('explore/', '/gpt-inside-out/')).toBe('/gpt-inside-out/explore/');
    expect(withBase('/chapters/mlp/', '/gpt-inside-out')).toBe('/gpt-inside-out/chapters/mlp/');
    expect(withBase('', '/gpt-inside-out/')).toBe('/gpt-inside-out/');
    expect(withBase('#contents', '/x/')).toBe('/x/#contents');
  });

  it('make absolute URLs on the site origin, even when SITE_URL carries a path', () => {
    expect(absoluteUrl('og/mlp.jpg', 'https://example.org', '/gpt-inside-out/')).toBe('https://example.org/gpt-inside-out/og/mlp.jpg');
    expect(absoluteUrl('', 'https://example.org/gpt-inside-out', '/gpt-inside-out/')).toBe('https://example.org/gpt-inside-out/');
    expect(absoluteUrl('/explore/', new URL('http://localhost:4321'), '/')).toBe('http://localhost:4321/explore/');
  });
});

describe('the embed snippet', () => {
  it('names the frame and embed.js by absolute URLs under the base path', () => {
    const html = embedSnippet('https://example.org/gpt-inside-out/', 'mlp', 'The "MLP" & <more>');
    expect([...html.matchAll(/\bsrc="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'https://example.org/gpt-inside-out/embed/mlp/',
      'https://example.org/gpt-inside-out/embed.js',
    ]);
    expect(html).toContain('title="The &quot;MLP&quot; &amp; &lt;more>"');
  });
});

describe('links in chapter Markdown', () => {
  it('get the base path when they are root-relative, and only then', () => {
    const tree: Root = {
      type: 'root',
      children: [
        {
          type: 'paragraph',
          children: [
            { type: 'link', url: '/explore/', children: [{ type: 'text', value: 'explorer' }] },
            { type: 'link', url: 'https://example.com/x', children: [] },
            { type: 'link', url: '//cdn.example.com/x', children: [] },
            { type: 'link', url: '#embedding-add', children: [] },
            { type: 'link', url: '../tokens/', children: [] },
          ],
        },
        { type: 'definition', identifier: 'a', label: 'a', url: '/chapters/mlp/' },
      ],
    };
    remarkBaseLinks({ base: '/gpt-inside-out/' })(tree);
    const urls: string[] = [];
    const walk = (n: { url?: string; children?: unknown[] }) => {
      if (n.url !== undefined) urls.push(n.url);
      for (const c of n.children ?? []) walk(c as typeof n);
    };
    walk(tree);
    expect(urls).toEqual(['/gpt-inside-out/explore/', 'https://example.com/x', '//cdn.example.com/x', '#embedding-add', '../tokens/', '/gpt-inside-out/chapters/mlp/']);
  });
});

describe('link-preview pictures', () => {
  it('every chapter file has its picture in public/og, at the size the tags declare (rerun `npm run og` after adding one)', () => {
    expect(chapterFiles.length).toBeGreaterThan(0);
    for (const file of [...chapterFiles.map((f) => ogImagePath(slugFromPath(f))), OG_EXPLORE]) {
      const path = join(ROOT, 'public', file);
      expect(existsSync(path), `${path} is missing: run \`npm run build && npm run og\``).toBe(true);
      const bytes = readFileSync(path);
      expect(imageSize(bytes), file).toEqual({ width: OG_WIDTH, height: OG_HEIGHT, type: 'jpeg' });
      // Small enough for a preview fetch (they do not count toward page weight, but still travel).
      expect(bytes.length, file).toBeLessThan(250 * 1024);
    }
  });

  it('each named key step is a step of its chapter; other chapters use their middle step', () => {
    const slugs = chapterFiles.map(slugFromPath);
    for (const [slug, beat] of Object.entries(KEY_STEPS)) {
      const file = chapterFiles.find((f) => slugFromPath(f) === slug);
      if (!file) continue; // a chapter that was removed; its entry is unused
      expect(beatsOf(file), `${slug}: KEY_STEPS names "${beat}"`).toContain(beat);
      expect(keyStep(slug, beatsOf(file))).toBe(beat);
    }
    expect(slugs.length).toBeGreaterThan(0);
    expect(keyStep('new-chapter', ['a', 'b', 'c', 'd'])).toBe('b');
    expect(keyStep('welcome', ['renamed', 'steps', 'only'])).toBe('steps');
    expect(() => keyStep('empty', [])).toThrow(/no steps/);
  });

  it('imageSize reads PNG and JPEG headers and refuses anything else', () => {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(1200, 0);
    ihdr.writeUInt32BE(630, 4);
    ihdr[8] = 8;
    ihdr[9] = 6;
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from([0, 0, 0, 13]),
      Buffer.from('IHDR'),
      ihdr,
      Buffer.alloc(4),
      deflateSync(Buffer.alloc(0)),
    ]);
    expect(imageSize(png)).toEqual({ width: 1200, height: 630, type: 'png' });
    // A JPEG: SOI, an APP0 segment to skip, then SOF0 (precision 8, height 2, width 3).
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x02, 0x00, 0x03, 0x01, 0x01, 0x11, 0x00]);
    expect(imageSize(jpeg)).toEqual({ width: 3, height: 2, type: 'jpeg' });
    expect(imageSize(Buffer.from('<svg/>'))).toBeNull();
    expect(imageSize(jpeg.subarray(0, 8))).toBeNull();
  });
});

describe('the favicon', () => {
  it('is an SVG drawn in the picture\'s weight and activation colours', () => {
    const svg = readFileSync(join(ROOT, 'public/favicon.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 32 32">/);
    expect(svg).toContain(`fill="${KIND_HEX.weight}"`);
    expect(svg).toContain(`fill="${KIND_HEX.activation}"`);
    expect(svg.length).toBeLessThan(4096);
  });
});

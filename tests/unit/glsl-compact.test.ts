/**
 * The build step that strips comments and indentation from the shaders' GLSL
 * (scripts/lib/glsl-compact.ts): the code itself, token for token, is what it was.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactGlsl, compactShaders } from '../../scripts/lib/glsl-compact.ts';

const ROOT = join(import.meta.dirname, '../..');
const TEMPLATES = /`(#version 300 es|layout\(std140\))[\s\S]*?`/g;
/** GLSL tokens with comments removed: what the compiler sees. */
const tokens = (src: string) =>
  src
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .split(/\s+/)
    .filter(Boolean);

describe('compactGlsl', () => {
  it('drops comments, indentation and empty lines, and keeps every line of code and interpolation', () => {
    const src = '#version 300 es\nprecision highp float;\n\n// a note\nuniform vec3 u_a; // the a\n/* a block\n   comment */\nvoid main() {\n  float x = ${HALF} * 2.0;   // twice\n}\n';
    expect(compactGlsl(src)).toBe('#version 300 es\nprecision highp float;\nuniform vec3 u_a;\nvoid main() {\nfloat x = ${HALF} * 2.0;\n}');
  });

  it('leaves the shaders of src/scene/shaders.ts the same code, token for token, and only those', () => {
    const code = readFileSync(join(ROOT, 'src/scene/shaders.ts'), 'utf8');
    const out = compactShaders(code);
    const before = [...code.matchAll(TEMPLATES)].map((m) => m[0]);
    const after = [...out.matchAll(TEMPLATES)].map((m) => m[0]);
    expect(before.length).toBe(7);
    expect(after.length).toBe(before.length);
    after.forEach((t, i) => {
      expect(tokens(t.slice(1, -1))).toEqual(tokens(before[i]!.slice(1, -1)));
      expect(t).not.toMatch(/\/\/|\/\*|\n[ \t]/);
      expect(t.startsWith('`' + before[i]!.slice(1, 16))).toBe(true);
    });
    expect(out.length).toBeLessThan(code.length - 2000);
    // Outside the GLSL the module is untouched.
    expect(out.replace(TEMPLATES, '``')).toBe(code.replace(TEMPLATES, '``'));
  });
});

/**
 * Build step for the shader sources (src/scene/shaders.ts): their GLSL is written with comments
 * and indentation for the reader of the code, which the JavaScript minifier keeps (it is inside
 * template literals). `compactShaders` drops them from the GLSL templates of a module's source,
 * line by line, so the page carries only the code: line and block comments, indentation and
 * empty lines go; every other character, line breaks and `${...}` interpolations stay.
 */

/** The GLSL templates: literals that start a shader or the shared uniform block. */
const TEMPLATE = /`(#version 300 es|layout\(std140\))[\s\S]*?`/g;

/** One GLSL source (without its backticks) with comments, indentation and empty lines removed. */
export function compactGlsl(src: string): string {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/** `code` with each GLSL template literal compacted (the rest of the module untouched). */
export function compactShaders(code: string): string {
  return code.replace(TEMPLATE, (literal) => '`' + compactGlsl(literal.slice(1, -1)) + '\n`');
}

/** A Vite plugin applying `compactShaders` to the module at a path ending in `suffix`. */
export function glslCompact(suffix = '/src/scene/shaders.ts') {
  return {
    name: 'glsl-compact',
    enforce: 'pre' as const,
    transform(code: string, id: string) {
      return id.endsWith(suffix) ? { code: compactShaders(code), map: null } : null;
    },
  };
}

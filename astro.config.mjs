// @ts-check
import { defineConfig } from 'astro/config';
import { unified } from '@astrojs/markdown-remark';
import remarkDirective from 'remark-directive';
import { remarkArticle } from './src/story/markdown.ts';
import { buildContext } from './src/story/build-context.ts';
import { remarkBaseLinks } from './src/story/base-links.ts';
import sitemap from '@astrojs/sitemap';
import { glslCompact } from './scripts/lib/glsl-compact.ts';

/**
 * Where the site is served. BASE_PATH is the path prefix on the host ("/" at a domain's root,
 * "/gpt-inside-out/" for a GitHub Pages project site); SITE_URL is the origin (https://example.org),
 * used for canonical URLs, link previews, oEmbed and the sitemap. Both have local defaults.
 */
const base = `/${(process.env.BASE_PATH ?? '/').split('/').filter(Boolean).join('/')}/`.replace(/^\/\/$/, '/');
const site = process.env.SITE_URL || 'http://localhost:4321';

export default defineConfig({
  site,
  base,
  trailingSlash: 'always',
  security: {
    // A Content-Security-Policy <meta> on every page: only this site's own scripts (hashed by
    // Astro), styles, images, workers and fetches; WebAssembly may compile, nothing may eval.
    csp: {
      directives: [
        "default-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ],
      scriptDirective: { resources: ["'self'", "'wasm-unsafe-eval'"] },
    },
  },
  build: { format: 'directory' },
  // The sitemap lists the pages to index: not the 404 page, nor the embeds (each names its chapter
  // page as canonical).
  integrations: [sitemap({ filter: (page) => !/\/404\/?$/.test(page) && !/\/embed\//.test(page) })],
  markdown: {
    // Code in the chapters is plain monospace: Shiki's colours are inline style attributes, which
    // the CSP refuses, and highlighting would add bytes for a few short snippets.
    syntaxHighlight: false,
    // :::step, :ref and :val in chapter Markdown (see src/story/markdown.ts).
    processor: unified({ remarkPlugins: [remarkDirective, [remarkArticle, { context: buildContext }], [remarkBaseLinks, { base }]] }),
  },
  vite: {
    // The shaders' GLSL reaches the page without its comments and indentation.
    plugins: [glslCompact()],
    build: {
      // Vite inlines small assets as base64; the WASM engine must stay a separate, cacheable file.
      assetsInlineLimit: (file) => (file.endsWith('.wasm') || file.endsWith('.safetensors') ? false : undefined),
    },
    // Workers are bundled apart: the render worker holds the shaders, so it gets the same step.
    // Their assets are named as the page's are, so the training worker's gpt.wasm is the very file
    // the page hands the inference worker (one download, not two copies under two names).
    worker: { format: 'es', plugins: () => [glslCompact()], rollupOptions: { output: { assetFileNames: '_astro/[name].[hash][extname]' } } },
  },
});

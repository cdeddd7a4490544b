// @ts-check
import { defineConfig } from 'astro/config';
import { unified } from '@astrojs/markdown-remark';
import remarkDirective from 'remark-directive';
import { remarkArticle } from './src/story/markdown.ts';
import { buildContext } from './src/story/build-context.ts';

export default defineConfig({
  // Absolute URLs in oEmbed responses; set SITE_URL when building for a real host.
  site: process.env.SITE_URL ?? 'http://localhost:4321',
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
  markdown: {
    // :::step, :ref and :val in chapter Markdown (see src/story/markdown.ts).
    processor: unified({ remarkPlugins: [remarkDirective, [remarkArticle, { context: buildContext }]] }),
  },
  vite: {
    build: {
      // Vite inlines small assets as base64; the WASM engine must stay a separate, cacheable file.
      assetsInlineLimit: (file) => (file.endsWith('.wasm') || file.endsWith('.safetensors') ? false : undefined),
    },
    worker: { format: 'es' },
  },
});

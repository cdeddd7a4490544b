// @ts-check
import { defineConfig } from 'astro/config';

export default defineConfig({
  // Relative asset URLs would break embeds served from /embed/<slug>/; keep them rooted.
  trailingSlash: 'always',
  build: { format: 'directory' },
  vite: {
    build: {
      // Vite inlines small assets as base64; the WASM engine must stay a separate, cacheable file.
      assetsInlineLimit: (file) => (file.endsWith('.wasm') || file.endsWith('.safetensors') ? false : undefined),
    },
    worker: { format: 'es' },
  },
});

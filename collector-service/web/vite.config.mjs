// Builds the dashboard into the collector service's static files (dist/dashboard), served at /dashboard.
// Everything is bundled: no CDN, no web fonts, so the dashboard works offline.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Adds a modulepreload link for the app's chunk (src/root.tsx), which the entry imports only after its
 * first requests are sent: the browser downloads it while the entry runs instead of after.
 */
function preloadAppChunk() {
  return {
    name: 'tokenledger-preload-app-chunk',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/src/root.tsx'));
        if (!chunk) return [];
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/dashboard/${chunk.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  plugins: [react(), preloadAppChunk()],
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
    // A small entry that starts the first requests, the app (React, charts, overview) as a chunk it
    // imports at once, and every other page as a chunk of its own loaded when opened. The gzip size of
    // every chunk is what bench/dashboard.bench.js reports as shipped.
    chunkSizeWarningLimit: 1000,
  },
});

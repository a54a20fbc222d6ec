// Builds the dashboard into the collector service's static files (dist/dashboard), served at /dashboard.
// Everything is bundled: no CDN, no web fonts, so the dashboard works offline.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Lets the browser download the app's chunk (src/root.tsx) into its cache while the entry waits for
 * its first answers. A prefetch only downloads: compiling it early (modulepreload) would take the main
 * thread just when the entry has its first requests to send.
 */
function prefetchAppChunk() {
  return {
    name: 'tokenledger-prefetch-app-chunk',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/src/root.tsx'));
        return chunk
          ? [{ tag: 'link', attrs: { rel: 'prefetch', as: 'script', crossorigin: true, href: `/dashboard/${chunk.fileName}` }, injectTo: 'head' }]
          : [];
      },
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  plugins: [react(), prefetchAppChunk()],
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
    // A small entry that starts the first requests, then the app (React and the overview) as a chunk
    // it imports; the charting library and every other page are chunks loaded when needed. The gzip
    // size of every chunk is what bench/dashboard.bench.js reports as shipped.
    chunkSizeWarningLimit: 1000,
  },
});

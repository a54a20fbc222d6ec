// Builds the dashboard into the collector service's static files (dist/dashboard), served at /dashboard.
// Everything is bundled: no CDN, no web fonts, so the dashboard works offline.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
    // One bundle is the point (no lazy chunks to fetch); its gzip size is what bench/dashboard.bench.js measures.
    chunkSizeWarningLimit: 1000,
  },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard is a static single-page app: `vite build` writes `dist/` (index.html + hashed
 * assets), which @troupe/server serves at `/`. `base: './'` keeps asset URLs relative, so the board
 * also works behind a path prefix. `@troupe/source` resolves `@troupe/core` to its TypeScript source.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    conditions: ['@troupe/source', 'module', 'browser', 'development|production'],
    alias: {
      '@troupe/core/progress': fileURLToPath(
        new URL('../core/src/progress/reduceProgress.ts', import.meta.url),
      ),
    },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: { proxy: { '/api': 'http://127.0.0.1:8787', '/ws': { target: 'ws://127.0.0.1:8787', ws: true } } },
});

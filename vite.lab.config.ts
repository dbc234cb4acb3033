/**
 * Builds the playground (src/lab/app) into dist/lab/www, beside the compiled server that serves it.
 * The app imports the library's TypeScript source directly, so the browser runs the same code as the CLI.
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./src/lab/app'),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: here('./dist/lab/www'),
    emptyOutDir: true,
    target: 'es2022',
    // One self-contained bundle: the page makes no requests beyond its own files.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});

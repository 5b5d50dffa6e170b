/**
 * Builds the web UI (ui/, Preact + TSX) into dist/ui/ with esbuild: index.html, app.js and
 * app.css, the three files `conclave serve` serves at `/` and `/ui/*`. Everything the page needs is
 * in them (no CDN, no web fonts), so the UI works with no internet and under a Content-Security-Policy
 * of `default-src 'self'`. Type-checking is `tsc -p ui/tsconfig.json`, run before this by `npm run build`.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { URL } from 'node:url';
import { build } from 'esbuild';

const output = new URL('../dist/ui/', import.meta.url);
rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });

await build({
  entryPoints: { app: 'ui/src/main.tsx' },
  outdir: 'dist/ui',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
await build({ entryPoints: { app: 'ui/app.css' }, outdir: 'dist/ui', bundle: true, minify: true, logLevel: 'warning' });
for (const file of ['index.html', 'icon.svg']) copyFileSync(new URL(`../ui/${file}`, import.meta.url), new URL(file, output));

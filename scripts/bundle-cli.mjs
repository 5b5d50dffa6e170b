/**
 * Bundles the `conclave` command into dist/cli/ with esbuild, after `tsc` has type-checked and
 * built dist/src. Start-up is dominated by loading modules: unbundled, a run on an offline model
 * resolves, reads and links ~370 files (zod and yaml alone are 170). The bundle holds conclave's own
 * code and the pure-JS packages every command needs in a few files; every other dependency (the
 * provider SDKs, pg, BullMQ, MCP, the server, the native better-sqlite3) stays an ordinary import,
 * loaded only by the commands that use it, as in the unbundled build. Lazily imported commands
 * become their own chunks. The worker-thread entry the server starts sits beside the chunks, where
 * `new URL('./document-parser-worker.js', import.meta.url)` finds it. The model catalogue's JSON is
 * read at run time, on first use, from beside the module that reads it: it is copied beside the
 * chunks and beside dist/src/catalogue/model-catalogue.js (which tsc does not copy it to).
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { URL } from 'node:url';
import { build } from 'esbuild';

/** Packages bundled into the command: pure JS, and loaded by nearly every command. */
const bundled = new Set(['zod', 'yaml', 'xstate', 'commander', 'nanoid']);

/**
 * zod re-exports every locale it has (`z.locales`, 366 KB of the bundle's 1.9 MB) from one index.
 * conclave never reads them; the English messages it prints come from `locales/en.js`, which zod's
 * schemas import directly and which stays. The index becomes an empty namespace.
 */
const withoutZodLocales = {
  name: 'without-zod-locales',
  setup(plugin) {
    plugin.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'without-zod-locales' } : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'without-zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys(manifest.dependencies ?? {}).filter((name) => !bundled.has(name));

// Chunk names carry a content hash: clear the last build's, or they pile up.
rmSync(new URL('../dist/cli', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { conclave: 'src/cli/main.ts', 'document-parser-worker': 'src/server/document-parser-worker.ts' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // CommonJS code inside the bundle (commander) calls `require` for Node's built-ins.
  banner: { js: "import { createRequire as __conclaveCreateRequire } from 'node:module'; const require = __conclaveCreateRequire(import.meta.url);" },
  plugins: [withoutZodLocales],
  logLevel: 'warning',
});

// Read with `require` on first use (src/catalogue/model-catalogue.ts), never bundled into a chunk.
const catalogue = new URL('../src/catalogue/model-catalogue.json', import.meta.url);
for (const directory of ['../dist/cli/', '../dist/src/catalogue/']) {
  mkdirSync(new URL(directory, import.meta.url), { recursive: true });
  copyFileSync(catalogue, new URL(`${directory}model-catalogue.json`, import.meta.url));
}

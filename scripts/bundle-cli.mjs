/**
 * Bundles the `conclave` command into dist/cli/ with esbuild, after `tsc` has type-checked and
 * built dist/src. Start-up is dominated by loading and compiling modules: unbundled, a run on an
 * offline model resolves, reads and links ~370 files (zod and yaml alone are 170), and compiling
 * the 1.6 MB it needs is more than half of what is left once they are one file. So the command is
 * built as:
 * - dist/cli/conclave-<hash>.cjs: conclave's own code and the pure-JS packages every command needs,
 *   as one CommonJS module, written as the function Node wraps a module in. Commands imported
 *   lazily stay lazy inside it (esbuild runs a module's top level when it is first imported). Every other dependency (the provider SDKs, pg, BullMQ,
 *   MCP, the server, the native better-sqlite3) is `require`d when first used, by static and
 *   dynamic imports alike, so a package is never loaded twice (once as CommonJS, once as ESM) with
 *   two copies of its classes.
 * - dist/cli/conclave.js: the entry (src/cli/entry.ts). It compiles the script with V8's code cache
 *   from an earlier run, which a CommonJS script allows and an ES module does not on Node 20.
 * - dist/cli/bundle.json: the script's file name and SHA-256, which name its cache files.
 * - dist/cli/document-parser-worker.js: the worker-thread entry the server starts, self-contained,
 *   where `new URL('./document-parser-worker.js', import.meta.url)` finds it.
 * The script is kept ASCII (esbuild escapes most characters, the rest are escaped here), so the
 * entry reads it as latin1, without UTF-8 decoding, and V8 keeps it as a one-byte string. The model
 * catalogue's JSON is read at run time, on first use, from beside the module that reads it: it is
 * copied beside the bundle and beside dist/src/catalogue/model-catalogue.js (which tsc does not
 * copy it to).
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const externalPackage = (specifier) => external.some((name) => specifier === name || specifier.startsWith(`${name}/`));

/**
 * A dynamic `import('openai')` of an external package becomes a lazily run `require('openai')`, as
 * its static imports are in a CommonJS script: one copy of the package, whichever way it is reached
 * (the error mapper's `instanceof APIError` must see the client's own class). Imports of a computed
 * specifier (a user's module) stay `import()`.
 */
const requireExternalPackages = {
  name: 'require-external-packages',
  setup(plugin) {
    plugin.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'dynamic-import' && externalPackage(args.path) ? { path: args.path, namespace: 'require-external' } : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'require-external' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

const outdir = new URL('../dist/cli/', import.meta.url);
// The script's name carries a content hash: clear the last build's, or they pile up.
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const shared = { bundle: true, platform: 'node', target: 'node20', external, logLevel: 'warning', charset: 'ascii' };

const script = await build({
  ...shared,
  entryPoints: ['src/cli/main.ts'],
  format: 'cjs',
  write: false,
  outfile: 'dist/cli/conclave.cjs',
  plugins: [withoutZodLocales, requireExternalPackages],
  // Code that finds files beside itself (`new URL('./x', import.meta.url)`) finds them beside the script.
  define: { 'import.meta.url': '__conclaveScriptUrl' },
  banner: { js: '"use strict";\nconst __conclaveScriptUrl = require("node:url").pathToFileURL(__filename).href;' },
});
const [output] = script.outputFiles;
if (output === undefined || script.outputFiles.length !== 1) throw new Error(`expected one bundled script, got ${script.outputFiles.length}`);
// charset: 'ascii' still leaves some characters raw: non-ASCII ones in comments and in regular
// expression literals (`/[:：]/`), control characters in strings. Each becomes its `\uXXXX` escape,
// which means the same character in a string, a regular expression and (unread) a comment.
const ascii = output.text.replace(/[^\t\n\r\x20-\x7e]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
// Written already wrapped as Node wraps a CommonJS module, so the entry compiles the file's text as
// it is: no 2.6 MB concatenation, and the code cache of the same string.
const wrapped = `(function (exports, require, module, __filename, __dirname) { ${ascii}\n});`;
const sha256 = createHash('sha256').update(wrapped).digest('hex');
const file = `conclave-${sha256.slice(0, 12)}.cjs`;
writeFileSync(new URL(file, outdir), wrapped);
writeFileSync(new URL('bundle.json', outdir), `${JSON.stringify({ file, sha256 }, null, 2)}\n`);

await build({
  ...shared,
  entryPoints: { conclave: 'src/cli/entry.ts', 'document-parser-worker': 'src/server/document-parser-worker.ts' },
  outdir: 'dist/cli',
  format: 'esm',
  plugins: [withoutZodLocales],
  // CommonJS code inside the worker's bundle calls `require` for Node's built-ins.
  banner: { js: "import { createRequire as __conclaveCreateRequire } from 'node:module'; const require = __conclaveCreateRequire(import.meta.url);" },
});
chmodSync(new URL('conclave.js', outdir), 0o755);

// Read with `require` on first use (src/catalogue/model-catalogue.ts), never bundled.
const catalogue = new URL('../src/catalogue/model-catalogue.json', import.meta.url);
for (const directory of ['../dist/cli/', '../dist/src/catalogue/']) {
  mkdirSync(new URL(directory, import.meta.url), { recursive: true });
  copyFileSync(catalogue, new URL(`${directory}model-catalogue.json`, import.meta.url));
}
